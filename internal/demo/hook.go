package demo

import "context"

// MarketReport is the market's part of the summary: the market's own
// file (market.go) defines its summary type, which implements this.
type MarketReport interface {
	// Lines are the summary's "label: value" lines for the market.
	Lines() [][2]string
	// Checks are the market's checked statements; the demo fails when
	// one does not hold.
	Checks() []Check
}

// marketPart, when set (by market.go's init), runs after the job story
// on the running demo and returns the market's summary.
var marketPart func(ctx context.Context, d *Demo) (MarketReport, error)
