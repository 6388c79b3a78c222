// Package boltstore is the embedded ledger.Store: one bbolt file, every
// commit fsync'ed. Concurrent Updates are grouped into one bbolt
// transaction (group commit) so that many swaps share one fsync; a call
// that fails is taken out of its group, which is re-run without it, so
// each call still behaves as its own serializable transaction.
//
// Policy: no logging, no background work besides the commit loop; the file
// is opened with mode 0600 and locked against a second process.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"cyclecash/ledger"

	bolt "go.etcd.io/bbolt"
)

var buckets = [][]byte{bResponses, bProofs, bSigs, bQuotes, bEscrows, bTotals, bMinted, bResponseAt}

var (
	bResponses = []byte("responses")
	bProofs    = []byte("proofs")
	bSigs      = []byte("signatures")
	bQuotes    = []byte("quotes")
	bEscrows   = []byte("escrows")
	bTotals    = []byte("totals")
	bMinted    = []byte("minted")
	// bResponseAt indexes answers by time: key at (8 bytes BE) ‖ key.
	bResponseAt = []byte("response_at")
)

// maxGroup bounds how many Updates share one transaction.
const maxGroup = 256

// Store is a bbolt-backed ledger.Store.
type Store struct {
	db     *bolt.DB
	reqs   chan *call
	done   chan struct{}
	closed sync.Once
	err    error
}

var _ ledger.Store = (*Store)(nil)

type call struct {
	fn  func(ledger.Tx) error
	err chan error
}

// Open opens or creates the store file at path.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range buckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("boltstore: init: %w", err)
	}
	s := &Store{db: db, reqs: make(chan *call, maxGroup), done: make(chan struct{})}
	go s.loop()
	return s, nil
}

// Close stops the commit loop and closes the file.
// A second Close returns the first one's result.
func (s *Store) Close() error {
	s.closed.Do(func() {
		close(s.reqs)
		<-s.done
		s.err = s.db.Close()
	})
	return s.err
}

// View runs fn in a read-only bbolt transaction.
func (s *Store) View(ctx context.Context, fn func(ledger.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(tx *bolt.Tx) error { return fn(&btx{tx: tx}) })
}

// Update queues fn for the next group commit and waits for its outcome.
func (s *Store) Update(ctx context.Context, fn func(ledger.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := &call{fn: fn, err: make(chan error, 1)}
	s.reqs <- c
	return <-c.err
}

func (s *Store) loop() {
	defer close(s.done)
	for c := range s.reqs {
		group := []*call{c}
	drain:
		for len(group) < maxGroup {
			select {
			case c, ok := <-s.reqs:
				if !ok {
					break drain
				}
				group = append(group, c)
			default:
				break drain
			}
		}
		s.commit(group)
	}
}

// commit runs a group in one transaction. A call that fails after writing
// poisons the transaction: it is answered with its error, and the group is
// re-run without it. A call that fails before writing anything is simply
// answered and skipped.
func (s *Store) commit(group []*call) {
	for len(group) > 0 {
		err := s.db.Update(func(tx *bolt.Tx) error {
			var kept []*call
			for i, c := range group {
				w := &btx{tx: tx}
				err := c.fn(w)
				if err == nil {
					kept = append(kept, c)
					continue
				}
				c.err <- err
				if w.wrote {
					group = append(kept, group[i+1:]...)
					return errRollback
				}
			}
			group = kept
			return nil
		})
		if errors.Is(err, errRollback) {
			continue
		}
		if err != nil {
			err = fmt.Errorf("boltstore: commit: %w", err)
		}
		for _, c := range group {
			c.err <- err
		}
		return
	}
}

var errRollback = errors.New("boltstore: rollback")
