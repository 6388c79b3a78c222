package market

import (
	"net/http"

	"cyclecash/market"
	"cyclecash/node/service"
)

// apiCodes is the market's table of control API codes (34xxx: clear of
// the other services'; node's TestControlAPICodeTables): the operator
// endpoints' own ErrBadRequest and every sentinel of the market itself,
// which the operator view passes on. node decodes a code back into its
// sentinel. Codes are never reused: a sentinel that goes away leaves a gap.
var apiCodes = service.Codes{
	{Code: 34001, Err: ErrBadRequest},
	{Code: 34101, Err: market.ErrNotFound},
	{Code: 34102, Err: market.ErrBadInput},
	{Code: 34103, Err: market.ErrTooLarge},
	{Code: 34104, Err: market.ErrCSRF},
	{Code: 34105, Err: market.ErrRateLimited},
	{Code: 34106, Err: market.ErrLoginRequired},
	{Code: 34107, Err: market.ErrBadSecret},
	{Code: 34108, Err: market.ErrNotYours},
	{Code: 34109, Err: market.ErrSoldOut},
	{Code: 34110, Err: market.ErrWithdrawn},
	{Code: 34111, Err: market.ErrOwnListing},
	{Code: 34112, Err: market.ErrUnderpaid},
	{Code: 34113, Err: market.ErrPriceChanged},
	{Code: 34114, Err: market.ErrTokenUsed},
	{Code: 34115, Err: market.ErrTokenSpent},
	{Code: 34116, Err: market.ErrTokenInvalid},
	{Code: 34117, Err: market.ErrBadToken},
	{Code: 34118, Err: market.ErrMintDown},
	{Code: 34119, Err: market.ErrInsufficient},
	{Code: 34120, Err: market.ErrBadState},
	{Code: 34121, Err: market.ErrOperator},
	{Code: 34122, Err: market.ErrBadOperatorKey},
}

// CodeOf is the control API code of err: that of the first sentinel of
// apiCodes it wraps, or 0 (an internal failure).
func CodeOf(err error) int { return apiCodes.Of(err) }

// WriteAPIError answers a control API request with err under HTTP status
// and its code.
func WriteAPIError(w http.ResponseWriter, status int, err error) {
	apiCodes.Write(w, status, err)
}
