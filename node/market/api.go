package market

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"cyclecash/market"
	"cyclecash/node/service"
)

// The operator's commands on the control API (local only, behind its
// credential): disputes, the cash-out agent's requests and offers, and
// B's totals. `cyclecash market` calls these.

// maxAPIBody bounds an operator request.
const maxAPIBody = 8 << 10

// SettleRequest decides a disputed order: To is "buyer" or "seller".
type SettleRequest struct {
	To string `json:"to"`
}

// CashSettleRequest settles a cash-out request as paid or refused.
type CashSettleRequest struct {
	Paid bool   `json:"paid"`
	Note string `json:"note"`
}

// Cashout is every sell and buy request.
type Cashout struct {
	Sell []market.SellRequest `json:"sell"`
	Buy  []market.BuyRequest  `json:"buy"`
}

// Status is the market's listen address and totals.
type Status struct {
	Listen string        `json:"listen"`
	Totals market.Totals `json:"totals"`
}

// ErrBadRequest is a malformed operator request.
var ErrBadRequest = errors.New("node: market: malformed request")

func (s *Service) routes(h service.Host) {
	op := s.m.Operator()
	api := func(pattern string, fn func(r *http.Request) (any, error)) { h.HandleAPI(pattern, answer(fn)) }
	api("GET /v1/market/status", func(r *http.Request) (any, error) {
		t, err := op.Report(r.Context())
		return Status{Listen: s.Addr(), Totals: t}, err
	})
	api("GET /v1/market/listings", func(r *http.Request) (any, error) { return op.Listings(r.Context()) })
	api("GET /v1/market/orders", func(r *http.Request) (any, error) {
		return op.Orders(r.Context(), r.URL.Query().Get("disputed") == "1")
	})
	api("POST /v1/market/orders/{id}/settle", func(r *http.Request) (any, error) {
		var req SettleRequest
		if err := decode(r, &req); err != nil || (req.To != "buyer" && req.To != "seller") {
			return nil, fmt.Errorf("%w: to must be buyer or seller", ErrBadRequest)
		}
		id := r.PathValue("id")
		if err := op.Settle(r.Context(), id, req.To == "seller"); err != nil {
			return nil, err
		}
		return s.m.Order(r.Context(), id)
	})
	api("GET /v1/market/cashout", func(r *http.Request) (any, error) {
		sell, buy, err := op.CashoutList(r.Context())
		return Cashout{Sell: sell, Buy: buy}, err
	})
	api("POST /v1/market/cashout/{id}/settle", func(r *http.Request) (any, error) {
		var req CashSettleRequest
		if err := decode(r, &req); err != nil {
			return nil, err
		}
		d, err := market.DecodeDecision(url.Values{"id": {r.PathValue("id")}, "decision": {map[bool]string{true: "paid", false: "refused"}[req.Paid]}, "note": {req.Note}})
		if err != nil {
			return nil, err
		}
		return struct{}{}, op.CashoutSettle(r.Context(), d.ID, d.Yes, d.Note)
	})
	api("POST /v1/market/offers", func(r *http.Request) (any, error) {
		var req market.OfferInput
		if err := decode(r, &req); err != nil {
			return nil, err
		}
		// The web form's checks, so the CLI cannot post what the page refuses.
		in, err := market.DecodeOffer(url.Values{"price": {req.Price}, "min": {strconv.FormatUint(req.Min, 10)},
			"max": {strconv.FormatUint(req.Max, 10)}, "terms": {req.Terms}})
		if err != nil {
			return nil, err
		}
		return op.PostOffer(r.Context(), in)
	})
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ErrBadRequest
	}
	return nil
}

// answer writes fn's result as JSON, or its error as one line with its
// code.
func answer(fn func(r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		if err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, market.ErrNotFound) {
				status = http.StatusNotFound
			}
			WriteAPIError(w, status, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
	}
}
