package mint

import (
	"encoding/json"
	"io"
	"net/http"

	"cyclecash/ledger"
	"cyclecash/node/service"
)

// The operator's ledger commands on the control API. With bbolt a running
// gateway holds the ledger file locked, so `cyclecash ledger` goes through
// here while the node runs, and opens the store itself otherwise.

// maxLedgerBody bounds a ledger request on the control API.
const maxLedgerBody = 4 << 10

// PayRequest is the body of POST /v1/ledger/quote/pay.
type PayRequest struct {
	Quote string `json:"quote"`
}

// routes adds the ledger endpoints to the control API.
func (s *Service) routes(h service.Host) {
	mux := apiMux{h}
	mux.HandleFunc("POST /v1/ledger/quote/pay", s.ledgerHandler(func(r *http.Request, l *Ledger) (any, error) {
		var req PayRequest
		dec := json.NewDecoder(io.LimitReader(r.Body, maxLedgerBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || req.Quote == "" {
			return nil, ledger.ErrBadRequest
		}
		return l.PayQuote(r.Context(), req.Quote)
	}))
	mux.HandleFunc("GET /v1/ledger/report", s.ledgerHandler(func(r *http.Request, l *Ledger) (any, error) {
		return l.Report(r.Context())
	}))
	mux.HandleFunc("GET /v1/ledger/keysets", s.ledgerHandler(func(r *http.Request, l *Ledger) (any, error) {
		return l.Keysets()
	}))
}

// ledgerHandler answers with fn's result as JSON, or its error as one
// plain line; the control API is local, and ledger errors carry no secrets.
func (s *Service) ledgerHandler(fn func(*http.Request, *Ledger) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r, s.Ledger)
		if err != nil {
			service.WriteError(w, http.StatusBadRequest, err, CodeOf(err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
	}
}

// apiMux registers on the control API.
type apiMux struct{ h service.Host }

func (m apiMux) HandleFunc(pattern string, h http.HandlerFunc) { m.h.HandleAPI(pattern, h) }
