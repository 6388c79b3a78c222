package market

import (
	"errors"
	"net/http"

	"cyclecash/market"
	"cyclecash/node/service"
)

// apiCodes is the market's table of control API codes (34xxx: clear of
// the other services'; node's TestControlAPICodeTables): the operator
// endpoints' own ErrBadRequest and every sentinel of the market itself,
// which the operator view passes on. node decodes a code back into its
// sentinel. Codes are never reused: a sentinel that goes away leaves a gap.
var apiCodes = []struct {
	code int
	err  error
}{
	{34001, ErrBadRequest},
	{34101, market.ErrNotFound},
	{34102, market.ErrBadInput},
	{34103, market.ErrTooLarge},
	{34104, market.ErrCSRF},
	{34105, market.ErrRateLimited},
	{34106, market.ErrLoginRequired},
	{34107, market.ErrBadSecret},
	{34108, market.ErrNotYours},
	{34109, market.ErrSoldOut},
	{34110, market.ErrWithdrawn},
	{34111, market.ErrOwnListing},
	{34112, market.ErrUnderpaid},
	{34113, market.ErrPriceChanged},
	{34114, market.ErrTokenUsed},
	{34115, market.ErrTokenSpent},
	{34116, market.ErrTokenInvalid},
	{34117, market.ErrBadToken},
	{34118, market.ErrMintDown},
	{34119, market.ErrInsufficient},
	{34120, market.ErrBadState},
	{34121, market.ErrOperator},
	{34122, market.ErrBadOperatorKey},
}

// CodeOf is the control API code of err: that of the first sentinel of
// apiCodes it wraps, or 0 (an internal failure).
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
