package overlay

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

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
		return fmt.Errorf("overlay: write %s: %w", filepath.Base(path), err)
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

// readStateFile reads a state file kept by WriteFileAtomic and decodes it
// with parse. A path of "" (a set kept in memory) or a file that does not
// exist yet reads as the zero value; what names the file in errors.
func readStateFile[T any](path, what string, parse func([]byte) (T, error)) (T, error) {
	var zero T
	if path == "" {
		return zero, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return zero, nil
	}
	if err != nil {
		return zero, fmt.Errorf("overlay: read %s: %w", what, err)
	}
	v, err := parse(b)
	if err != nil {
		return zero, fmt.Errorf("overlay: %s file %s is corrupt: %w", what, filepath.Base(path), err)
	}
	return v, nil
}
