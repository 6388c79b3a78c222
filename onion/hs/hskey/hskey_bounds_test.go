package hskey

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Two nodes (or a node and an operator) create the key at once: the one
// that loses must not replace the key the other already wrote, or a
// service would change address under its users.
func TestCreateNeverOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if err := os.WriteFile(path, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := create(path, []byte("second")); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("create over an existing key: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Fatalf("key replaced by %q", b)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("left %d files behind", len(entries))
	}
}

// A key path that names a huge file (a mistake in the config, or a
// device) is refused after reading no more than a key's length.
func TestLoadHugeFileBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(magic)
	f.Truncate(64 << 20) // sparse
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Load(path)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("huge file: %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Fatalf("read %d bytes of a key file", n)
	}
	if _, err := Load(t.TempDir()); !errors.Is(err, ErrFormat) {
		t.Fatalf("directory as key: %v", err)
	}
}
