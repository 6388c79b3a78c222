package worker

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"cyclecash/ledger/wallet"
	"cyclecash/node/work"
)

// stealthPay is a stealth worker's payment side. With each result it
// sends the ID of a mint quote it created (through the circuit) for the
// units its result is worth; once the gateway accepts the result it pays
// the quote, and the worker mints it with blinded outputs derived from its
// wallet's seed. The signatures are blind, so the gateway cannot link the
// tokens the worker later spends to this payout (DESIGN.md §6, §9).
type stealthPay struct {
	w   *wallet.Wallet
	log *slog.Logger

	mu      sync.Mutex
	pending map[string]time.Time // quote ID -> when it was sent
}

var errNotPaid = errors.New("node: compute: quote not paid yet")

// quoteLife is how long an unpaid quote is retried: it is never paid if
// the result was outvoted.
const quoteLife = time.Hour

// openStealthPay opens (or creates) the wallet in dir; its requests go to
// the gateway's ledger through the worker's circuit client.
func openStealthPay(dir string, c *work.Client, log *slog.Logger) (*stealthPay, error) {
	hc := c.HTTP()
	w, err := wallet.Open(dir, hc)
	if errors.Is(err, wallet.ErrNoWallet) {
		w, err = wallet.Create(dir, c.LedgerURL(), hc, nil)
	}
	if err != nil {
		return nil, err
	}
	return &stealthPay{w: w, log: log, pending: map[string]time.Time{}}, nil
}

// quote creates a mint quote for units and remembers it for minting.
func (p *stealthPay) quote(ctx context.Context, units uint64) (string, error) {
	q, err := p.w.Buy(ctx, units)
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	p.pending[q.ID] = time.Now()
	p.mu.Unlock()
	return q.ID, nil
}

// run mints paid quotes every interval until ctx ends. paid lists the
// quotes the gateway has paid (the session's account), so the wallet
// derives outputs only for quotes it can mint.
func (p *stealthPay) run(ctx context.Context, every time.Duration, paid func(context.Context) (work.Account, error)) {
	for ctx.Err() == nil {
		sleepCtx(ctx, every)
		if p.Pending() == 0 {
			continue
		}
		if acct, err := paid(ctx); err == nil {
			p.mintPaid(ctx, acct.Paid)
		}
	}
}

// mintPaid mints the pending quotes among paid; unpaid ones stay until
// they age out.
func (p *stealthPay) mintPaid(ctx context.Context, paid []string) int {
	p.mu.Lock()
	ids := make(map[string]time.Time, len(p.pending))
	for id, t := range p.pending {
		ids[id] = t
	}
	p.mu.Unlock()
	minted := 0
	for id, sent := range ids {
		var err error = errNotPaid
		if slices.Contains(paid, id) {
			_, err = p.w.Mint(ctx, id)
		}
		if err == nil || time.Since(sent) > quoteLife {
			p.mu.Lock()
			delete(p.pending, id)
			p.mu.Unlock()
		}
		if err == nil {
			minted++
		}
	}
	if minted > 0 {
		p.log.Info("compute: payout minted", "quotes", minted, "balance", p.w.Balance())
	}
	return minted
}

// Balance is the units in the wallet.
func (p *stealthPay) Balance() uint64 { return p.w.Balance() }

// Pending is the number of quotes not yet minted.
func (p *stealthPay) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}
