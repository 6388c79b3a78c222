package service

import (
	"encoding/json"
	"errors"
	"net/http"
)

// ErrorBody is every refusal a service answers with, on the control API
// and on the work protocol: the message and a code from the answering
// service's table (the ledger's Cashu codes, work's, node's), which the
// client decodes back into the sentinel. Code 0 names no sentinel.
type ErrorBody struct {
	Detail string `json:"detail"`
	Code   int    `json:"code"`
}

// WriteError answers with err under HTTP status and code. Messages come
// from our packages' errors; none carries a peer's address.
func WriteError(w http.ResponseWriter, status int, err error, code int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorBody{Detail: err.Error(), Code: code})
}

// DecodeError reads a refusal body; a body that is not an ErrorBody is
// taken as a plain message with code 0.
func DecodeError(body []byte) ErrorBody {
	var e ErrorBody
	if json.Unmarshal(body, &e) != nil || e.Detail == "" {
		return ErrorBody{Detail: string(body)}
	}
	return e
}

// Codes is a service's table of wire codes, one per sentinel, in the
// order they are tried: an error that wraps several takes the first's.
type Codes []Code

// Code pairs a wire code with the sentinel it stands for.
type Code struct {
	Code int
	Err  error
}

// Of is the code of err: that of the first sentinel of t it wraps, or 0
// (an internal failure).
func (t Codes) Of(err error) int {
	for _, c := range t {
		if errors.Is(err, c.Err) {
			return c.Code
		}
	}
	return 0
}

// Sentinel is the error of code, or nil when t has none.
func (t Codes) Sentinel(code int) error {
	for _, c := range t {
		if c.Code == code {
			return c.Err
		}
	}
	return nil
}

// Write answers with err under HTTP status and its code from t.
func (t Codes) Write(w http.ResponseWriter, status int, err error) {
	WriteError(w, status, err, t.Of(err))
}
