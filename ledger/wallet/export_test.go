package wallet

import "os"

// FailingTemp makes the next temporary files fail: a write that stores only
// half its bytes and then reports failWrite, or an fsync reporting
// failSync. It returns a function that restores the real files.
func FailingTemp(failWrite, failSync error) (restore func()) {
	old := createTemp
	createTemp = func(dir, pattern string) (tempFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		return &failingFile{File: f, failWrite: failWrite, failSync: failSync}, nil
	}
	return func() { createTemp = old }
}

type failingFile struct {
	*os.File
	failWrite, failSync error
}

func (f *failingFile) Write(b []byte) (int, error) {
	if f.failWrite != nil {
		n, _ := f.File.Write(b[:len(b)/2])
		return n, f.failWrite
	}
	return f.File.Write(b)
}

func (f *failingFile) Sync() error {
	if f.failSync != nil {
		return f.failSync
	}
	return f.File.Sync()
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
