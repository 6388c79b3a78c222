package mintapi

import "errors"

// errRateLimited is reported (HTTP 429) to a client creating quotes faster
// than its budget.
var errRateLimited = errors.New("ledger: too many quote requests, slow down")
