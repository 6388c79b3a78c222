package hs

import "errors"

// Sentinel errors.
var (
	ErrNoDescriptor   = errors.New("hs: no descriptor found for the address")
	ErrIntroFailed    = errors.New("hs: every introduction point failed")
	ErrRendezvous     = errors.New("hs: rendezvous failed")
	ErrRefused        = errors.New("hs: the service refused the port")
	ErrConfig         = errors.New("hs: bad hidden_service config")
	ErrStreamClosed   = errors.New("hs: stream closed")
	ErrUnexpectedCell = errors.New("hs: unexpected message")
	ErrSessionFull    = errors.New("hs: too many streams on one rendezvous")
)
