// Package boltqueue stores the compute task queue in a bbolt file, the
// gateway's embedded default. Each compute table is a bucket; each
// compute.Store transaction is one bbolt transaction, so a crash leaves the
// queue as of the last committed lease or result. It opens no network
// connection and never logs.
package boltqueue

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"cyclecash/compute"
)

// Store is a compute.Store over a bbolt database.
type Store struct {
	db *bolt.DB
}

var _ compute.Store = (*Store)(nil)

// Open opens or creates the database file at path.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("boltqueue: open: %w", err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// View implements compute.Store.
func (s *Store) View(fn func(compute.Tx) error) error {
	return s.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

// Update implements compute.Store.
func (s *Store) Update(fn func(compute.Tx) error) error {
	return s.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

type boltTx struct{ tx *bolt.Tx }

// Get copies the value out: bbolt's slices die with the transaction.
func (t boltTx) Get(table, key string) ([]byte, error) {
	b := t.tx.Bucket([]byte(table))
	if b == nil {
		return nil, nil
	}
	if v := b.Get([]byte(key)); v != nil {
		return bytes.Clone(v), nil
	}
	return nil, nil
}

func (t boltTx) Put(table, key string, value []byte) error {
	b, err := t.tx.CreateBucketIfNotExists([]byte(table))
	if err != nil {
		return fmt.Errorf("boltqueue: bucket %s: %w", table, err)
	}
	return b.Put([]byte(key), value)
}

func (t boltTx) Scan(table, prefix string, fn func(string, []byte) error) error {
	b := t.tx.Bucket([]byte(table))
	if b == nil {
		return nil
	}
	c := b.Cursor()
	p := []byte(prefix)
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if err := fn(string(k), bytes.Clone(v)); err != nil {
			return err
		}
	}
	return nil
}
