package keyfile

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A step of creating the master secret that fails (a disk full mid-write,
// an fsync, chmod or close error, a refused link) leaves no secret file
// and no temporary file, and the next start creates the secret.
func TestCreateFailureLeavesNoSecret(t *testing.T) {
	for _, step := range []string{"chmod", "write", "fsync", "close", "link"} {
		t.Run(step, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "master.key")
			injected := fmt.Errorf("injected %s failure: %w", step, syscall.ENOSPC)
			restore := failCreateStep(step, injected, nil)
			_, err := LoadOrCreate(path, nil)
			restore()
			if !errors.Is(err, injected) {
				t.Fatalf("LoadOrCreate with a failing %q: %v, want %v", step, err, injected)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Fatalf("after a failing %q, %d files left in the directory (%s), want none", step, len(ents), ents[0].Name())
			}
			if b, err := LoadOrCreate(path, nil); err != nil || len(b) != Size {
				t.Fatalf("LoadOrCreate after a failed create: %v", err)
			}
		})
	}
}

// A gateway killed while it writes its first master secret (no deferred
// clean-up runs) must start again: a half-written secret at the path would
// be refused on every later start.
func TestCreateKilledMidWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "master.key")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCreateKilledMidWrite$")
	cmd.Env = append(os.Environ(), "KEYFILE_CRASH_PATH="+path)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "crashing mid-write") {
		t.Fatalf("child did not crash mid-write: %v\n%s", err, out)
	}
	if b, err := LoadOrCreate(path, nil); err != nil || len(b) != Size {
		t.Fatalf("start after a crash mid-write: %v", err)
	}
}

func init() {
	path := os.Getenv("KEYFILE_CRASH_PATH")
	if path == "" {
		return
	}
	failCreateStep("write", nil, func() {
		fmt.Println("crashing mid-write")
		os.Exit(3) // as a SIGKILL: no defer, no clean-up
	})
	LoadOrCreate(path, nil)
	os.Exit(0)
}

// failCreateStep makes the named step of the next creates return err; a
// failing write stores half its bytes first, then calls crash if set. It
// returns a function that restores the real files.
func failCreateStep(step string, err error, crash func()) (restore func()) {
	oldCreate, oldLink := createTemp, link
	createTemp = func(dir, pattern string) (tempFile, error) {
		f, cerr := os.CreateTemp(dir, pattern)
		return &failingFile{File: f, step: step, err: err, crash: crash}, cerr
	}
	if step == "link" {
		link = func(string, string) error { return err }
	}
	return func() { createTemp, link = oldCreate, oldLink }
}

type failingFile struct {
	*os.File
	step  string
	err   error
	crash func()
}

func (f *failingFile) Chmod(m os.FileMode) error { return f.fail("chmod", f.File.Chmod(m)) }
func (f *failingFile) Sync() error               { return f.fail("fsync", f.File.Sync()) }
func (f *failingFile) Close() error              { return f.fail("close", f.File.Close()) }
func (f *failingFile) Write(b []byte) (int, error) {
	if f.step != "write" {
		return f.File.Write(b)
	}
	n, _ := f.File.Write(b[:len(b)/2])
	if f.crash != nil {
		f.crash()
	}
	return n, f.err
}

func (f *failingFile) fail(step string, err error) error {
	if f.step == step {
		return f.err
	}
	return err
}
