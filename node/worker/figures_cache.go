package worker

import (
	"context"
	"sync"
	"time"

	"cyclecash/node/work"
)

// accountTTL is how long the figures reuse the gateway's answer about the
// account: the dashboard samples its figures every few seconds and a
// metrics scrape may come at any time, and neither should make every
// worker ask its gateway that often.
const accountTTL = 30 * time.Second

// accountCache is the last account answer the figures got.
type accountCache struct {
	mu   sync.Mutex
	at   time.Time
	acct work.Account
}

// figuresAccount is Account for the figures: the cached answer while it
// is younger than accountTTL.
func (w *Worker) figuresAccount(ctx context.Context) (work.Account, error) {
	c := &w.acctCache
	c.mu.Lock()
	if !c.at.IsZero() && time.Since(c.at) < accountTTL {
		defer c.mu.Unlock()
		return c.acct, nil
	}
	c.mu.Unlock()
	acct, err := w.Account(ctx)
	if err != nil {
		return acct, err
	}
	c.mu.Lock()
	c.at, c.acct = time.Now(), acct
	c.mu.Unlock()
	return acct, nil
}
