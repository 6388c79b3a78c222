// Package keyfile loads or creates the gateway's ledger master secret, from
// which every keyset is derived (ledger.DeriveKeyset).
//
// Policy: the secret is 32 random bytes in a file of mode 0600, created
// atomically and exclusively (written to a temporary file, synced, then
// linked into place: a crash or a full disk never leaves half a secret,
// and a concurrent creator never overwrites one); a file with wider
// permissions or the wrong size is refused rather than used. Errors never
// contain the secret.
package keyfile

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Size is the master secret's length.
const Size = 32

// LoadOrCreate returns the secret in path, creating it from rnd (nil means
// crypto/rand) if the file does not exist.
func LoadOrCreate(path string, rnd io.Reader) ([]byte, error) {
	b, err := Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return b, err
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	secret := make([]byte, Size)
	if _, err := io.ReadFull(rnd, secret); err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	if err := create(path, secret); errors.Is(err, fs.ErrExist) {
		return Load(path) // created concurrently
	} else if err != nil {
		return nil, err
	}
	return secret, nil
}

// tempFile is the part of *os.File create uses.
type tempFile interface {
	Name() string
	Chmod(os.FileMode) error
	Write([]byte) (int, error)
	Sync() error
	Close() error
}

// createTemp and link are the file operations of create; tests replace
// them to make a chmod, write, fsync, close or link fail.
var (
	createTemp = func(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }
	link       = os.Link
)

// create writes secret to a new file at path atomically, failing with
// fs.ErrExist if path exists; on any other failure path does not exist.
func create(path string, secret []byte) error {
	dir := filepath.Dir(path)
	tmp, err := createTemp(dir, ".keyfile-*")
	if err != nil {
		return fmt.Errorf("keyfile: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(secret)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("keyfile: writing %s: %w", path, err)
	}
	if err := link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		return fmt.Errorf("keyfile: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Load reads an existing secret, refusing a file others can read.
func Load(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("keyfile: %s has mode %v, want 0600", path, info.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	if len(b) != Size {
		return nil, fmt.Errorf("keyfile: %s holds %d bytes, want %d", path, len(b), Size)
	}
	return b, nil
}
