package compute

import "container/list"

// sizeLRU is a least-recently-used map bounded by the total size of its
// values. It is not safe for concurrent use; the Sandbox holds its mutex.
type sizeLRU[V any] struct {
	max, used int64
	order     *list.List // front: most recent
	items     map[Hash]*list.Element
	evict     func(V)
}

type lruEntry[V any] struct {
	key  Hash
	val  V
	size int64
}

func newSizeLRU[V any](max int64, evict func(V)) *sizeLRU[V] {
	return &sizeLRU[V]{max: max, order: list.New(), items: map[Hash]*list.Element{}, evict: evict}
}

func (c *sizeLRU[V]) get(k Hash) (V, bool) {
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*lruEntry[V]).val, true
	}
	var zero V
	return zero, false
}

// put adds v under k, then evicts the least recently used entries until
// the total is within max (the newest entry always stays).
func (c *sizeLRU[V]) put(k Hash, v V, size int64) {
	if e, ok := c.items[k]; ok {
		c.remove(e)
	}
	c.items[k] = c.order.PushFront(&lruEntry[V]{key: k, val: v, size: size})
	c.used += size
	for c.used > c.max && c.order.Len() > 1 {
		c.remove(c.order.Back())
	}
}

func (c *sizeLRU[V]) remove(e *list.Element) {
	ent := c.order.Remove(e).(*lruEntry[V])
	delete(c.items, ent.key)
	c.used -= ent.size
	if c.evict != nil {
		c.evict(ent.val)
	}
}

func (c *sizeLRU[V]) len() int { return c.order.Len() }
