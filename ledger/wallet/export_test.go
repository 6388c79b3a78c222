package wallet

import "os"

// FailStep makes the named step ("chmod", "write", "fsync", "close" or
// "rename") of the next atomic writes return err; a failing write stores
// half its bytes first. It returns a function that restores the real files.
func FailStep(step string, err error) (restore func()) {
	oldCreate, oldRename := createTemp, rename
	createTemp = func(dir, pattern string) (tempFile, error) {
		f, cerr := os.CreateTemp(dir, pattern)
		return &failingFile{File: f, step: step, err: err}, cerr
	}
	if step == "rename" {
		rename = func(string, string) error { return err }
	}
	return func() { createTemp, rename = oldCreate, oldRename }
}

type failingFile struct {
	*os.File
	step string
	err  error
}

func (f *failingFile) Chmod(m os.FileMode) error { return f.fail("chmod", f.File.Chmod(m)) }
func (f *failingFile) Sync() error               { return f.fail("fsync", f.File.Sync()) }
func (f *failingFile) Close() error              { return f.fail("close", f.File.Close()) }
func (f *failingFile) Write(b []byte) (int, error) {
	if f.step == "write" {
		n, _ := f.File.Write(b[:len(b)/2])
		return n, f.err
	}
	return f.File.Write(b)
}

func (f *failingFile) fail(step string, err error) error {
	if f.step == step {
		return f.err
	}
	return err
}

// Dir returns the wallet's directory.
func Dir(w *Wallet) string { return w.dir }

// NoSync makes wallet saves skip fsync, for long simulations whose subject
// is not durability. It returns a function that restores real saves.
func NoSync() (restore func()) {
	old := createTemp
	createTemp = func(dir, pattern string) (tempFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		return noSyncFile{f}, nil
	}
	return func() { createTemp = old }
}

type noSyncFile struct{ *os.File }

func (noSyncFile) Sync() error { return nil }
