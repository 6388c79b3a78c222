package mint

import (
	"context"
	"time"
)

// Report is the published state of a gateway's supply: today's cap
// (DESIGN.md §5) and, per keyset, the units issued, spent and outstanding.
type Report struct {
	Capacity    uint64         `json:"capacity"`        // Ĉ
	DailyCap    uint64         `json:"daily_cap"`       // 0.8·Ĉ/30
	TotalCap    uint64         `json:"total_cap"`       // 0.8·Ĉ
	MintedToday uint64         `json:"minted_today"`    // issued against quotes today
	Outstanding uint64         `json:"outstanding"`     // unexpired issued − spent
	Remaining   uint64         `json:"remaining_today"` // what may still be issued today
	Keysets     []KeysetReport `json:"keysets"`         // newest first
}

// KeysetReport is one keyset's line of the report.
type KeysetReport struct {
	ID          string    `json:"id"`
	Day         string    `json:"day"` // the UTC issue day, YYYY-MM-DD
	FinalExpiry time.Time `json:"final_expiry"`
	Issued      uint64    `json:"issued"`
	Spent       uint64    `json:"spent"`
	Outstanding uint64    `json:"outstanding"`
	Expired     bool      `json:"expired"`
}

// KeysetInfo is one keyset whose units the gateway accepts now.
type KeysetInfo struct {
	ID          string    `json:"id"`
	Day         string    `json:"day"`
	FinalExpiry time.Time `json:"final_expiry"`
	Active      bool      `json:"active"` // today's keyset: new units are minted in it
}

// Report returns the supply report.
func (l *Ledger) Report(ctx context.Context) (Report, error) {
	r, err := l.mint.Report(ctx)
	if err != nil {
		return Report{}, err
	}
	out := Report{
		Capacity: r.Cap.Capacity, DailyCap: r.Cap.DailyCap, TotalCap: r.Cap.TotalCap,
		MintedToday: r.Cap.MintedToday, Outstanding: r.Cap.Outstanding, Remaining: r.Cap.Remaining,
		Keysets: []KeysetReport{},
	}
	for _, k := range r.Keysets {
		out.Keysets = append(out.Keysets, KeysetReport{
			ID: string(k.ID), Day: k.Day.Format(time.DateOnly), FinalExpiry: k.FinalExpiry,
			Issued: k.Issued, Spent: k.Spent, Outstanding: k.Outstanding, Expired: k.Expired,
		})
	}
	return out, nil
}

// Keysets lists the keysets whose units are accepted now, newest first.
func (l *Ledger) Keysets() ([]KeysetInfo, error) {
	kss, err := l.mint.Keysets()
	if err != nil {
		return nil, err
	}
	out := make([]KeysetInfo, len(kss))
	for i, ks := range kss {
		out[i] = KeysetInfo{
			ID: string(ks.ID), Day: time.Unix(ks.Day*86400, 0).UTC().Format(time.DateOnly),
			FinalExpiry: time.Unix(ks.FinalExpiry, 0).UTC(), Active: l.mint.IsActive(ks),
		}
	}
	return out, nil
}
