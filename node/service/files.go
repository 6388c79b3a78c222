package service

import (
	"fmt"
	"os"
	"path/filepath"
)

// Files in the data directory: services keep their secrets 0600, written
// atomically, and refuse secret files others can read.

// tempFile is the part of *os.File an atomic write uses.
type tempFile interface {
	Name() string
	Chmod(os.FileMode) error
	Write([]byte) (int, error)
	Sync() error
	Close() error
}

// createTemp and rename are the file operations of an atomic write; tests
// replace them to make a chmod, write, fsync, close or rename fail.
var (
	createTemp = func(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }
	rename     = os.Rename
)

// WriteFileAtomic replaces path with data so that a crash leaves either the
// old or the new content, never a torn file; a failed step leaves the old
// file and no temporary file.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := createTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("node: write %s: %w", filepath.Base(path), err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return rename(tmp.Name(), path)
}

// CheckSecretMode refuses key files others can read, as ssh does.
func CheckSecretMode(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("node: %s is readable by others (mode %v); run chmod 600 on it", filepath.Base(path), st.Mode().Perm())
	}
	return nil
}
