package node

import (
	"errors"
	"net/http"

	"cyclecash/node/gateway"
	nmarket "cyclecash/node/market"
	"cyclecash/node/mint"
	"cyclecash/node/probe"
	"cyclecash/node/service"
	"cyclecash/node/work"
)

// Control API refusals are service.ErrorBody answers whose code names the
// sentinel, and APIError decodes the code back into it for errors.Is;
// the text is for people and never decodes. The codes come from one
// table per answering side: node's own (the gate's refusals and an
// endpoint no service registered, 31xxx, below), the work protocol's
// (30xxx: the buyer's endpoints and the worker's statement), the ledger's
// Cashu codes with the mint's additions (29xxx), the gateway's payout
// endpoints' (32xxx), the probe's (33xxx) and the market's (34xxx). The
// ranges are disjoint (TestControlAPICodeTables) and every service's
// sentinels survive the round trip (TestControlAPIRoundTrip).

// ErrNoEndpoint answers a request for an endpoint no service of this
// node registered: the node lacks the role that serves it. The client
// turns it into the role's sentinel (ErrNoLedger, market.ErrNoMarket).
var ErrNoEndpoint = errors.New("node: control API: no such endpoint on this node")

// codes is node's table: the refusals node itself answers.
var codes = []struct {
	code int
	err  error
}{
	{31001, ErrAPIHost},
	{31002, ErrAPIOrigin},
	{31003, ErrAPIContentType},
	{31004, ErrAPIToken},
	{31005, ErrNoEndpoint},
}

// ownCode is the code of err in node's own table, or 0.
func ownCode(err error) int {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return 0
}

// tables are the answering sides' code tables, node's first.
var tables = []func(error) int{ownCode, work.CodeOf, mint.CodeOf, gateway.CodeOf, probe.CodeOf, nmarket.CodeOf}

// codeOf is the control API code of sentinel err, or 0.
func codeOf(err error) int {
	for _, code := range tables {
		if c := code(err); c != 0 {
			return c
		}
	}
	return 0
}

// writeRefusal answers err under HTTP status with its code.
func writeRefusal(w http.ResponseWriter, status int, err error) {
	service.WriteError(w, status, err, codeOf(err))
}

// APIError is a refusal from a node's control API: its HTTP status, the
// node's message, and the code that names its sentinel.
type APIError struct {
	Status int
	Detail string
	Code   int
}

func (e *APIError) Error() string { return e.Detail }

// Is reports whether target is the sentinel of e's code; code 0 names
// none, whatever the message says.
func (e *APIError) Is(target error) bool {
	return e.Code != 0 && codeOf(target) == e.Code
}

func decodeAPIError(status int, body []byte) *APIError {
	b := service.DecodeError(body)
	return &APIError{Status: status, Detail: b.Detail, Code: b.Code}
}

// endpoints is the control API's mux, which answers a request no service
// registered an endpoint for with ErrNoEndpoint under its code, so that a
// client tells "no such service here" from a service's own 404 by code.
type endpoints struct{ mux *http.ServeMux }

func (e endpoints) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := e.mux.Handler(r); pattern == "" {
		writeRefusal(w, http.StatusNotFound, ErrNoEndpoint)
		return
	}
	e.mux.ServeHTTP(w, r)
}
