package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"cyclecash/compute"
	"cyclecash/ledger"
	"cyclecash/node/work"
)

// Paying a stealth worker's credit in tokens. A stealth worker offers a
// mint quote locked to a key of its own, for its credit (POST offer,
// offer.go; or, optionally, with a result); the credit is the worker's
// shares of accepted tasks (compute.Payouts), so the quotes are offers:
// the gateway pays one once the worker's credit covers its amount, and
// debits the credit. The
// worker mints paid quotes with blinded outputs, so the gateway cannot
// link its tokens to the payout. A quote is never paid for more than the
// credit, so a stealth worker is never paid more than its shares.
//
// Crash safety: the debit and the offer's "paying" state are written in
// one transaction before the ledger pays the quote; paying is idempotent
// (the quote is paid by a ref naming the quote), so the sweep finishes a
// "paying" offer, and a quote the ledger refuses for good gives the
// credit back.

// offerLife is how long an unheld offer may wait for credit to cover it.
const offerLife = time.Hour

// offer is a stealth worker's quote as the gateway records it.
type offer struct {
	Quote  string `json:"quote"`
	At     int64  `json:"at"`               // when it was sent, Unix nanoseconds
	State  string `json:"state,omitempty"`  // "", paying, paid, dead
	Amount uint64 `json:"amount,omitempty"` // debited when paying
	// Held marks an offer the supply cap refused: its credit came back,
	// the mint keeps the quote (ledger.PayoutHold), and the sweep offers
	// it again on every pass until a later day's cap has room.
	Held bool `json:"held,omitempty"`
}

// recordOffer keeps a quote sent with a result; the first quote sent for
// a task stays.
func (g *Gateway) recordOffer(tx compute.Tx, job string, task int, worker, quote string) error {
	key := quoteKey(job, task, worker)
	if ok, err := getJSON(tx, tableQuotes, key, new(string)); err != nil || ok {
		return err
	}
	if err := putJSON(tx, tableQuotes, key, quote); err != nil {
		return err
	}
	return putJSON(tx, tableOffers, worker+"/"+quote, offer{Quote: quote, At: g.now().UnixNano()})
}

// payStealth pays worker's offers, newest first, while its credit covers
// them, and finishes any payment a crash interrupted.
func (g *Gateway) payStealth(ctx context.Context, worker string) error {
	var offers []offer
	if err := g.store.View(func(tx compute.Tx) error {
		return tx.Scan(tableOffers, worker+"/", func(_ string, b []byte) error {
			var o offer
			if err := json.Unmarshal(b, &o); err != nil {
				return err
			}
			if o.State == "" || o.State == "paying" {
				offers = append(offers, o)
			}
			return nil
		})
	}); err != nil {
		return err
	}
	sort.Slice(offers, func(i, j int) bool { return offers[i].At > offers[j].At })
	for _, o := range offers {
		if err := g.payOffer(ctx, worker, o); err != nil {
			return err
		}
	}
	return nil
}

// payOffer pays one offer if the credit covers it.
func (g *Gateway) payOffer(ctx context.Context, worker string, o offer) error {
	ref := payoutRef(o.Quote)
	if o.State == "" {
		q, err := g.mint.Quote(ctx, o.Quote)
		switch {
		case errors.Is(err, ledger.ErrUnknownQuote):
			return g.setOffer(worker, o, "dead", 0)
		case err != nil:
			return err
		case q.Pubkey == nil: // unlocked: whoever saw its ID could mint the payout (NUT-20)
			return g.setOffer(worker, o, "dead", 0)
		case q.Unit != ledger.Unit || q.State != ledger.QuoteUnpaid || g.now().Unix() >= q.Expiry || !o.Held && g.now().UnixNano() >= o.At+int64(offerLife):
			return g.setOffer(worker, o, "dead", 0)
		}
		debited, err := g.debit(worker, o, q.Amount)
		if err != nil || !debited {
			return err
		}
		o.State, o.Amount = "paying", q.Amount
	}
	if err := g.crashPoint("payout"); err != nil {
		return err
	}
	q, err := g.mint.PayQuote(ctx, o.Quote, ref)
	if err == nil || q.PaidBy == ref {
		return g.setOffer(worker, o, "paid", 0)
	}
	if prior, perr := g.mint.Quote(ctx, o.Quote); perr == nil && prior.State != ledger.QuoteUnpaid && prior.PaidBy == ref {
		return g.setOffer(worker, o, "paid", 0) // paid before a crash
	}
	if errors.Is(err, ledger.ErrSupplyCap) {
		g.log.Info("compute: stealth payout held for a later day's cap")
		return g.holdOffer(worker, o) // the credit comes back; the same quote is paid later
	}
	if errors.Is(err, ledger.ErrQuoteExpired) || errors.Is(err, ledger.ErrUnknownQuote) {
		g.log.Warn("compute: stealth payout refused", "err", err)
		return g.setOffer(worker, o, "dead", o.Amount) // the credit comes back
	}
	return err
}

