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

// stealthPay is a stealth worker's payment side. The gateway credits the
// session its share of each accepted task (compute.Payouts); on each tick
// the worker claims the credit: it creates a mint quote (through the
// circuit) for exactly the credit and offers it (POST offer); the gateway
// pays it and debits the credit, and the worker mints it with blinded
// outputs derived from its wallet's seed. The signatures are blind, so
// the gateway cannot link the tokens the worker later spends to this
// payout (DESIGN.md §6, §9). The wallet records a quote before it is
// offered and a mint's outputs before they are sent, so a crash loses
// nothing the wallet cannot finish.
type stealthPay struct {
	w   *wallet.Wallet
	log *slog.Logger

	mu      sync.Mutex
	pending map[string]*claim // quote ID -> its claim
	minted  uint64            // units minted into the wallet since start
}

// claim is a quote offered for the credit, until it is minted.
type claim struct {
	sent    time.Time
	offered bool // the gateway took the offer
}

var errNotPaid = errors.New("node: compute: quote not paid yet")

// quoteLife is how long an unpaid quote is kept.
const quoteLife = time.Hour

// calls is how the payment side reaches the gateway under the session.
type calls struct {
	account func(context.Context) (work.Account, error)
	offer   func(context.Context, string) error
}

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
	return newStealthPay(w, log, time.Now()), nil
}

// newStealthPay is the payment side over wallet w, resuming its unminted
// quotes as of now.
func newStealthPay(w *wallet.Wallet, log *slog.Logger, now time.Time) *stealthPay {
	p := &stealthPay{w: w, log: log, pending: map[string]*claim{}}
	p.resume(now)
	return p
}

// resume takes up the quotes the wallet bought and has not minted: a
// worker that stopped after the gateway paid a quote (and debited the
// credit) but before minting it would otherwise never mint it. Each is
// offered again (the gateway answers an offer it already paid as paid)
// and kept for quoteLife from now.
func (p *stealthPay) resume(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range p.w.Quotes() {
		p.pending[id] = &claim{sent: now}
	}
}

// run claims and mints every interval until ctx ends.
func (p *stealthPay) run(ctx context.Context, every time.Duration, c calls) {
	for ctx.Err() == nil {
		sleepCtx(ctx, every)
		if err := p.tick(ctx, c); err != nil && ctx.Err() == nil {
			p.log.Debug("compute: payout claim failed", "err", err)
		}
	}
}

// tick mints paid quotes, re-offers one the gateway did not answer, and
// with none outstanding claims the credit in a new quote.
func (p *stealthPay) tick(ctx context.Context, c calls) error {
	acct, err := c.account(ctx)
	if err != nil {
		return err
	}
	if p.Pending() > 0 {
		p.mintPaid(ctx, acct.Paid)
		p.offerPending(ctx, c)
		return nil
	}
	if acct.Credit == 0 {
		return nil
	}
	q, err := p.w.Buy(ctx, acct.Credit)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.pending[q.ID] = &claim{sent: time.Now()}
	p.mu.Unlock()
	p.offerPending(ctx, c)
	return nil
}

// offerPending offers the quotes the gateway has not taken yet; a refused
// one is forgotten.
func (p *stealthPay) offerPending(ctx context.Context, c calls) {
	p.mu.Lock()
	var ids []string
	for id, cl := range p.pending {
		if !cl.offered {
			ids = append(ids, id)
		}
	}
	p.mu.Unlock()
	for _, id := range ids {
		err := c.offer(ctx, id)
		p.mu.Lock()
		switch {
		case err == nil:
			p.pending[id].offered = true
		case errors.Is(err, work.ErrPayment):
			delete(p.pending, id)
			if ferr := p.w.ForgetQuote(id); ferr != nil { // refused for good: not resumed after a restart
				p.log.Debug("compute: forgetting a refused quote failed", "err", ferr)
			}
			p.log.Info("compute: payout offer refused", "err", err)
		}
		p.mu.Unlock()
	}
}

// mintPaid mints the pending quotes among paid; unpaid ones stay until
// they age out.
func (p *stealthPay) mintPaid(ctx context.Context, paid []string) int {
	p.mu.Lock()
	ids := make(map[string]time.Time, len(p.pending))
	for id, cl := range p.pending {
		ids[id] = cl.sent
	}
	p.mu.Unlock()
	minted := 0
	for id, sent := range ids {
		var err error = errNotPaid
		var units uint64
		if slices.Contains(paid, id) {
			units, err = p.w.Mint(ctx, id)
		}
		if err == nil || time.Since(sent) > quoteLife {
			p.mu.Lock()
			delete(p.pending, id)
			p.minted += units
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

// Minted is the units minted into the wallet since start.
func (p *stealthPay) Minted() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.minted
}

// Pending is the number of quotes not yet minted.
func (p *stealthPay) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}
