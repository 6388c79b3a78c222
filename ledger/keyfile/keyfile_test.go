package keyfile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	a, err := LoadOrCreate(path, nil)
	if err != nil || len(a) != Size {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", info.Mode())
	}
	b, err := LoadOrCreate(path, nil)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatal("second load differs", err)
	}
	os.Chmod(path, 0o644)
	if _, err := Load(path); err == nil {
		t.Fatal("world-readable key accepted")
	}
}
