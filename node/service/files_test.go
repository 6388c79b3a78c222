package service

import (
	"testing"

	"cyclecash/internal/atomictest"
)

// A step of an atomic write that fails (a disk full mid-write, an fsync,
// chmod or close error, a refused rename) leaves the old secret file byte for
// byte and no temporary file; with no failure the new file is 0600.
func TestWriteFileAtomicFailureKeepsOldFile(t *testing.T) {
	atomictest.Check(t, "machine.seed", func(path string, data []byte) error { return WriteFileAtomic(path, data, 0o600) },
		func(t *testing.T, ct func(dir, pattern string) (atomictest.File, error), rn func(old, new string) error) {
			oldCreate, oldRename := createTemp, rename
			t.Cleanup(func() { createTemp, rename = oldCreate, oldRename })
			createTemp = func(dir, pattern string) (tempFile, error) { return ct(dir, pattern) }
			rename = rn
		})
}
