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
var apiCodes = []struct {
	code int
	err  error
}{
	{33001, ErrMalformed},
	{33002, ErrTarget},
	{33003, ErrBounds},
}

// CodeOf is the control API code of err: that of the first sentinel of
// apiCodes it wraps, or 0.
func CodeOf(err error) int {
	for _, c := range apiCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return 0
}

// WriteAPIError answers a control API request with err under HTTP status
// and its code.
func WriteAPIError(w http.ResponseWriter, status int, err error) {
	service.WriteError(w, status, err, CodeOf(err))
}
