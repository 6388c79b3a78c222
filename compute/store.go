package compute

import (
	"maps"
	"slices"
	"strings"
	"sync"
)

// Store persists the queue. It is a transactional key-value space of a few
// tables; the Queue encodes its records itself, so an implementation only
// stores bytes. compute/boltqueue implements it over bbolt; MemStore is the
// in-memory fake.
type Store interface {
	// View runs fn in a read-only transaction.
	View(fn func(Tx) error) error
	// Update runs fn in a read-write transaction, committed if fn returns
	// nil and discarded otherwise. A store may run fn again after a
	// conflict, so fn must not carry state between runs.
	Update(fn func(Tx) error) error
}

// Claimer is an optional Store extension for a store several gateways
// share (compute/pgqueue). Claim runs fn in a read-write transaction like
// Update, except that reads see the latest committed values without
// holding them, a Get holds the row it reads until the transaction ends
// (SELECT … FOR UPDATE), and the Tx is also a Locker for rows of table.
// Concurrent leases then read the queue without conflicting, and each
// holds only the one task it takes. Like Update's, fn may run more than
// once.
type Claimer interface {
	Claim(table string, fn func(Tx) error) error
}

// Locker is the Tx of a Claim. TryGet reads the latest committed value
// under key and holds its row, or reports held=false without waiting when
// another transaction holds it (FOR UPDATE SKIP LOCKED); a missing row
// reads as not held too.
type Locker interface {
	TryGet(table, key string) (value []byte, held bool, err error)
}

// Tx is one transaction of a Store. Values passed to and from it must not
// be retained or modified after the call.
type Tx interface {
	// Get returns the value under key in table, or nil if there is none.
	Get(table, key string) ([]byte, error)
	// Put stores value under key in table.
	Put(table, key string, value []byte) error
	// Scan calls fn for every key with the prefix, in ascending key order,
	// and stops at fn's first error.
	Scan(table, prefix string, fn func(key string, value []byte) error) error
}

// Tables the Queue uses.
const (
	TableJobs    = "jobs"
	TableTasks   = "tasks"
	TableWorkers = "workers"
)

// MemStore is an in-memory Store for tests and for nodes without a data
// directory. Transactions are serialized; Update works on a copy.
type MemStore struct {
	mu     sync.Mutex
	tables map[string]map[string][]byte
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{tables: map[string]map[string][]byte{}} }

// View implements Store.
func (s *MemStore) View(fn func(Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn(memTx(s.tables))
}

// Update implements Store.
func (s *MemStore) Update(fn func(Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	work := make(map[string]map[string][]byte, len(s.tables))
	for name, t := range s.tables {
		work[name] = maps.Clone(t) // values are never modified in place
	}
	if err := fn(memTx(work)); err != nil {
		return err
	}
	s.tables = work
	return nil
}

type memTx map[string]map[string][]byte

func (t memTx) Get(table, key string) ([]byte, error) { return t[table][key], nil }

func (t memTx) Put(table, key string, value []byte) error {
	if t[table] == nil {
		t[table] = map[string][]byte{}
	}
	t[table][key] = slices.Clone(value)
	return nil
}

func (t memTx) Scan(table, prefix string, fn func(string, []byte) error) error {
	for _, k := range slices.Sorted(maps.Keys(t[table])) {
		if strings.HasPrefix(k, prefix) {
			if err := fn(k, t[table][k]); err != nil {
				return err
			}
		}
	}
	return nil
}
