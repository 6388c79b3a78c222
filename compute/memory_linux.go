package compute

import "syscall"

// reserve maps n bytes of zeroed, lazily committed memory.
func reserve(n uint64) []byte {
	if n == 0 {
		return nil
	}
	b, err := syscall.Mmap(-1, 0, int(n), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return nil // every growth is then refused: reported as memory limit
	}
	return b
}

func release(b []byte) {
	if b != nil {
		_ = syscall.Munmap(b)
	}
}
