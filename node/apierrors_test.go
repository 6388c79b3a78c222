package node

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cyclecash/ledger"
	"cyclecash/market"
	"cyclecash/node/gateway"
	nmarket "cyclecash/node/market"
	"cyclecash/node/mint"
	"cyclecash/node/probe"
	"cyclecash/node/service"
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

// controlAPITables is every answering side's sentinels with the range of
// its codes. Of the three sentinels error_codes.md folds into Cashu code
// 10001 (ledger/errors.go) only ErrInvalidProof is listed: the other two
// decode as it by design.
var controlAPITables = []struct {
	name   string
	lo, hi int
	errs   []error
}{
	{"node", 31000, 31999, []error{ErrAPIHost, ErrAPIOrigin, ErrAPIContentType, ErrAPIToken, ErrNoEndpoint}},
	{"work", 30000, 30999, []error{work.ErrUnauthorized, work.ErrPayment, work.ErrNoCompute, work.ErrJob}},
	{"mint", 1, 29999, []error{ledger.ErrAlreadySpent, ledger.ErrSupplyCap, ledger.ErrUnknownQuote, ledger.ErrUnknownEscrow,
		ledger.ErrTooManyQuotes, ledger.ErrBadRequest, ledger.ErrInvalidProof, ledger.ErrQuoteNotPaid, ledger.ErrQuoteIssued,
		ledger.ErrQuoteExpired, ledger.ErrUnknownKeyset, ledger.ErrAmount}},
	{"gateway", 32000, 32999, []error{gateway.ErrPayoutMalformed, gateway.ErrPayoutTooMuch, gateway.ErrPayoutReused}},
	{"probe", 33000, 33999, []error{probe.ErrMalformed, probe.ErrTarget, probe.ErrBounds}},
	{"market", 34000, 34999, []error{nmarket.ErrBadRequest, market.ErrNotFound, market.ErrBadInput, market.ErrTooLarge,
		market.ErrCSRF, market.ErrRateLimited, market.ErrLoginRequired, market.ErrBadSecret, market.ErrNotYours,
		market.ErrSoldOut, market.ErrWithdrawn, market.ErrOwnListing, market.ErrUnderpaid, market.ErrPriceChanged,
		market.ErrTokenUsed, market.ErrTokenSpent, market.ErrTokenInvalid, market.ErrBadToken, market.ErrMintDown,
		market.ErrInsufficient, market.ErrBadState, market.ErrOperator, market.ErrBadOperatorKey}},
}

func allControlAPISentinels() []error {
	var all []error
	for _, tb := range controlAPITables {
		all = append(all, tb.errs...)
	}
	return all
}

// TestControlAPICodeTables: node's codes, the work protocol's, the
// mint's, the gateway's, the probe's and the market's lie in disjoint
// ranges, each decodes back into its own sentinel only, and a refusal
// without a code is no sentinel even when its text is one's (the gate's
// refusals used to decode by text, so any answer quoting "missing or wrong
// token" posed as ErrAPIToken).
func TestControlAPICodeTables(t *testing.T) {
	t.Parallel()
	all := allControlAPISentinels()
	for _, tb := range controlAPITables {
		for _, want := range tb.errs {
			c := codeOf(want)
			if c < tb.lo || c > tb.hi {
				t.Errorf("%s: %v: code %d outside %d-%d", tb.name, want, c, tb.lo, tb.hi)
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

// TestControlAPIRoundTrip: every service's sentinel, written by the
// writer that service's handlers use, crosses HTTP and comes back from
// the client's method for that service as the same sentinel (errors.Is)
// and as no other. The worker's statement, the gateway's payouts, the
// probe and the market used to answer code 0, which decodes as nothing.
func TestControlAPIRoundTrip(t *testing.T) {
	t.Parallel()
	var send error
	var write func(http.ResponseWriter, int, error)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		write(w, http.StatusBadRequest, send)
	}))
	defer srv.Close()
	c := NewClient(strings.TrimPrefix(srv.URL, "http://"))
	ctx := context.Background()
	var out any
	sides := map[string]struct {
		write func(http.ResponseWriter, int, error)
		call  func() error
	}{
		"node": {writeRefusal, func() error { return c.Call(ctx, "GET", "/v1/x", nil, &out) }},
		"work": {func(w http.ResponseWriter, st int, err error) { work.WriteError(w, err, st) },
			func() error { _, err := c.SubmitJob(ctx, &JobRequest{}); return err }},
		"mint": {func(w http.ResponseWriter, st int, err error) { service.WriteError(w, st, err, mint.CodeOf(err)) },
			func() error { _, err := c.PayQuote(ctx, "q"); return err }},
		"gateway": {gateway.WriteAPIError, func() error { return c.Call(ctx, "POST", "/v1/gateway/payout", struct{}{}, &out) }},
		"probe":   {probe.WriteAPIError, func() error { _, err := c.Probe(ctx, ProbeRequest{}); return err }},
		"market":  {nmarket.WriteAPIError, func() error { return c.MarketCall(ctx, "GET", "/v1/market/status", nil, &out) }},
	}
	all := allControlAPISentinels()
	for _, tb := range controlAPITables {
		side, ok := sides[tb.name]
		if !ok {
			t.Fatalf("no writer for %s's table", tb.name)
		}
		write = side.write
		for _, want := range tb.errs {
			send = fmt.Errorf("%w: with context", want)
			err := side.call()
			var ae *APIError
			if !errors.Is(err, want) || !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Detail != send.Error() {
				t.Errorf("%s: %v came back as %v", tb.name, want, err)
			}
			for _, other := range all {
				if other != want && errors.Is(err, other) {
					t.Errorf("%s: %v came back as %v too", tb.name, want, other)
				}
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
