package hs

// Hidden-service relay commands, in onion's reserved range [32, 63] for
// hidden-service cells (onion.RelayHSFirst..RelayHSLast). Each message of
// this package is the data of one relay cell with stream ID 0 (a circuit
// message), at most MaxMessage bytes. Who sends what, at which hop:
//
//	ESTABLISH_INTRO       service → intro point (last hop of the service's circuit)
//	INTRO_ESTABLISHED     intro point → service
//	INTRODUCE1            client → intro point (last hop of the client's circuit)
//	INTRODUCE2            intro point → service, the INTRODUCE1 bytes unchanged
//	INTRODUCE_ACK         intro point → client
//	ESTABLISH_RENDEZVOUS  client → rendezvous point (last hop of the client's circuit)
//	RENDEZVOUS_ESTABLISHED rendezvous point → client
//	RENDEZVOUS1           service → rendezvous point (last hop of a new service circuit)
//	RENDEZVOUS2           rendezvous point → client, RENDEZVOUS1 minus the cookie;
//	                      from then on the point joins the two circuits
//	E2E                   client ↔ service through the joined circuits: the
//	                      rendezvous point passes the data on unchanged
type Command uint8

// The commands (numbers as onion.RelayCommand values).
const (
	CmdEstablishIntro        Command = 32
	CmdIntroEstablished      Command = 33
	CmdIntroduce1            Command = 34
	CmdIntroduce2            Command = 35
	CmdIntroduceAck          Command = 36
	CmdEstablishRendezvous   Command = 37
	CmdRendezvousEstablished Command = 38
	CmdRendezvous1           Command = 39
	CmdRendezvous2           Command = 40
	CmdE2E                   Command = 41
)

// MaxMessage is the data capacity of one relay cell (onion.MaxRelayData:
// the 509-byte body minus the 21-byte relay header). Every message here is
// at most this long; E2E cells are exactly this long.
const MaxMessage = 488

// IntroduceAck statuses (the one byte of INTRODUCE_ACK).
const (
	AckOK          byte = 0 // forwarded to the service
	AckUnknownKey  byte = 1 // no service circuit for that auth key
	AckBadFormat   byte = 2 // not an INTRODUCE1
	AckRateLimited byte = 3 // the intro point's rate limit refused it
)

// CookieSize is the size of a rendezvous cookie (rend-spec-v3 §3.2.1).
const CookieSize = 20

// Cookie names a client's circuit at its rendezvous point.
type Cookie [CookieSize]byte

// EstablishRendezvous returns ESTABLISH_RENDEZVOUS: the cookie, alone.
func EstablishRendezvous(c Cookie) []byte { return c[:] }

// ParseEstablishRendezvous parses ESTABLISH_RENDEZVOUS.
func ParseEstablishRendezvous(b []byte) (Cookie, error) {
	if len(b) != CookieSize {
		return Cookie{}, ErrMalformed
	}
	return Cookie(b), nil
}
