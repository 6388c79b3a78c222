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

// claim is a quote offered for the credit, until it is minted or the
// gateway refuses it for good.
type claim struct{}

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
	return newStealthPay(w, log), nil
}

// newStealthPay is the payment side over wallet w, resuming its unminted
// quotes.
func newStealthPay(w *wallet.Wallet, log *slog.Logger) *stealthPay {
	p := &stealthPay{w: w, log: log, pending: map[string]*claim{}}
	p.resume()
	return p
}

// resume takes up the quotes the wallet bought and has not minted: a
// worker that stopped after the gateway paid a quote (and debited the
// credit) but before minting it would otherwise never mint it. Each is
// offered again (the gateway answers an offer it already paid as paid).
func (p *stealthPay) resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range p.w.Quotes() {
		p.pending[id] = &claim{}
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

// tick mints paid quotes, offers again those not paid yet (the gateway
// answers a paid or held offer with the account and refuses a dead one),
// and with none outstanding claims the credit in a new quote.
func (p *stealthPay) tick(ctx context.Context, c calls) error {
	acct, err := c.account(ctx)
	if err != nil {
		return err
	}
	if p.Pending() > 0 {
		if p.mintPaid(ctx, acct.Paid) == 0 {
			p.offerPending(ctx, c)
		}
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
	p.pending[q.ID] = &claim{}
	p.mu.Unlock()
	p.offerPending(ctx, c)
	return nil
}

// offerPending offers every quote not minted yet; one refused for good is
// forgotten. A quote the gateway holds (today's supply cap is reached) is
// kept and offered on every tick until it is paid, so a worker never has
// more than one quote waiting, however long the cap stays full.
func (p *stealthPay) offerPending(ctx context.Context, c calls) {
	p.mu.Lock()
	var ids []string
	for id := range p.pending {
		ids = append(ids, id)
	}
	p.mu.Unlock()
	for _, id := range ids {
		err := c.offer(ctx, id)
		if !errors.Is(err, work.ErrPayment) {
			continue
		}
		p.mu.Lock()
		delete(p.pending, id)
		p.mu.Unlock()
		if ferr := p.w.ForgetQuote(id); ferr != nil { // refused for good: not resumed after a restart
			p.log.Debug("compute: forgetting a refused quote failed", "err", ferr)
		}
		p.log.Info("compute: payout offer refused", "err", err)
	}
}

// mintPaid mints the pending quotes among paid and returns how many.
func (p *stealthPay) mintPaid(ctx context.Context, paid []string) int {
	p.mu.Lock()
	var ids []string
	for id := range p.pending {
		if slices.Contains(paid, id) {
			ids = append(ids, id)
		}
	}
	p.mu.Unlock()
	minted := 0
	for _, id := range ids {
		units, err := p.w.Mint(ctx, id)
		if err != nil {
			continue
		}
		p.mu.Lock()
		delete(p.pending, id)
		p.minted += units
		p.mu.Unlock()
		minted++
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
