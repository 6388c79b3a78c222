package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"cyclecash/ledger"
	"cyclecash/node"
)

// printLedger prints an operator command's result for a human; --json
// prints the same values for scripts.
func printLedger(w io.Writer, v any) {
	switch v := v.(type) {
	case ledger.Quote:
		fmt.Fprintf(w, "quote %s %s %d %s\n", v.ID, v.State, v.Amount, v.Unit)
	case node.LedgerReport:
		printReport(w, v)
	case []node.KeysetInfo:
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "keyset\tday\texpires\tactive")
		for _, k := range v {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", k.ID, k.Day, k.FinalExpiry.Format("2006-01-02 15:04Z"), k.Active)
		}
		tw.Flush()
	}
}

func printReport(w io.Writer, r node.LedgerReport) {
	fmt.Fprintf(w, "capacity     %d cu over the next 30 days\n", r.Capacity)
	fmt.Fprintf(w, "today        minted %d of a daily cap of %d; %d may still be issued\n", r.MintedToday, r.DailyCap, r.Remaining)
	fmt.Fprintf(w, "outstanding  %d of at most %d\n\n", r.Outstanding, r.TotalCap)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "keyset\tday\texpires\tissued\tspent\toutstanding")
	for _, k := range r.Keysets {
		exp := k.FinalExpiry.Format("2006-01-02")
		if k.Expired {
			exp += " (expired)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", k.ID, k.Day, exp, k.Issued, k.Spent, k.Outstanding)
	}
	tw.Flush()
}
