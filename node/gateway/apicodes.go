package gateway

import (
	"errors"
	"net/http"

	"cyclecash/node/service"
)

// Sentinel errors of the operator's payout endpoints on the control API.
var (
	// ErrPayoutMalformed: a payout request that is not a work.CashPayout.
	ErrPayoutMalformed = errors.New("node: gateway: malformed payout")
	// ErrPayoutTooMuch: a payout above the worker's credit.
	ErrPayoutTooMuch = errors.New("node: gateway: payout exceeds what is owed")
	// ErrPayoutReused: a payout ID already recorded for another payment.
	ErrPayoutReused = errors.New("node: gateway: payout ID already recorded for another payment")
)

// apiCodes is the gateway's table of control API codes (32xxx: clear of
// node's, the work protocol's and the mint's; node's
// TestControlAPICodeTables). node decodes a code back into its sentinel.
var apiCodes = service.Codes{
	{Code: 32001, Err: ErrPayoutMalformed},
	{Code: 32002, Err: ErrPayoutTooMuch},
	{Code: 32003, Err: ErrPayoutReused},
}

// CodeOf is the control API code of err: that of the first sentinel of
// apiCodes it wraps, or 0 (an internal failure).
func CodeOf(err error) int { return apiCodes.Of(err) }

// WriteAPIError answers a control API request with err under HTTP status
// and its code.
func WriteAPIError(w http.ResponseWriter, status int, err error) {
	apiCodes.Write(w, status, err)
}
