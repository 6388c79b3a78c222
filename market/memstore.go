package market

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
)

// MemStore is an in-memory Store for tests: Update works on a copy that
// replaces the state only when fn succeeds.
type MemStore struct {
	mu sync.RWMutex
	m  map[string]map[string][]byte
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{m: map[string]map[string][]byte{}} }

// Update runs fn on a copy and keeps it if fn succeeds.
func (s *MemStore) Update(ctx context.Context, fn func(Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := make(map[string]map[string][]byte, len(s.m))
	for b, kv := range s.m {
		cp[b] = maps.Clone(kv)
	}
	if err := fn(memTx{cp, true}); err != nil {
		return err
	}
	s.m = cp
	return nil
}

// View runs fn on the current state.
func (s *MemStore) View(ctx context.Context, fn func(Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(memTx{s.m, false})
}

// Close does nothing.
func (s *MemStore) Close() error { return nil }

type memTx struct {
	m        map[string]map[string][]byte
	writable bool
}

func (t memTx) Get(bucket, key string) ([]byte, error) {
	v := t.m[bucket][key]
	if v == nil {
		return nil, nil
	}
	return slices.Clone(v), nil
}

func (t memTx) Put(bucket, key string, val []byte) error {
	if !t.writable {
		return errReadOnly
	}
	if t.m[bucket] == nil {
		t.m[bucket] = map[string][]byte{}
	}
	t.m[bucket][key] = slices.Clone(val)
	return nil
}

func (t memTx) Delete(bucket, key string) error {
	if !t.writable {
		return errReadOnly
	}
	delete(t.m[bucket], key)
	return nil
}

func (t memTx) Scan(bucket, prefix string, fn func(string, []byte) error) error {
	keys := slices.Sorted(maps.Keys(t.m[bucket]))
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if err := fn(k, slices.Clone(t.m[bucket][k])); err != nil {
			return err
		}
	}
	return nil
}
