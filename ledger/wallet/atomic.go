package wallet

import (
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

// writeAtomic replaces dir/name with data, mode 0600: the data goes to a
// temporary file in dir that is synced and renamed over name only when
// every step succeeded, so a failed write or fsync leaves the old file.
func writeAtomic(dir, name string, data []byte) error {
	tmp, err := createTemp(dir, ".wallet-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return rename(tmp.Name(), filepath.Join(dir, name))
}
