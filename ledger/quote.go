package ledger

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Mint quotes (NUT-04, method "cu"). A quote is paid by the operator when
// it records a cash sale, or by the gateway for a validated compute payout;
// it is then issued once through MintTokens.

// MaxQuoteAmount bounds one quote.
const MaxQuoteAmount = 1 << 40

// CreateQuote records an unpaid quote for amount units. Creating a quote
// is deliberately not idempotent: two identical requests are two sales.
func (m *Mint) CreateQuote(ctx context.Context, amount uint64, unit string) (Quote, error) {
	return m.CreateLockedQuote(ctx, amount, unit, nil)
}

// CreateLockedQuote is CreateQuote for a quote locked to pubkey (NUT-20):
// MintTokens then needs a request signed by its secret key. A nil pubkey
// makes an open quote, refused when Config.RequireQuotePubkey is set.
func (m *Mint) CreateLockedQuote(ctx context.Context, amount uint64, unit string, pubkey *Point) (Quote, error) {
	if pubkey == nil && m.cfg.RequireQuotePubkey {
		return Quote{}, ErrQuotePubkeyRequired
	}
	if pubkey != nil {
		if _, err := pubkey.Key(); err != nil {
			return Quote{}, err
		}
	}
	if unit != Unit {
		return Quote{}, fmt.Errorf("%w: %q", ErrUnit, unit)
	}
	if amount == 0 || amount > MaxQuoteAmount {
		return Quote{}, fmt.Errorf("%w: quote amount %d", ErrAmount, amount)
	}
	if err := m.roomForQuote(ctx); err != nil {
		return Quote{}, err
	}
	var id [16]byte
	if _, err := io.ReadFull(m.cfg.Rand, id[:]); err != nil {
		return Quote{}, err
	}
	q := Quote{
		ID: hex.EncodeToString(id[:]), Amount: amount, Unit: Unit, State: QuoteUnpaid,
		Expiry: m.now().Add(m.cfg.QuoteTTL).Unix(), Pubkey: pubkey,
	}
	q.Request = "cyclecash:quote:" + q.ID
	err := m.store.Update(ctx, func(tx Tx) error {
		n, err := liveQuotes(tx)
		if err != nil {
			return err
		}
		if n >= uint64(m.cfg.MaxUnpaidQuotes) {
			return fmt.Errorf("%w: %d unpaid quotes", ErrTooManyQuotes, n)
		}
		if err := tx.PutQuote(q); err != nil {
			return err
		}
		return tx.AddMinted(counterQuotesCreated, 1)
	})
	return q, err
}

// Quote returns a quote by ID.
func (m *Mint) Quote(ctx context.Context, id string) (Quote, error) {
	var q *Quote
	err := m.store.View(ctx, func(tx Tx) error {
		var err error
		q, err = tx.Quote(id)
		return err
	})
	if err != nil {
		return Quote{}, err
	}
	if q == nil {
		return Quote{}, ErrUnknownQuote
	}
	return *q, nil
}

// PayQuote marks a quote paid; paidBy records how ("cash" for an operator's
// cash sale, "payout:<ref>" for a validated compute payout). Paying a paid
// or issued quote again returns it unchanged. Paying reserves the quote's
// room under the supply cap (today's budget and the total), so a paid
// quote can always be minted; a quote past the cap is refused here
// (ErrSupplyCap) and stays UNPAID in the store, to be paid on a later day.
func (m *Mint) PayQuote(ctx context.Context, id, paidBy string) (Quote, error) {
	q, err := m.payQuote(ctx, id, paidBy)
	if errors.Is(err, ErrSupplyCap) && strings.HasPrefix(paidBy, "payout:") {
		return q, errors.Join(err, m.holdQuote(ctx, id))
	}
	return q, err
}

// PayoutHold is how long an unpaid quote is kept after a payout of it was
// refused by the cap, so the payout can be retried on a later day's cap.
const PayoutHold = 30 * 24 * time.Hour

// holdQuote extends an unpaid quote's life to PayoutHold from now.
func (m *Mint) holdQuote(ctx context.Context, id string) error {
	until := m.now().Add(PayoutHold).Unix()
	return m.store.Update(ctx, func(tx Tx) error {
		q, err := tx.Quote(id)
		if err != nil || q == nil || q.State != QuoteUnpaid || q.Expiry >= until {
			return err
		}
		q.Expiry = until
		return tx.PutQuote(*q)
	})
}

func (m *Mint) payQuote(ctx context.Context, id, paidBy string) (Quote, error) {
	var q Quote
	now := m.now()
	err := m.store.Update(ctx, func(tx Tx) error {
		p, err := tx.Quote(id)
		if err != nil || p == nil {
			return orErr(err, ErrUnknownQuote)
		}
		q = *p
		if q.State != QuoteUnpaid {
			return nil
		}
		if now.Unix() >= q.Expiry {
			return ErrQuoteExpired
		}
		if err := m.reserveCap(tx, q.Amount); err != nil {
			return err
		}
		q.State, q.PaidBy = QuotePaid, paidBy
		if err := tx.PutQuote(q); err != nil {
			return err
		}
		return tx.AddMinted(counterQuotesClosed, 1)
	})
	return q, err
}

// MintTokens signs the outputs against a paid quote, once (NUT-04). The
// outputs may use any active keyset (today's gives the full 30 days) and
// must add up to the quote's amount; the room under the cap was reserved
// when the quote was paid.
func (m *Mint) MintTokens(ctx context.Context, req MintRequest) (Signatures, error) {
	var out Signatures
	key := requestKey("mint", req)
	if ok, err := m.cached(ctx, key, &out); ok || err != nil {
		return out, err
	}
	q, err := m.Quote(ctx, req.Quote)
	if err != nil {
		return out, err
	}
	// An issued quote is refused as such before its signature is checked,
	// so the owner whose wallet dropped the quote's key after minting hears
	// "already issued"; the transaction checks again.
	if q.State == QuoteIssued {
		return out, ErrQuoteIssued
	}
	if err := checkQuoteSignature(q, req); err != nil {
		return out, err
	}
	ks, err := m.ActiveKeyset()
	if err != nil {
		return out, err
	}
	sum, kss, err := m.checkOutputs(req.Outputs, ks, false)
	if err != nil {
		return out, err
	}
	if sum != q.Amount {
		return out, fmt.Errorf("%w: quote %d, outputs %d", ErrUnbalanced, q.Amount, sum)
	}
	signed, sigs, err := m.signAll(kss, req.Outputs)
	if err != nil {
		return out, err
	}
	err = m.commit(ctx, key, Signatures{sigs}, &out, func(tx Tx) error {
		return m.issue(tx, req.Quote, signed, sum)
	})
	return out, err
}

func (m *Mint) issue(tx Tx, id string, signed []SignedOutput, amount uint64) error {
	q, err := tx.Quote(id)
	if err != nil || q == nil {
		return orErr(err, ErrUnknownQuote)
	}
	switch q.State {
	case QuoteUnpaid:
		return ErrQuoteNotPaid
	case QuoteIssued:
		return ErrQuoteIssued
	}
	if err := tx.InsertSignatures(signed); err != nil {
		return err
	}
	q.State = QuoteIssued
	if err := tx.PutQuote(*q); err != nil {
		return err
	}
	return tx.AddMinted(counterIssued, amount)
}

func orErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
