package mintapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"cyclecash/ledger"
)

// Request bodies of the endpoints that take one.

// CheckStateRequest is NUT-07's body.
type CheckStateRequest struct {
	Ys []ledger.Point `json:"Ys"`
}

// CheckStateResponse is NUT-07's answer.
type CheckStateResponse struct {
	States []ledger.ProofState `json:"states"`
}

// QuoteRequest is NUT-04's quote body.
type QuoteRequest struct {
	Amount uint64        `json:"amount"`
	Unit   string        `json:"unit"`
	Pubkey *ledger.Point `json:"pubkey,omitempty"` // NUT-20
}

// RestoreRequest is NUT-09's body.
type RestoreRequest struct {
	Outputs []ledger.BlindedMessage `json:"outputs"`
}

// ConsumeRequest settles an escrow.
type ConsumeRequest struct {
	ID     string                  `json:"id"`
	Used   uint64                  `json:"used"`
	Change []ledger.BlindedMessage `json:"change"`
}

// ReserveRequest reserves proofs.
type ReserveRequest struct {
	Proofs []ledger.Proof `json:"proofs"`
}

// ReleaseRequest releases an escrow.
type ReleaseRequest struct {
	ID string `json:"id"`
}

// ParseRequest decodes one JSON value from body into v: the single parser
// of untrusted request bytes. Trailing data after the value is refused.
func ParseRequest(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: not valid json for this endpoint", ledger.ErrBadRequest)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: trailing data after the request", ledger.ErrBadRequest)
	}
	return nil
}

// readBody reads a request body up to the limit and parses it into v.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return fmt.Errorf("%w (limit %d bytes)", errTooLarge, h.maxBody)
	}
	if err != nil {
		return fmt.Errorf("%w: reading request", ledger.ErrBadRequest)
	}
	return ParseRequest(body, v)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
