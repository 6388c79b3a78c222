package socks

// SOCKS5 wire formats (RFC 1928 §3–6, RFC 1929 §2). A request:
//
//	VER 1 (5) | CMD 1 | RSV 1 (0) | ATYP 1 | DST.ADDR | DST.PORT 2
//
// DST.ADDR is 4 bytes (ATYP 1, IPv4), a length byte and that many bytes
// (ATYP 3, domain name), or 16 bytes (ATYP 4, IPv6). A reply has the same
// shape with REP in place of CMD; ours always carry BND = 0.0.0.0:0, since
// a mesh stream has no local address worth telling.

import (
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
)

// Protocol constants.
const (
	version5                                       = 5
	authVer                                        = 1
	methodNone, methodUserPass, methodNoAcceptable = 0x00, 0x02, 0xFF

	CmdConnect      = 1
	CmdBind         = 2
	CmdUDPAssociate = 3

	AtypIPv4   = 1
	AtypDomain = 3
	AtypIPv6   = 4
)

// Reply codes (RFC 1928 §6).
const (
	RepSucceeded        = 0x00
	RepGeneralFailure   = 0x01
	RepNotAllowed       = 0x02
	RepHostUnreachable  = 0x04
	RepRefused          = 0x05
	RepTTLExpired       = 0x06
	RepCmdNotSupported  = 0x07
	RepAtypNotSupported = 0x08
)

// Request is a parsed SOCKS5 request.
type Request struct {
	Cmd  byte
	Atyp byte
	Name string     // ATYP 3
	IP   netip.Addr // ATYP 1 and 4
	Port uint16
}

// ReadRequest reads exactly one request from r. An unknown ATYP yields
// ErrAddrType after the header, so the caller can still answer 0x08.
func ReadRequest(r io.Reader) (Request, error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return Request{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if h[0] != version5 || h[2] != 0 {
		return Request{}, fmt.Errorf("%w: version %d", ErrMalformed, h[0])
	}
	req := Request{Cmd: h[1], Atyp: h[3]}
	var err error
	switch req.Atyp {
	case AtypIPv4:
		var a [4]byte
		_, err = io.ReadFull(r, a[:])
		req.IP = netip.AddrFrom4(a)
	case AtypIPv6:
		var a [16]byte
		_, err = io.ReadFull(r, a[:])
		req.IP = netip.AddrFrom16(a)
	case AtypDomain:
		req.Name, err = readString(r)
	default:
		return req, ErrAddrType
	}
	var port [2]byte
	if err == nil {
		_, err = io.ReadFull(r, port[:])
	}
	if err != nil {
		return Request{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	req.Port = binary.BigEndian.Uint16(port[:])
	return req, nil
}

func readString(r io.Reader) (string, error) {
	var n [1]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return "", err
	}
	b := make([]byte, n[0])
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return string(b), nil
}

// Append appends the wire form of req to b (a client's view; used by tests
// and the fuzz target's round trip).
func (req Request) Append(b []byte) []byte {
	b = append(b, version5, req.Cmd, 0, req.Atyp)
	switch req.Atyp {
	case AtypIPv4, AtypIPv6:
		b = append(b, req.IP.AsSlice()...)
	case AtypDomain:
		b = append(b, byte(len(req.Name)))
		b = append(b, req.Name...)
	}
	return binary.BigEndian.AppendUint16(b, req.Port)
}

// reply is a reply with the given code and BND = 0.0.0.0:0.
func reply(code byte) []byte {
	return []byte{version5, code, 0, AtypIPv4, 0, 0, 0, 0, 0, 0}
}
