// Package keyfile loads or creates the gateway's ledger master secret, from
// which every keyset is derived (ledger.DeriveKeyset).
//
// Policy: the secret is 32 random bytes in a file of mode 0600, created
// exclusively (never overwritten); a file with wider permissions or the
// wrong size is refused rather than used. Errors never contain the secret.
package keyfile

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
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
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return Load(path) // created concurrently
	}
	if err != nil {
		return nil, fmt.Errorf("keyfile: %w", err)
	}
	_, err = f.Write(secret)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("keyfile: writing %s: %w", path, err)
	}
	return secret, nil
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
