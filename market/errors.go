package market

import "errors"

// Sentinel errors. Their messages are what a visitor sees on a page, so
// they are one lower-case line and never carry secrets or addresses.
var (
	ErrNotFound       = errors.New("market: not found")
	ErrBadInput       = errors.New("market: bad input")
	ErrTooLarge       = errors.New("market: request too large")
	ErrCSRF           = errors.New("market: form expired or forged; reload the page and try again")
	ErrRateLimited    = errors.New("market: too many requests; try again in a minute")
	ErrLoginRequired  = errors.New("market: log in first")
	ErrBadSecret      = errors.New("market: unknown account secret")
	ErrNotYours       = errors.New("market: not yours")
	ErrSoldOut        = errors.New("market: not enough left in stock")
	ErrWithdrawn      = errors.New("market: listing withdrawn")
	ErrOwnListing     = errors.New("market: you cannot buy your own listing")
	ErrUnderpaid      = errors.New("market: token is worth less than the price")
	ErrPriceChanged   = errors.New("market: the price changed; check the listing again")
	ErrTokenUsed      = errors.New("market: this token was already used to pay here")
	ErrTokenSpent     = errors.New("market: this token was already spent at the mint")
	ErrTokenInvalid   = errors.New("market: token is not valid at the mint")
	ErrBadToken       = errors.New("market: not a valid cashuB token of this mint")
	ErrMintDown       = errors.New("market: the mint did not answer; the payment is held and will be retried")
	ErrInsufficient   = errors.New("market: balance too low")
	ErrBadState       = errors.New("market: not possible in this state")
	ErrOperator       = errors.New("market: operator only")
	ErrBadOperatorKey = errors.New("market: wrong operator secret")
)

// errReadOnly is returned by a Tx of View asked to write.
var errReadOnly = errors.New("market: write in a read-only transaction")
