package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"cyclecash/market"
	"cyclecash/node"
)

const marketUsage = `usage: cyclecash market --data DIR [--json] <command>

commands:
  status (or report)              the site's loopback address and B's totals
  listings                        every listing, withdrawn ones included
  orders [--disputed]             every order (or those awaiting a decision)
  disputes                        the same as orders --disputed
  resolve ORDER --to buyer|seller decide a dispute: refund the buyer or pay the seller
                                  (settle ORDER is the same)
  cashout list                    sell-for-cash and buy-for-cash requests
  cashout settle ID --paid|--refuse [--note TEXT]
                                  record that the cash moved (or decline)
  offer --price TEXT --min N --max N --terms TEXT
                                  post a buy-units-for-cash offer

The running market node (role market) is asked through its control API.

flags:`

// marketFlags are the operator command's flags.
type marketFlags struct {
	data, to, note, price, terms string
	disputed, paid, refuse, json bool
	min, max                     uint64
}

func (f *marketFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "", "the market node's data directory (required)")
	fs.BoolVar(&f.json, "json", false, "print JSON")
	fs.BoolVar(&f.disputed, "disputed", false, "orders: only disputed ones")
	fs.StringVar(&f.to, "to", "", "resolve: buyer (refund) or seller (release)")
	fs.BoolVar(&f.paid, "paid", false, "cashout settle: the cash moved")
	fs.BoolVar(&f.refuse, "refuse", false, "cashout settle: declined")
	fs.StringVar(&f.note, "note", "", "cashout settle: a note the user sees")
	fs.StringVar(&f.price, "price", "", "offer: price per unit, e.g. \"0.02 EUR\"")
	fs.StringVar(&f.terms, "terms", "", "offer: how the buyer pays")
	fs.Uint64Var(&f.min, "min", 0, "offer: smallest amount in units")
	fs.Uint64Var(&f.max, "max", 0, "offer: largest amount in units")
}

// cmdMarket is company B's operator tool.
func cmdMarket(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("market", stderr)
	var f marketFlags
	f.register(fs)
	fs.Usage = func() { fmt.Fprintln(stderr, marketUsage); fs.PrintDefaults() }
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if f.data == "" {
		return errors.New("market: --data DIR is required")
	}
	call, ok := marketCall(f, rest)
	if !ok {
		return marketMistake(f, rest)
	}
	if err := runningNodeDir("market", f.data); err != nil {
		return err
	}
	c, err := node.ClientOf(f.data)
	if err != nil {
		return fmt.Errorf("market: %w", err)
	}
	v, err := call(ctx, c)
	if err != nil {
		return err
	}
	if st, ok := v.(node.MarketStatus); ok {
		if v, err = withMesh(ctx, c, f.data, st); err != nil {
			return err
		}
	}
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	printMarket(stdout, v)
	return nil
}

// marketStatus is `market status`: the market's own report and the .mesh
// address of the hidden service that maps a port to its listener.
type marketStatus struct {
	node.MarketStatus
	Mesh string `json:"mesh,omitempty"`
}

// withMesh adds the .mesh address to st, from the node's [[hidden_service]]
// entries in DATA/node.toml and the services it hosts.
func withMesh(ctx context.Context, c *node.Client, data string, st node.MarketStatus) (marketStatus, error) {
	out := marketStatus{MarketStatus: st}
	path := filepath.Join(data, "node.toml")
	if !fileExists(path) {
		return out, nil
	}
	cfg, err := readConfig(path)
	if err != nil {
		return out, err
	}
	ns, err := c.Status(ctx)
	if err != nil {
		return out, err
	}
	out.Mesh = marketMesh(cfg.HiddenServices, ns.HiddenServices, st.Listen)
	return out, nil
}

// marketMesh is the .mesh address of the hosted hidden service whose
// entry maps a port to the market's listener at addr, or "" if none does.
func marketMesh(services []node.HSServiceConfig, hosted []node.HSStatus, addr string) string {
	for _, s := range services {
		ports, err := s.PortMap()
		if err != nil {
			continue
		}
		for _, target := range ports {
			for _, h := range hosted {
				if target == addr && h.Name == s.Name {
					return h.Address
				}
			}
		}
	}
	return ""
}

// marketLine is run's start-up line for the market: its loopback site and
// its .mesh address when a hidden service maps a port to it.
func marketLine(addr, mesh string) string {
	if mesh == "" {
		return "market http://" + addr + " (loopback; publish it with a [[hidden_service]])"
	}
	return "market http://" + addr + " (loopback), http://" + mesh + " (its hidden service)"
}

type marketFn func(ctx context.Context, c *node.Client) (any, error)

// apiGet and apiPost make a marketFn of one endpoint answering a T.
func apiGet[T any](path string) marketFn {
	return func(ctx context.Context, c *node.Client) (any, error) {
		var v T
		return v, c.MarketCall(ctx, http.MethodGet, path, nil, &v)
	}
}

func apiPost[T any](path string, in any) marketFn {
	return func(ctx context.Context, c *node.Client) (any, error) {
		var v T
		return v, c.MarketCall(ctx, http.MethodPost, path, in, &v)
	}
}

