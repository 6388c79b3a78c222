package node

import (
	"errors"

	"cyclecash/ledger"
	"cyclecash/node/service"
	"cyclecash/node/work"
)

// Control API refusals are service.ErrorBody answers. Their codes come
// from the answering service's one table: the ledger's Cashu codes (the
// mint's endpoints), the work protocol's (the buyer's), and node's own
// below; APIError decodes a code back into its sentinel for errors.Is.

// nodeCodes are the codes node itself answers with (31xxx).
var nodeCodes = []struct {
	code int
	err  error
}{
	{31001, ErrNoLedger},
	{31002, ErrNotWorker},
}

// codeOf is the control API code of sentinel err, or 0.
func codeOf(err error) int {
	if c := work.CodeOf(err); c != 0 {
		return c
	}
	if c := ledger.ErrorCode(err); c != 0 {
		return c
	}
	for _, c := range nodeCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return 0
}

// APIError is a refusal from a node's control API: its HTTP status, the
// node's message, and the code that names its sentinel.
type APIError struct {
	Status int
	Detail string
	Code   int
}

func (e *APIError) Error() string { return e.Detail }

// Is reports whether target is the sentinel of e's code.
func (e *APIError) Is(target error) bool { return e.Code != 0 && codeOf(target) == e.Code }

func decodeAPIError(status int, body []byte) *APIError {
	b := service.DecodeError(body)
	return &APIError{Status: status, Detail: b.Detail, Code: b.Code}
}
