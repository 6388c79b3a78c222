package tor

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strconv"
)

// SOCKS5 (RFC 1928) with username/password authentication (RFC 1929),
// used only towards tor's own SOCKS port. Tor treats the credentials as an
// isolation key (IsolateSOCKSAuth): streams with different usernames never
// share a circuit.
const (
	socksVersion  = 5
	socksAuthUser = 2 // method: username/password
	socksUserVer  = 1 // RFC 1929 subnegotiation version
	socksConnect  = 1
	atypIPv4      = 1
	atypDomain    = 3
	atypIPv6      = 4
)

// socksReplyError maps a SOCKS reply code to our sentinels. Codes 0xF0-0xF7
// are tor's extended onion errors (tor's socks-extensions.txt, "Extended
// error codes"; enabled by SocksPort's ExtendedErrors flag).
func socksReplyError(code byte) error {
	switch code {
	case 0x00:
		return nil
	case 0x01, 0x02, 0x05:
		// general failure: tor's answer once exits refused or failed the
		// stream at three places in turn; not allowed; refused
		return fmt.Errorf("%w (socks reply %d)", ErrExitRefused, code)
	case 0x03, 0x04, 0x08: // network / host unreachable, address type
		return fmt.Errorf("%w (socks reply %d)", ErrUnreachable, code)
	case 0x06: // TTL expired: tor's code for a timed-out circuit or connect
		return fmt.Errorf("%w (socks reply %d)", ErrCircuitTimeout, code)
	case 0xF6:
		return fmt.Errorf("%w (bad onion address)", ErrBadAddr)
	}
	if code >= 0xF0 && code <= 0xF7 {
		return fmt.Errorf("%w (socks reply 0x%x)", ErrOnionUnreachable, code)
	}
	return fmt.Errorf("%w (socks reply %d)", ErrSOCKS, code)
}

// socksHandshake runs greeting, credentials and CONNECT in turn (tor
// loses replies when the three are pipelined) and returns the reply's error.
func socksHandshake(rw io.ReadWriter, user, host string, port int) error {
	connect, err := connectRequest(host, port)
	if err != nil {
		return err
	}
	if len(user) == 0 || len(user) > 255 {
		return fmt.Errorf("%w: bad isolation key", ErrBadAddr)
	}
	if err := socksStep(rw, []byte{socksVersion, 1, socksAuthUser}, socksVersion, socksAuthUser); err != nil {
		return err
	}
	auth := append([]byte{socksUserVer, byte(len(user))}, user...)
	auth = append(auth, 1, '-') // password: constant; the username is the key
	if err := socksStep(rw, auth, socksUserVer, 0); err != nil {
		return err
	}
	if _, err := rw.Write(connect); err != nil {
		return fmt.Errorf("%w: %v", ErrSOCKS, err)
	}
	return readConnectReply(rw)
}

// socksStep writes msg and expects the two-byte answer {v0, v1}.
func socksStep(rw io.ReadWriter, msg []byte, v0, v1 byte) error {
	if _, err := rw.Write(msg); err != nil {
		return fmt.Errorf("%w: %v", ErrSOCKS, err)
	}
	var m [2]byte
	if _, err := io.ReadFull(rw, m[:]); err != nil {
		return fmt.Errorf("%w: %v", ErrSOCKS, err)
	}
	if m[0] != v0 || m[1] != v1 {
		return fmt.Errorf("%w: handshake refused", ErrSOCKS)
	}
	return nil
}

// connectRequest encodes CONNECT host:port (RFC 1928 section 4).
func connectRequest(host string, port int) ([]byte, error) {
	if len(host) == 0 || len(host) > 255 || port <= 0 || port > 65535 {
		return nil, fmt.Errorf("%w: bad socks request", ErrBadAddr)
	}
	b := []byte{socksVersion, socksConnect, 0}
	if ip := net.ParseIP(host); ip != nil && ip.To4() != nil {
		b = append(append(b, atypIPv4), ip.To4()...)
	} else if ip != nil {
		b = append(append(b, atypIPv6), ip.To16()...)
	} else {
		b = append(append(b, atypDomain, byte(len(host))), host...)
	}
	return binary.BigEndian.AppendUint16(b, uint16(port)), nil
}

// readConnectReply parses VER REP RSV ATYP BND.ADDR BND.PORT.
func readConnectReply(r io.Reader) error {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return fmt.Errorf("%w: %v", ErrSOCKS, err)
	}
	if h[0] != socksVersion || h[2] != 0 {
		return fmt.Errorf("%w: malformed reply", ErrSOCKS)
	}
	n, err := addrLen(r, h[3])
	if err != nil {
		return err
	}
	if _, err := io.CopyN(io.Discard, r, int64(n)+2); err != nil {
		return fmt.Errorf("%w: %v", ErrSOCKS, err)
	}
	return socksReplyError(h[1])
}

func addrLen(r io.Reader, atyp byte) (int, error) {
	switch atyp {
	case atypIPv4:
		return 4, nil
	case atypIPv6:
		return 16, nil
	case atypDomain:
		var l [1]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return 0, fmt.Errorf("%w: %v", ErrSOCKS, err)
		}
		return int(l[0]), nil
	}
	return 0, fmt.Errorf("%w: address type %d", ErrSOCKS, atyp)
}

// splitHostPort splits host:port with a numeric port.
func splitHostPort(addr string) (string, int, error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("%w: not host:port", ErrBadAddr)
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("%w: bad port", ErrBadAddr)
	}
	return host, port, nil
}
