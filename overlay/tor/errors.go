package tor

import "errors"

// Sentinel errors callers branch on with errors.Is. None names an address.
var (
	// ErrConfig: the Config is unusable; the message names the field.
	ErrConfig = errors.New("tor: bad config")
	// ErrTorMissing: the tor binary was not found (apt-get install tor, or set Binary).
	ErrTorMissing = errors.New("tor: tor binary not found")
	// ErrControlRefused: nothing accepts connections on the control port.
	ErrControlRefused = errors.New("tor: control port refused the connection")
	// ErrAuth: the control port rejected our authentication.
	ErrAuth = errors.New("tor: control port authentication failed")
	// ErrBootstrapTimeout: tor did not reach 100% within BootstrapTimeout.
	ErrBootstrapTimeout = errors.New("tor: bootstrap timed out")
	// ErrTorExited: the tor process is gone (crashed, killed or never came up).
	ErrTorExited = errors.New("tor: tor process exited")
	// ErrClosed: the Tor was closed.
	ErrClosed = errors.New("tor: closed")

	// ErrExitRefused: the exits refused or failed the stream (the
	// destination refused the connection, or exit policies forbid it).
	ErrExitRefused = errors.New("tor: exits refused the connection")
	// ErrUnreachable: tor found no route to the destination.
	ErrUnreachable = errors.New("tor: destination unreachable through tor")
	// ErrCircuitTimeout: tor gave up building a circuit or connecting.
	ErrCircuitTimeout = errors.New("tor: circuit or connect timed out")
	// ErrOnionUnreachable: the onion service's descriptor, introduction or
	// rendezvous failed.
	ErrOnionUnreachable = errors.New("tor: onion service unreachable")
	// ErrSOCKS: tor's SOCKS port answered outside the protocol or failed generally.
	ErrSOCKS = errors.New("tor: socks failure")
	// ErrBadAddr: the address cannot be dialled through tor.
	ErrBadAddr = errors.New("tor: address not dialable through tor")

	// ErrBadServiceName: a service name is empty or not [a-z0-9-]{1,32}.
	ErrBadServiceName = errors.New("tor: bad onion service name")
	// ErrBadKey: a stored onion service key file is corrupt.
	ErrBadKey = errors.New("tor: corrupt onion service key")
)
