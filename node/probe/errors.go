package probe

import (
	"errors"
	"net/http"

	"cyclecash/node/service"
)

// Sentinel errors of POST /v1/probe.
var (
	// ErrMalformed: a request body that is not a ProbeRequest.
	ErrMalformed = errors.New("node: probe: malformed request")
	// ErrTarget: To names no destination ("PEERID" or "role:NAME").
	ErrTarget = errors.New("node: probe: bad target")
	// ErrBounds: hops, count or size outside the probe's bounds.
	ErrBounds = errors.New("node: probe: out of bounds")
)

// apiCodes is the probe's table of control API codes (33xxx: clear of
// the other services'; node's TestControlAPICodeTables). node decodes a
// code back into its sentinel.
var apiCodes = service.Codes{
	{Code: 33001, Err: ErrMalformed},
	{Code: 33002, Err: ErrTarget},
	{Code: 33003, Err: ErrBounds},
}

// CodeOf is the control API code of err: that of the first sentinel of
// apiCodes it wraps, or 0.
func CodeOf(err error) int { return apiCodes.Of(err) }

// WriteAPIError answers a control API request with err under HTTP status
// and its code.
func WriteAPIError(w http.ResponseWriter, status int, err error) {
	apiCodes.Write(w, status, err)
}
