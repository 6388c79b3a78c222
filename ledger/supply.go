package ledger

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Supply cap (DESIGN.md §5). For UTC day d:
//
//	issued_d ≤ cap_d = min(0.8·Ĉ/30, 0.8·Ĉ − outstanding)
//
// Ĉ is the projected capacity of the next 30 days; outstanding is the sum
// over unexpired keysets of issued − spent, plus the quotes paid but not
// yet minted. Room is reserved when a quote is paid: reserveCap admits n
// units when paid_d + n ≤ 0.8·Ĉ/30 and outstanding + n ≤ 0.8·Ĉ, i.e. the
// cap holds after the issue too, and minting a paid quote needs no further
// room. Swaps issue exactly what they spend, so only quotes count.
//
// The store's per-day Minted counter holds paid_d; two running counters
// under negative day numbers hold all units ever paid and all units ever
// issued against quotes, whose difference is the paid, unminted amount.

// Cap is the issuance budget at one moment.
type Cap struct {
	Capacity    uint64 // Ĉ
	DailyCap    uint64 // 0.8·Ĉ/30
	TotalCap    uint64 // 0.8·Ĉ
	MintedToday uint64 // units of the quotes paid today
	Outstanding uint64 // unexpired units plus paid quotes not yet minted
	Remaining   uint64 // what may still be issued today
}

func capOf(capacity, minted, outstanding uint64) Cap {
	c := Cap{Capacity: capacity, MintedToday: minted, Outstanding: outstanding}
	c.TotalCap = capacity/5*4 + capacity%5*4/5
	c.DailyCap = capacity/300*8 + capacity%300*8/300
	c.Remaining = min(sub0(c.DailyCap, minted), sub0(c.TotalCap, outstanding))
	return c
}

func sub0(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// Running counters kept in the Minted table under negative day numbers.
const (
	counterPaid   int64 = -1 // units of every quote ever paid
	counterIssued int64 = -2 // units ever issued against quotes
)

func (m *Mint) capIn(tx Tx) (Cap, error) {
	now := m.now()
	totals, err := tx.Totals()
	if err != nil {
		return Cap{}, err
	}
	minted, err := tx.Minted(DayOf(now))
	if err != nil {
		return Cap{}, err
	}
	paid, err := tx.Minted(counterPaid)
	if err != nil {
		return Cap{}, err
	}
	issued, err := tx.Minted(counterIssued)
	if err != nil {
		return Cap{}, err
	}
	outstanding := sub0(paid, issued)
	for id, t := range totals {
		if ks, err := m.Keyset(id); err == nil && !ks.Expired(now) {
			outstanding += sub0(t.Issued, t.Spent)
		}
	}
	return capOf(m.capacity(now), minted, outstanding), nil
}

// reserveCap takes n units of room under the cap, or refuses them.
func (m *Mint) reserveCap(tx Tx, n uint64) error {
	c, err := m.capIn(tx)
	if err != nil {
		return err
	}
	if n > c.Remaining && c.TotalCap == 0 {
		return fmt.Errorf("%w: %d units asked, but this gateway's supply cap is 0 (no projected capacity set), so it issues nothing; set the projected 30-day capacity with --ledger-capacity UNITS (or [ledger] capacity in node.toml)",
			ErrSupplyCap, n)
	}
	if n > c.Remaining {
		return fmt.Errorf("%w: %d units asked, %d left today (daily cap %d, outstanding %d of %d)",
			ErrSupplyCap, n, c.Remaining, c.DailyCap, c.Outstanding, c.TotalCap)
	}
	if err := tx.AddMinted(DayOf(m.now()), n); err != nil {
		return err
	}
	return tx.AddMinted(counterPaid, n)
}

// KeysetReport is one keyset's line of the Report.
type KeysetReport struct {
	ID          KeysetID
	Day         time.Time
	FinalExpiry time.Time
	Issued      uint64
	Spent       uint64
	Outstanding uint64
	Expired     bool
}

// Report is the published state of the supply.
type Report struct {
	Cap     Cap
	Keysets []KeysetReport // newest first; keysets the ledger has seen
}

// Report returns per-keyset issued, spent and outstanding, and the cap.
func (m *Mint) Report(ctx context.Context) (Report, error) {
	var r Report
	now := m.now()
	err := m.store.View(ctx, func(tx Tx) error {
		var err error
		if r.Cap, err = m.capIn(tx); err != nil {
			return err
		}
		totals, err := tx.Totals()
		for id, t := range totals {
			line := KeysetReport{ID: id, Issued: t.Issued, Spent: t.Spent, Outstanding: sub0(t.Issued, t.Spent)}
			if ks, err := m.Keyset(id); err == nil {
				line.Day = time.Unix(ks.Day*int64(day/time.Second), 0).UTC()
				line.FinalExpiry = time.Unix(ks.FinalExpiry, 0).UTC()
				line.Expired = ks.Expired(now)
			}
			r.Keysets = append(r.Keysets, line)
		}
		return err
	})
	sort.Slice(r.Keysets, func(i, j int) bool { return r.Keysets[i].Day.After(r.Keysets[j].Day) })
	return r, err
}
