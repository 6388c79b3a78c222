package service

import (
	"encoding/json"
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
