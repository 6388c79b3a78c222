package mint

import (
	"context"
	"slices"
	"time"

	"cyclecash/node/service"
)

// figures is the supply report as the dashboard and metrics show it: the
// cap now and each keyset's day, oldest first. A report that fails gives
// empty figures (the page shows no supply rather than stale numbers).
func (l *Ledger) figures(ctx context.Context) service.LedgerFigures {
	r, err := l.Report(ctx)
	if err != nil {
		return service.LedgerFigures{Days: []service.LedgerDay{}}
	}
	f := service.LedgerFigures{Capacity: r.Capacity, DailyCap: r.DailyCap, TotalCap: r.TotalCap,
		MintedToday: r.MintedToday, Outstanding: r.Outstanding, Days: []service.LedgerDay{}}
	for _, k := range r.Keysets {
		day, err := time.Parse(time.DateOnly, k.Day)
		if err != nil {
			continue
		}
		f.Days = append(f.Days, service.LedgerDay{Day: day.UTC(), Expires: k.FinalExpiry.UTC(),
			Issued: k.Issued, Spent: k.Spent, Outstanding: k.Outstanding, Expired: k.Expired})
	}
	slices.SortFunc(f.Days, func(a, b service.LedgerDay) int { return a.Day.Compare(b.Day) })
	return f
}
