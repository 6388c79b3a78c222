// Package boltstore is the market's default Store: one bbolt file, one
// bucket per record kind, created on first write.
//
// Policy: the file is created 0600; Update is one bbolt read-write
// transaction (serialized, fsynced on commit), so every money step the
// market commits is durable when Update returns. No logging.
package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"cyclecash/market"
)

// Store is a bbolt-backed market.Store.
type Store struct{ db *bolt.DB }

var _ market.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("boltstore: %w", err)
	}
	return &Store{db: db}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Update runs fn in a read-write transaction.
func (s *Store) Update(ctx context.Context, fn func(market.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(market.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

type boltTx struct{ tx *bolt.Tx }

func (t boltTx) Get(bucket, key string) ([]byte, error) {
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil, nil
	}
	v := b.Get([]byte(key))
	if v == nil {
		return nil, nil
	}
	return bytes.Clone(v), nil
}

func (t boltTx) Put(bucket, key string, val []byte) error {
	b, err := t.tx.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		return fmt.Errorf("boltstore: %w", err)
	}
	if val == nil {
		val = []byte{}
	}
	return b.Put([]byte(key), val)
}

func (t boltTx) Delete(bucket, key string) error {
	if !t.tx.Writable() {
		return berrors.ErrTxNotWritable
	}
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	return b.Delete([]byte(key))
}

func (t boltTx) Scan(bucket, prefix string, fn func(string, []byte) error) error {
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	c := b.Cursor()
	p := []byte(prefix)
	var keys [][]byte
	var vals [][]byte
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		keys, vals = append(keys, bytes.Clone(k)), append(vals, bytes.Clone(v))
	}
	// fn may write to the bucket; the cursor is not used while it runs.
	for i := range keys {
		if err := fn(string(keys[i]), vals[i]); err != nil {
			return err
		}
	}
	return nil
}
