package compute

import "github.com/tetratelabs/wazero/experimental"

// capMemory backs one module's linear memory with a single reservation of
// the cap, so growth never copies, and records a refused growth so the
// sandbox can name the failure "memory limit" whatever the module does next.
//
// wazero's own WithMemoryLimitPages rejects growth before the allocator is
// asked, which would leave the failure anonymous; the sandbox therefore
// leaves that limit at the wasm32 maximum and enforces the cap here.
type capMemory struct {
	limit   uint64 // bytes
	buf     []byte
	refused bool
}

var _ experimental.LinearMemory = (*capMemory)(nil)

// allocator returns a wazero allocator whose memories are c.
func (c *capMemory) allocator() experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(_, _ uint64) experimental.LinearMemory {
		c.buf = reserve(c.limit)
		return c
	})
}

// Reallocate implements experimental.LinearMemory.
func (c *capMemory) Reallocate(size uint64) []byte {
	if size > uint64(len(c.buf)) {
		c.refused = true
		return nil
	}
	return c.buf[:size]
}

// Free implements experimental.LinearMemory.
func (c *capMemory) Free() {
	release(c.buf)
	c.buf = nil
}
