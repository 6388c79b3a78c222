package ledger

import (
	"context"
	"fmt"
	"time"
)

// Bounding the store against free requests. Creating a quote costs the
// caller nothing, so the number of live unpaid quotes is capped
// (Config.MaxUnpaidQuotes) and expired unpaid quotes are deleted: by
// Prune, and by CreateQuote itself when the cap is reached (at most once
// per pruneEvery). The live count is created − closed, two running
// counters in the Minted table; a quote is closed when paid or pruned.
// Expired quotes are pruned at most pruneEvery after the next CreateQuote.

const (
	counterQuotesCreated int64 = -3
	counterQuotesClosed  int64 = -4
	// DefaultMaxUnpaidQuotes is the default cap on live unpaid quotes.
	DefaultMaxUnpaidQuotes = 10_000
	pruneBatch             = 1000
	pruneEvery             = time.Minute
)

// UnpaidQuotes returns the number of unpaid quotes the store holds.
func (m *Mint) UnpaidQuotes(ctx context.Context) (uint64, error) {
	var n uint64
	err := m.store.View(ctx, func(tx Tx) error {
		var err error
		n, err = liveQuotes(tx)
		return err
	})
	return n, err
}

func liveQuotes(tx Tx) (uint64, error) {
	created, err := tx.Minted(counterQuotesCreated)
	if err != nil {
		return 0, err
	}
	closed, err := tx.Minted(counterQuotesClosed)
	return sub0(created, closed), err
}

// roomForQuote prunes expired quotes when it has not done so for
// pruneEvery, then refuses a new quote while the unpaid ones are at the
// cap.
func (m *Mint) roomForQuote(ctx context.Context) error {
	m.mu.Lock()
	due := m.now().Sub(m.lastPrune) >= pruneEvery
	if due {
		m.lastPrune = m.now()
	}
	m.mu.Unlock()
	if due {
		if _, err := m.Prune(ctx); err != nil {
			return err
		}
	}
	n, err := m.UnpaidQuotes(ctx)
	if err != nil || n < uint64(m.cfg.MaxUnpaidQuotes) {
		return err
	}
	return fmt.Errorf("%w: %d unpaid quotes", ErrTooManyQuotes, n)
}

// DefaultResponseTTL is how long answers are kept for retries by default.
const DefaultResponseTTL = 7 * 24 * time.Hour

// Prune deletes unpaid quotes that expired, the proof and signature
// records of expired keysets (rollUpExpired) and answers older than
// Config.ResponseTTL, in batches, and returns how many records it deleted.
func (m *Mint) Prune(ctx context.Context) (int, error) {
	n, err := m.pruneQuotes(ctx)
	if err != nil {
		return n, err
	}
	k, err := m.rollUpExpired(ctx)
	if n += k; err != nil {
		return n, err
	}
	before := m.now().Add(-m.cfg.ResponseTTL).Unix()
	for {
		k := 0
		err := m.store.Update(ctx, func(tx Tx) error {
			var err error
			k, err = tx.PruneResponses(before, pruneBatch)
			return err
		})
		n += k
		if err != nil || k < pruneBatch {
			return n, err
		}
	}
}

func (m *Mint) pruneQuotes(ctx context.Context) (int, error) {
	total := 0
	for {
		n := 0
		now := m.now().Unix()
		err := m.store.Update(ctx, func(tx Tx) error {
			n = 0
			ids, err := tx.ExpiredQuotes(now, pruneBatch)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if err := tx.DeleteQuote(id); err != nil {
					return err
				}
			}
			n = len(ids)
			return tx.AddMinted(counterQuotesClosed, uint64(n))
		})
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}

// counterRolledUp marks keyset day d rolled up (a Minted counter: 1).
func counterRolledUp(d int64) int64 { return -1_000_000 - d }

// rollUpExpired deletes the records of every expired keyset not rolled
// up yet, keeping its totals (Tx.RollUp): its units are refused anyway,
// nothing can be restored from it, and the supply counts only live
// keysets, so the report and the cap are unchanged while the store stops
// growing with every day's keyset. A keyset is marked once all its
// records are gone.
func (m *Mint) rollUpExpired(ctx context.Context) (int, error) {
	var todo []*Keyset
	now := m.now()
	err := m.store.View(ctx, func(tx Tx) error {
		totals, err := tx.Totals()
		for id := range totals {
			ks, kerr := m.Keyset(id)
			if err != nil || kerr != nil || !ks.Expired(now) {
				continue
			}
			var done uint64
			if done, err = tx.Minted(counterRolledUp(ks.Day)); done == 0 {
				todo = append(todo, ks)
			}
		}
		return err
	})
	total := 0
	for _, ks := range todo {
		for err == nil {
			n := 0
			err = m.store.Update(ctx, func(tx Tx) error {
				var err error
				if n, err = tx.RollUp(ks.ID, pruneBatch); err != nil || n == pruneBatch {
					return err
				}
				return tx.AddMinted(counterRolledUp(ks.Day), 1)
			})
			total += n
			if n < pruneBatch {
				break
			}
		}
	}
	return total, err
}
