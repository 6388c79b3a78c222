// Package hs is the sans-IO core of hidden services on the mesh, after Tor's
// v3 onion services (rend-spec-v3, proposals 224 and 327): addresses
// (`<base32>.mesh`), per-period blinded signing keys, encrypted descriptors,
// the INTRODUCE and RENDEZVOUS message formats with their Noise handshake,
// the end-to-end layer the rendezvous point cannot read, the INTRODUCE
// replay cache, and the proof of work that orders introductions under load.
//
// Policy: bytes in, bytes out. The package never dials, sleeps, reads a
// clock or touches a file; time and randomness are passed in. It imports
// nothing else of ours (the onion rule of internal/deptest), so it does not
// know the relay-cell framing: every message here fits MaxMessage bytes, the
// data capacity of one relay cell, and the caller puts it in a relay cell of
// the matching Command. Key files live in the subpackage hskey.
//
// Deliberately absent: client authorization (Tor's restricted discovery),
// single-onion mode, and the hsdir hash ring (the mesh stores descriptors in
// its DHT under Index keys instead).
package hs
