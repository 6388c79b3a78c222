package hskey

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A step of creating the key that fails (a disk full mid-write, an fsync,
// chmod or close error, a refused link) leaves no key file, not a torn one
// a restart would refuse or, worse, load, and no temporary file; the next
// start creates the key. With no failure the key is 0600 and loads.
func TestCreateFailureLeavesNoKey(t *testing.T) {
	for _, step := range []string{"", "chmod", "write", "fsync", "close", "link"} {
		t.Run("fail="+step, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "hs.key")
			injected := fmt.Errorf("injected %s failure: %w", step, syscall.ENOSPC)
			restore := failCreateStep(step, injected)
			_, created, err := LoadOrCreate(path, rand.Reader)
			restore()
			if step == "" {
				if st, serr := os.Stat(path); err != nil || !created || serr != nil || st.Mode().Perm() != 0o600 {
					t.Fatalf("LoadOrCreate: created=%v %v; file %v", created, err, serr)
				}
				if _, err := Load(path); err != nil {
					t.Fatalf("the key written does not load: %v", err)
				}
				return
			}
			if !errors.Is(err, injected) || created {
				t.Fatalf("LoadOrCreate with a failing %q: created=%v %v, want %v", step, created, err, injected)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Fatalf("after a failing %q, %d files left in the directory (%s), want none", step, len(ents), ents[0].Name())
			}
			if _, created, err := LoadOrCreate(path, rand.Reader); err != nil || !created {
				t.Fatalf("LoadOrCreate after a failed create: created=%v %v", created, err)
			}
		})
	}
}

// failCreateStep makes the named step of the next creates return err (""
// fails nothing); a failing write stores half its bytes first. It returns
// a function that restores the real files.
func failCreateStep(step string, err error) (restore func()) {
	oldCreate, oldLink := createTemp, link
	createTemp = func(dir, pattern string) (tempFile, error) {
		f, cerr := os.CreateTemp(dir, pattern)
		return &failingFile{File: f, step: step, err: err}, cerr
	}
	if step == "link" {
		link = func(string, string) error { return err }
	}
	return func() { createTemp, link = oldCreate, oldLink }
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
