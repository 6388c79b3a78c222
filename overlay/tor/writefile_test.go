package tor

import (
	"testing"

	"cyclecash/internal/atomictest"
)

// A step of an atomic write that fails (a disk full mid-write, an fsync,
// chmod or close error, a refused rename) leaves the old torrc byte for
// byte and no temporary file; with no failure the new file is 0600.
func TestWriteTorrcFailureKeepsOldFile(t *testing.T) {
	atomictest.Check(t, "torrc", func(path string, data []byte) error { return writeFileAtomic(path, data) },
		func(t *testing.T, ct func(dir, pattern string) (atomictest.File, error), rn func(old, new string) error) {
			oldCreate, oldRename := createTemp, rename
			t.Cleanup(func() { createTemp, rename = oldCreate, oldRename })
			createTemp = func(dir, pattern string) (tempFile, error) { return ct(dir, pattern) }
			rename = rn
		})
}
