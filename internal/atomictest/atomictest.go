// Package atomictest checks an atomic file writer (temporary file, chmod,
// write, fsync, close, rename) against the failure of each step, for the
// tests of the packages that keep secrets and state files (overlay,
// overlay/tor, node/service). The cores (onion, ledger) may import nothing
// of ours and keep their own copy.
//
// A writer under test exposes two seams, a createTemp returning a File and
// a rename; Seams swaps them for the duration of one case.
package atomictest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Steps are the steps that can fail; "" fails none.
var Steps = []string{"", "chmod", "write", "fsync", "close", "rename"}

// File is the part of *os.File an atomic write uses.
type File interface {
	Name() string
	Chmod(os.FileMode) error
	Write([]byte) (int, error)
	Sync() error
	Close() error
}

// Inject makes the named step of the writes that follow return err; the
// package under test installs createTemp and rename in its seams until
// the test ends.
type Inject func(t *testing.T, createTemp func(dir, pattern string) (File, error), rename func(old, new string) error)

// Check writes path (named name in a fresh directory that already holds
// an old file) through write with each step failing in turn. A failure
// must come back wrapping the injected error and leave the old file byte
// for byte and no temporary file; with no failure the new content must
// be there with mode 0600.
func Check(t *testing.T, name string, write func(path string, data []byte) error, inject Inject) {
	for _, step := range Steps {
		t.Run("fail="+step, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			old, data := []byte("{\"old\":1}\n"), []byte("{\"new\":2, \"longer\":true}\n")
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
			injected := fmt.Errorf("injected %s failure: %w", step, syscall.ENOSPC)
			inject(t, func(dir, pattern string) (File, error) {
				f, err := os.CreateTemp(dir, pattern)
				return &failing{File: f, step: step, err: injected}, err
			}, func(old, new string) error {
				if step == "rename" {
					return injected
				}
				return os.Rename(old, new)
			})
			err := write(path, data)
			want := old
			if step == "" {
				want, injected = data, nil
			}
			if !errors.Is(err, injected) || (injected == nil) != (err == nil) {
				t.Fatalf("write with a failing %q: %v, want %v", step, err, injected)
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

// failing is a temporary file whose step fails with err; a failing write
// stores half its bytes first.
type failing struct {
	*os.File
	step string
	err  error
}

func (f *failing) Chmod(m os.FileMode) error { return f.fail("chmod", f.File.Chmod(m)) }
func (f *failing) Sync() error               { return f.fail("fsync", f.File.Sync()) }
func (f *failing) Close() error              { return f.fail("close", f.File.Close()) }

func (f *failing) Write(b []byte) (int, error) {
	if f.step == "write" {
		n, _ := f.File.Write(b[:len(b)/2])
		return n, f.err
	}
	return f.File.Write(b)
}

func (f *failing) fail(step string, err error) error {
	if f.step == step {
		return f.err
	}
	return err
}
