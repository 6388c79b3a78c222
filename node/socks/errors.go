package socks

import "errors"

// Errors a dial function wraps so the client gets the right reply code.
var (
	// ErrRefused: the service exists and refused the stream (reply 0x05).
	ErrRefused = errors.New("socks: connection refused")
	// ErrUnreachable: the service could not be reached (reply 0x04).
	ErrUnreachable = errors.New("socks: host unreachable")
	// ErrNotAllowed: the name is not one the node serves (reply 0x02).
	ErrNotAllowed = errors.New("socks: not allowed")
)

// Errors of the server itself.
var (
	// ErrNotLoopback: a listen address that is not a loopback IP literal.
	ErrNotLoopback = errors.New("socks: listen address must be a loopback IP (127.0.0.1 or ::1) with a port")
	// ErrMalformed: a client's bytes that are not SOCKS5.
	ErrMalformed = errors.New("socks: malformed request")
	// ErrAddrType: a request with an unknown address type.
	ErrAddrType = errors.New("socks: unknown address type")
)