// debit moves amount of worker's credit onto offer o, if it has that much;
// a held offer the credit no longer covers ends dead.
func (g *Gateway) debit(worker string, o offer, amount uint64) (bool, error) {
	ok := false
	err := g.store.Update(func(tx compute.Tx) error {
		acct, err := g.account(tx, worker)
		var cur offer
		if err != nil {
			return err
		}
		if _, err := getJSON(tx, tableOffers, worker+"/"+o.Quote, &cur); err != nil || cur.State != "" {
			return err
		}
		if acct.Credit < amount {
			if cur.Held { // a claw-back took credit while it was held: the worker quotes afresh
				cur.State = "dead"
				return putJSON(tx, tableOffers, worker+"/"+o.Quote, cur)
			}
			return nil
		}
		acct.Credit -= amount
		cur.State, cur.Amount, ok = "paying", amount, true
		if err := putJSON(tx, tableCredits, worker, acct); err != nil {
			return err
		}
		return putJSON(tx, tableOffers, worker+"/"+o.Quote, cur)
	})
	return ok, err
}

// setOffer ends an offer: paid (listed in the account for minting) or
// dead (refund units of credit).
func (g *Gateway) setOffer(worker string, o offer, state string, refund uint64) error {
	return g.store.Update(func(tx compute.Tx) error {
		var cur offer
		if _, err := getJSON(tx, tableOffers, worker+"/"+o.Quote, &cur); err != nil || cur.State == "paid" || cur.State == "dead" {
			return err
		}
		acct, err := g.account(tx, worker)
		if err != nil {
			return err
		}
		if state == "paid" {
			acct.Paid = append(acct.Paid, o.Quote)
		}
		if cur.State == "paying" {
			acct.Credit += refund
		}
		cur.Quote, cur.State = o.Quote, state
		if err := putJSON(tx, tableCredits, worker, acct); err != nil {
			return err
		}
		return putJSON(tx, tableOffers, worker+"/"+o.Quote, cur)
	})
}

// holdOffer puts a "paying" offer the cap refused back to open and held,
// crediting back what it debited.
func (g *Gateway) holdOffer(worker string, o offer) error {
	return g.store.Update(func(tx compute.Tx) error {
		var cur offer
		if _, err := getJSON(tx, tableOffers, worker+"/"+o.Quote, &cur); err != nil || cur.State != "paying" {
			return err
		}
		acct, err := g.account(tx, worker)
		if err != nil {
			return err
		}
		acct.Credit += cur.Amount
		cur.State, cur.Amount, cur.Held = "", 0, true
		if err := putJSON(tx, tableCredits, worker, acct); err != nil {
			return err
		}
		return putJSON(tx, tableOffers, worker+"/"+o.Quote, cur)
	})
}

// payoutRef is what a payout quote is paid by: opaque, naming neither the
// job nor the task.
func payoutRef(quote string) string {
	sum := sha256.Sum256([]byte("cyclecash payout\x00" + quote))
	return "payout:" + hex.EncodeToString(sum[:12])
}

// account reads worker's account.
func (g *Gateway) account(tx compute.Tx, worker string) (work.Account, error) {
	acct := work.Account{Worker: worker}
	_, err := getJSON(tx, tableCredits, worker, &acct)
	return acct, err
}

// stealthOwed lists the stealth workers with a payment under way, or
// with credit and an open offer.
func (g *Gateway) stealthOwed() []string {
	seen := map[string]bool{}
	var out []string
	_ = g.store.View(func(tx compute.Tx) error {
		return tx.Scan(tableOffers, "", func(key string, b []byte) error {
			var o offer
			w, _, _ := strings.Cut(key, "/")
			if seen[w] || json.Unmarshal(b, &o) != nil || o.State != "" && o.State != "paying" {
				return nil
			}
			if acct, err := g.account(tx, w); err == nil && (o.State == "paying" || acct.Credit > 0) {
				seen[w] = true
				out = append(out, w)
			}
			return nil
		})
	})
	return out
}
