package node

import (
	"cyclecash/node/mint"
	"cyclecash/node/service"
	"cyclecash/node/work"
)

// Control API refusals are service.ErrorBody answers. Their codes come
// from the answering service's one table: the ledger's Cashu codes (the
// mint's endpoints) and the work protocol's (the buyer's); APIError
// decodes a code back into its sentinel for errors.Is. A node that is not
// a gateway has no ledger endpoints: its 404 is ErrNoLedger.

// codeOf is the control API code of sentinel err, or 0.
func codeOf(err error) int {
	if c := work.CodeOf(err); c != 0 {
		return c
	}
	return mint.CodeOf(err)
}

// APIError is a refusal from a node's control API: its HTTP status, the
// node's message, and the code that names its sentinel.
type APIError struct {
	Status int
	Detail string
	Code   int
}

func (e *APIError) Error() string { return e.Detail }

// Is reports whether target is the sentinel of e's code, or (code 0) the
// control API gate's refusal e names.
func (e *APIError) Is(target error) bool {
	if e.Code == 0 {
		return isGateRefusal(target) && target.Error() == e.Detail
	}
	return codeOf(target) == e.Code
}

func decodeAPIError(status int, body []byte) *APIError {
	b := service.DecodeError(body)
	return &APIError{Status: status, Detail: b.Detail, Code: b.Code}
}