// marketCall maps the positional arguments onto an endpoint.
func marketCall(f marketFlags, rest []string) (marketFn, bool) {
	switch {
	case len(rest) == 1 && (rest[0] == "status" || rest[0] == "report"):
		return apiGet[node.MarketStatus]("/v1/market/status"), true
	case len(rest) == 1 && rest[0] == "listings":
		return apiGet[[]market.Listing]("/v1/market/listings"), true
	case len(rest) == 1 && (rest[0] == "orders" || rest[0] == "disputes"):
		path := "/v1/market/orders"
		if f.disputed || rest[0] == "disputes" {
			path += "?disputed=1"
		}
		return apiGet[[]market.Order](path), true
	case len(rest) == 2 && (rest[0] == "resolve" || rest[0] == "settle") && (f.to == "buyer" || f.to == "seller"):
		return apiPost[market.Order]("/v1/market/orders/"+segment(rest[1])+"/settle", node.MarketSettle{To: f.to}), true
	case len(rest) == 2 && rest[0] == "cashout" && rest[1] == "list":
		return apiGet[node.MarketCashout]("/v1/market/cashout"), true
	case len(rest) == 3 && rest[0] == "cashout" && rest[1] == "settle" && f.paid != f.refuse:
		return apiPost[struct{}]("/v1/market/cashout/"+segment(rest[2])+"/settle",
			node.MarketCashSettle{Paid: f.paid, Note: f.note}), true
	case len(rest) == 1 && rest[0] == "offer" && f.price != "" && f.min > 0 && f.max >= f.min:
		return apiPost[market.Offer]("/v1/market/offers", market.OfferInput{Price: f.price, Min: f.min, Max: f.max, Terms: f.terms}), true
	}
	return nil, false
}

// marketMistake says in one line what a market command that marketCall
// did not accept lacks.
func marketMistake(f marketFlags, rest []string) error {
	word := func(i int) string {
		if i < len(rest) {
			return rest[i]
		}
		return ""
	}
	switch {
	case len(rest) == 0:
		return usageErrorf("market", "market: name a command (status, listings, orders, settle ID, cashout list, cashout settle ID, offer, report)")
	case word(0) == "settle" || word(0) == "resolve":
		if len(rest) != 2 {
			return usageErrorf("market", "market: %s takes one order ID", word(0))
		}
		return usageErrorf("market", "market: %s %s needs --to buyer (refund) or --to seller (release)", word(0), cell(rest[1]))
	case word(0) == "cashout" && word(1) == "settle":
		if len(rest) != 3 {
			return usageErrorf("market", "market: cashout settle takes one request ID")
		}
		return usageErrorf("market", "market: cashout settle %s needs exactly one of --paid or --refuse", cell(rest[2]))
	case word(0) == "cashout":
		return usageErrorf("market", "market: cashout takes list or settle ID")
	case word(0) == "offer":
		return usageErrorf("market", "market: offer needs --price, --min above 0 and --max at least --min")
	}
	return usageErrorf("market", "market: unknown command %q", cell(strings.Join(rest, " ")))
}

// segment keeps an ID to one path segment of hex digits; anything else is
// sent as a name the market does not know.
func segment(id string) string {
	for _, r := range id {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return "-"
		}
	}
	return id
}

// cell is a user's free text as one table cell: newlines, tabs and other
// escapes shown as Go escapes, so no record can forge a row or a column.
func cell(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// printMarket prints a result for a human; --json prints it for scripts.
func printMarket(w io.Writer, v any) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	switch v := v.(type) {
	case marketStatus:
		t := v.Totals
		fmt.Fprintf(tw, "site\thttp://%s\n", v.Listen)
		if v.Mesh != "" {
			fmt.Fprintf(tw, "mesh\thttp://%s\n", v.Mesh)
		}
		fmt.Fprintf(tw, "held\t%d units (owed %d, escrow %d, open sell %d, in flight %d, B's own %d)\n",
			t.Held, t.Owed, t.InEscrow, t.OpenSell, t.InFlight, t.Operator)
		fmt.Fprintf(tw, "cash\tsold for cash %d, bought for cash %d\n", t.SoldForCash, t.BoughtForCash)
	case []market.Listing:
		fmt.Fprintln(tw, "listing\tprice\tqty\tstate\ttitle")
		for _, l := range v {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", l.ID, l.Price, l.Quantity, map[bool]string{true: "withdrawn", false: "open"}[l.Withdrawn], cell(l.Title))
		}
	case []market.Order:
		fmt.Fprintln(tw, "order\tamount\tstate\ttitle\tdispute")
		for _, o := range v {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", o.ID, o.Amount, o.State, cell(o.Title), cell(o.Dispute))
		}
	case market.Order:
		fmt.Fprintf(tw, "order %s %s\n", v.ID, v.State)
	case node.MarketCashout:
		fmt.Fprintln(tw, "request\tkind\tamount\tstate\tinstruction")
		for _, s := range v.Sell {
			fmt.Fprintf(tw, "%s\tsell\t%d\t%s\t%s\n", s.ID, s.Amount, s.State, cell(s.Payout))
		}
		for _, b := range v.Buy {
			fmt.Fprintf(tw, "%s\tbuy\t%d\t%s\t%s\n", b.ID, b.Amount, b.State, cell(b.Note))
		}
	case market.Offer:
		fmt.Fprintf(tw, "offer %s: %s per unit, %d to %d units\n", v.ID, cell(v.Price), v.Min, v.Max)
	default:
		fmt.Fprintln(tw, "done")
	}
}
