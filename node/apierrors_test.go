package node

import (
	"context"
	"errors"
	"testing"

	"cyclecash/ledger"
	nmarket "cyclecash/node/market"
	"cyclecash/node/mint"
	"cyclecash/node/work"
)

// TestControlAPIErrorsAreSentinels: a refusal over the control API comes
// back as its sentinel (errors.Is), not as free text the caller would have
// to compare: the mint's Cashu code and the buyer's work code both decode.
func TestControlAPIErrorsAreSentinels(t *testing.T) {
	t.Parallel()
	n := runNode(t, t.TempDir(), "gateway")
	c := n.Client()
	ctx := context.Background()
	_, err := c.PayQuote(ctx, "nope")
	var ae *APIError
	if !errors.Is(err, ledger.ErrUnknownQuote) || !errors.As(err, &ae) || ae.Code != mint.CodeOf(ledger.ErrUnknownQuote) {
		t.Fatalf("unknown quote: %v, want ledger.ErrUnknownQuote", err)
	}
	if errors.Is(err, ledger.ErrAlreadySpent) || errors.Is(err, ErrJob) {
		t.Fatalf("unknown quote decoded as another sentinel: %v", err)
	}
	_, err = c.SubmitJob(ctx, &JobRequest{Module: []byte("m"), Inputs: [][]byte{{1}}})
	if !errors.Is(err, ErrJob) || errors.Is(err, ErrPayment) {
		t.Fatalf("job without a budget: %v, want ErrJob", err)
	}
}

// TestControlAPICodeTables: node's codes, the work protocol's and the
// mint's lie in disjoint ranges, each decodes back into its own sentinel
// only, and a refusal without a code is no sentinel even when its text is
// one's (the gate's refusals used to decode by text, so any answer quoting
// "missing or wrong token" posed as ErrAPIToken).
func TestControlAPICodeTables(t *testing.T) {
	t.Parallel()
	tables := []struct {
		lo, hi int
		errs   []error
	}{
		{31000, 31999, []error{ErrAPIHost, ErrAPIOrigin, ErrAPIContentType, ErrAPIToken, ErrNoEndpoint}},
		{30000, 30999, []error{work.ErrUnauthorized, work.ErrPayment, work.ErrNoCompute, work.ErrJob}},
		{1, 29999, []error{ledger.ErrAlreadySpent, ledger.ErrSupplyCap, ledger.ErrUnknownQuote, ledger.ErrUnknownEscrow, ledger.ErrTooManyQuotes}},
	}
	var all []error
	for _, tb := range tables {
		all = append(all, tb.errs...)
	}
	for _, tb := range tables {
		for _, want := range tb.errs {
			c := codeOf(want)
			if c < tb.lo || c > tb.hi {
				t.Errorf("%v: code %d outside %d-%d", want, c, tb.lo, tb.hi)
			}
			got := &APIError{Status: 400, Detail: "anything", Code: c}
			for _, other := range all {
				if is := errors.Is(got, other); is != (other == want) {
					t.Errorf("code %d (%v): errors.Is(%v) = %v", c, want, other, is)
				}
			}
			if errors.Is(&APIError{Status: 400, Detail: want.Error()}, want) {
				t.Errorf("a refusal without a code decoded as %v by its text", want)
			}
		}
	}
}

// TestControlAPIMissingRole: a node without the role behind an endpoint
// answers ErrNoEndpoint by code, which the client turns into the role's
// sentinel (no ledger, no market), while a service's own 404 stays the
// service's refusal, never "no such service".
func TestControlAPIMissingRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	relay := runNode(t, t.TempDir(), "relay").Client()
	var out any
	err := relay.Call(ctx, "GET", "/v1/ledger/report", nil, &out)
	var ae *APIError
	if !errors.Is(err, ErrNoEndpoint) || !errors.As(err, &ae) || ae.Status != 404 {
		t.Fatalf("unknown endpoint: %v, want a 404 ErrNoEndpoint", err)
	}
	if _, err := relay.LedgerReport(ctx); !errors.Is(err, ErrNoLedger) {
		t.Errorf("ledger call to a relay: %v, want ErrNoLedger", err)
	}
	if err := relay.MarketCall(ctx, "GET", "/v1/market/status", nil, &out); !errors.Is(err, nmarket.ErrNoMarket) {
		t.Errorf("market call to a relay: %v, want ErrNoMarket", err)
	}
	m := runNodeConfig(t, Config{DataDir: t.TempDir(), Roles: []string{"relay", "market"}, Listen: []string{"/ip4/127.0.0.1/tcp/0"},
		API: "127.0.0.1:0", Market: MarketConfig{Listen: "127.0.0.1:0"}}).Client()
	err = m.MarketCall(ctx, "POST", "/v1/market/orders/nope/settle", MarketSettle{To: "buyer"}, &out)
	if !errors.As(err, &ae) || ae.Status != 404 || errors.Is(err, nmarket.ErrNoMarket) || errors.Is(err, ErrNoEndpoint) {
		t.Errorf("unknown order at a market: %v, want the market's own 404", err)
	}
}
