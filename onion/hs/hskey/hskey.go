// Package hskey keeps a hidden service's identity key in a file: the one
// place hidden-service code touches the disk, so package hs stays sans-IO.
//
// Policy: the file is a secret, mode 0600, written atomically (a temporary
// file in the same directory, synced, then linked into place so a crash
// never leaves half a key and a concurrent creator never overwrites one),
// and refused when others can read it, as ssh refuses such keys. Format:
// one line, "cyclecash-hs-identity-v1 " + the hex Ed25519 seed.
package hskey

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"cyclecash/onion/hs"
)

const (
	magic = "cyclecash-hs-identity-v1 "
	mode  = 0o600
	// fileLen is the length of a key file: magic, 64 hex digits, newline.
	fileLen = len(magic) + 64 + 1
)

// Sentinel errors.
var (
	// ErrReadable: the key file is readable or writable by others.
	ErrReadable = errors.New("hskey: key file is accessible by others; run chmod 600 on it")
	// ErrFormat: the file is not a hidden-service identity key.
	ErrFormat = errors.New("hskey: not a hidden-service identity key file")
)

func encode(k *hs.IdentityKey) []byte {
	seed := k.Seed()
	return []byte(magic + hex.EncodeToString(seed[:]) + "\n")
}

// Load reads the identity key at path. The mode is checked on the file
// opened, not on the path (which could be swapped between the two), and at
// most one key's length is read, so a path naming a huge file or a device
// costs nothing.
func Load(path string) (*hs.IdentityKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hskey: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("hskey: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w (%s is not a regular file)", ErrFormat, filepath.Base(path))
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w (%s, mode %v)", ErrReadable, filepath.Base(path), st.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(fileLen)+1))
	if err != nil {
		return nil, fmt.Errorf("hskey: %w", err)
	}
	return decode(b)
}

func decode(b []byte) (*hs.IdentityKey, error) {
	h, ok := bytes.CutPrefix(bytes.TrimSuffix(b, []byte("\n")), []byte(magic))
	var seed [32]byte
	if n, err := hex.Decode(seed[:], h); !ok || err != nil || n != 32 || len(h) != 64 {
		return nil, ErrFormat
	}
	return hs.IdentityKeyFromSeed(seed), nil
}

// LoadOrCreate loads the key at path, creating it from rand if absent; it
// reports whether it created it.
func LoadOrCreate(path string, rand io.Reader) (*hs.IdentityKey, bool, error) {
	k, err := Load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	if k, err = hs.NewIdentityKey(rand); err != nil {
		return nil, false, err
	}
	if err := create(path, encode(k)); errors.Is(err, fs.ErrExist) {
		k, err := Load(path) // someone else created it first: theirs wins
		return k, false, err
	} else if err != nil {
		return nil, false, err
	}
	return k, true, nil
}

// tempFile is the part of *os.File an atomic write uses.
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

// create writes data to a new file at path atomically, failing with
// fs.ErrExist if path exists.
func create(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := createTemp(dir, ".hskey-*")
	if err != nil {
		return fmt.Errorf("hskey: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := writeSynced(tmp, data); err != nil {
		return err
	}
	if err := link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		return fmt.Errorf("hskey: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func writeSynced(f tempFile, data []byte) error {
	err := f.Chmod(mode)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("hskey: %w", err)
	}
	return nil
}
