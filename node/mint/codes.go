package mint

import (
	"errors"

	"cyclecash/ledger"
)

// uncoded gives the control API a code for the ledger's sentinels that
// error_codes.md has none for (the Cashu API answers them with code 0 and
// an HTTP status), so a refusal still decodes back into its sentinel.
var uncoded = []struct {
	err  error
	code int
}{
	{ledger.ErrUnknownQuote, 29001},
	{ledger.ErrUnknownEscrow, 29002},
	{ledger.ErrTooManyQuotes, 29003},
	{ledger.ErrBadRequest, 29004},
}

// CodeOf is the control API code of a ledger refusal: its Cashu code, else
// one of uncoded, else 0.
func CodeOf(err error) int {
	if c := ledger.ErrorCode(err); c != 0 {
		return c
	}
	for _, u := range uncoded {
		if errors.Is(err, u.err) {
			return u.code
		}
	}
	return 0
}
