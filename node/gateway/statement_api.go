package gateway

import (
	"encoding/json"
	"io"
	"net/http"

	"cyclecash/node/service"
	"cyclecash/node/work"
)

// The operator's payout run on the node's control API: GET
// /v1/gateway/owed lists every open worker's statement with credit, and
// POST /v1/gateway/payout (a work.CashPayout) records one cash payment.

// maxPayoutBody bounds a payout request.
const maxPayoutBody = 1 << 10

// operatorRoutes adds the payout endpoints to the control API.
func (g *Gateway) operatorRoutes(h service.Host) {
	h.HandleAPI("GET /v1/gateway/owed", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		due, err := g.owed()
		answer(w, due, err)
	}))
	h.HandleAPI("POST /v1/gateway/payout", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p work.CashPayout
		dec := json.NewDecoder(io.LimitReader(r.Body, maxPayoutBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			answer(w, nil, ErrPayoutMalformed)
			return
		}
		st, err := g.recordPayout(p)
		answer(w, st, err)
	}))
}

// answer writes v as JSON, or err as a refusal with its code.
func answer(w http.ResponseWriter, v any, err error) {
	if err != nil {
		WriteAPIError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, v)
}
