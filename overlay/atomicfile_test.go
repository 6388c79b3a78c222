package overlay

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A step of an atomic write that fails (a disk full mid-write, an fsync,
// chmod or close error, a refused rename) leaves the old state file byte
// for byte and no temporary file; with no failure the new file is 0600.
func TestWriteFileAtomicFailureKeepsOldFile(t *testing.T) {
	for _, step := range []string{"", "chmod", "write", "fsync", "close", "rename"} {
		t.Run("fail="+step, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "guards.json")
			old, data := []byte("{\"old\":1}\n"), []byte("{\"new\":2, \"longer\":true}\n")
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
			injected := fmt.Errorf("injected %s failure: %w", step, syscall.ENOSPC)
			failAtomicStep(t, step, injected)
			err := WriteFileAtomic(path, data, 0o600)
			want := old
			if step == "" {
				want, injected = data, nil
			}
			if !errors.Is(err, injected) || (injected == nil) != (err == nil) {
				t.Fatalf("WriteFileAtomic with a failing %q: %v, want %v", step, err, injected)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil || !bytes.Equal(got, want) {
				t.Fatalf("after a failing %q the file holds %q (%v), want %q", step, got, rerr, want)
			}
			st, _ := os.Stat(path)
			if ents, _ := os.ReadDir(dir); len(ents) != 1 || st.Mode().Perm() != 0o600 {
				t.Fatalf("after a failing %q: %d entries in the directory (want only the file), mode %v", step, len(ents), st.Mode().Perm())
			}
		})
	}
}

// failAtomicStep makes the named step of the next atomic writes return
// err ("" fails nothing); a failing write stores half its bytes first.
func failAtomicStep(t *testing.T, step string, err error) {
	oldCreate, oldRename := createTemp, rename
	t.Cleanup(func() { createTemp, rename = oldCreate, oldRename })
	createTemp = func(dir, pattern string) (tempFile, error) {
		f, cerr := os.CreateTemp(dir, pattern)
		return &failingFile{File: f, step: step, err: err}, cerr
	}
	if step == "rename" {
		rename = func(string, string) error { return err }
	}
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
