package hs

// RENDEZVOUS1 (service → rendezvous point):
//
//	cookie 20   the client's cookie from INTRODUCE
//	noise  48   Noise NK message 2: the service's ephemeral key, AEAD tag
//
// RENDEZVOUS2 (rendezvous point → client) is the noise part alone. The
// point learns the cookie it already holds and 48 bytes it cannot check.

import "fmt"

// ParseRendezvous1 splits a RENDEZVOUS1 into the cookie the rendezvous
// point looks up and the RENDEZVOUS2 it forwards to that cookie's circuit.
func ParseRendezvous1(b []byte) (Cookie, []byte, error) {
	if len(b) != CookieSize+Rendezvous2Size {
		return Cookie{}, nil, fmt.Errorf("%w: rendezvous1 of %d bytes", ErrMalformed, len(b))
	}
	return Cookie(b[:CookieSize]), b[CookieSize:], nil
}
