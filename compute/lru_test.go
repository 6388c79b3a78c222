package compute

import "testing"

// TestSizeLRU: entries beyond the size bound are evicted least recently
// used first, each evicted exactly once.
func TestSizeLRU(t *testing.T) {
	t.Parallel()
	var evicted []byte
	c := newSizeLRU(10, func(v byte) { evicted = append(evicted, v) })
	k := func(b byte) Hash { return Hash{b} }
	c.put(k(1), 1, 4)
	c.put(k(2), 2, 4)
	c.get(k(1)) // 2 is now the least recent
	c.put(k(3), 3, 4)
	if _, ok := c.get(k(2)); ok || string(evicted) != "\x02" || c.len() != 2 || c.used != 8 {
		t.Fatalf("evicted %v, len %d, used %d", evicted, c.len(), c.used)
	}
	c.put(k(4), 4, 100) // larger than the bound: kept alone
	if c.len() != 1 || string(evicted) != "\x02\x01\x03" {
		t.Fatalf("evicted %v, len %d", evicted, c.len())
	}
}
