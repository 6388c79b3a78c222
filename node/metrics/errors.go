package metrics

import "errors"

// ErrNotLoopback is returned for a metrics address that is not a loopback
// HOST:PORT.
var ErrNotLoopback = errors.New("metrics: the address must be a loopback HOST:PORT (127.0.0.1:9100 or [::1]:9100)")
