//go:build !linux

package compute

// reserve allocates n zeroed bytes from the Go heap; large allocations come
// straight from the OS and are committed lazily on most systems.
func reserve(n uint64) []byte { return make([]byte, n) }

func release([]byte) {}
