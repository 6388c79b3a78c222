package tor

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// The PROXY protocol, version 1 (HAProxy's proxy-protocol.txt, section
// 2.1), as tor writes it for an onion service with
// HiddenServiceExportCircuitID haproxy: before the client's bytes, one line
//
//	PROXY TCP6 fc00:dead:beef:4dad::<hi>:<lo> ::1 <lo> <virtport>\r\n
//
// whose source address carries the global ID (hi<<16 | lo) of the Tor
// circuit the connection arrived on. Every onion client comes from
// loopback; this address is the only thing that tells two apart.

// maxProxyLine is the spec's bound on a v1 header, CRLF included.
const maxProxyLine = 107

// ErrProxyHeader: a connection to an exported onion service did not start
// with a valid PROXY v1 header.
var ErrProxyHeader = errors.New("tor: bad proxy protocol header")

// ProxyHeader is one parsed v1 header. Proto is "TCP4", "TCP6" or
// "UNKNOWN"; the addresses and ports are zero for UNKNOWN.
type ProxyHeader struct {
	Proto            string
	Src, Dst         net.IP
	SrcPort, DstPort int
}

// circuitPrefix is the /64 tor puts circuit IDs in (tor's
// connection_edge.c, export_hs_client_circuit_id).
var circuitPrefix = net.ParseIP("fc00:dead:beef:4dad::")

// CircuitID is the Tor circuit a header names, and whether it names one.
func (h ProxyHeader) CircuitID() (uint32, bool) {
	ip := h.Src.To16()
	if h.Proto != "TCP6" || ip == nil || h.Src.To4() != nil || [8]byte(ip[:8]) != [8]byte(circuitPrefix.To16()[:8]) ||
		ip[8]|ip[9]|ip[10]|ip[11] != 0 {
		return 0, false
	}
	return uint32(ip[12])<<24 | uint32(ip[13])<<16 | uint32(ip[14])<<8 | uint32(ip[15]), true
}

// String is the header as it goes on the wire, CRLF included.
func (h ProxyHeader) String() string {
	if h.Proto == "UNKNOWN" {
		return "PROXY UNKNOWN\r\n"
	}
	return fmt.Sprintf("PROXY %s %s %s %d %d\r\n", h.Proto, h.Src, h.Dst, h.SrcPort, h.DstPort)
}

// ReadProxyHeader reads and parses one v1 header from r, consuming
// exactly its bytes (at most 107).
func ReadProxyHeader(r *bufio.Reader) (ProxyHeader, error) {
	var line []byte
	for len(line) < maxProxyLine {
		b, err := r.ReadByte()
		if err != nil {
			return ProxyHeader{}, fmt.Errorf("%w: %v", ErrProxyHeader, err)
		}
		line = append(line, b)
		if b == '\n' {
			return ParseProxyHeader(string(line))
		}
	}
	return ProxyHeader{}, fmt.Errorf("%w: longer than %d bytes", ErrProxyHeader, maxProxyLine)
}

// ParseProxyHeader parses one complete header line, CRLF included.
func ParseProxyHeader(line string) (ProxyHeader, error) {
	body, ok := strings.CutSuffix(line, "\r\n")
	if !ok || len(line) > maxProxyLine || strings.ContainsAny(body, "\r\n") {
		return ProxyHeader{}, fmt.Errorf("%w: not one CRLF-terminated line", ErrProxyHeader)
	}
	f := strings.Split(body, " ")
	if len(f) < 2 || f[0] != "PROXY" {
		return ProxyHeader{}, fmt.Errorf("%w: no PROXY signature", ErrProxyHeader)
	}
	if f[1] == "UNKNOWN" { // the rest of the line is to be ignored
		return ProxyHeader{Proto: "UNKNOWN"}, nil
	}
	if len(f) != 6 || (f[1] != "TCP4" && f[1] != "TCP6") {
		return ProxyHeader{}, fmt.Errorf("%w: want PROXY TCP4|TCP6 src dst sport dport", ErrProxyHeader)
	}
	h := ProxyHeader{Proto: f[1]}
	var err error
	if h.Src, err = proxyIP(f[2], h.Proto); err == nil {
		h.Dst, err = proxyIP(f[3], h.Proto)
	}
	if err == nil {
		h.SrcPort, err = proxyPort(f[4])
	}
	if err == nil {
		h.DstPort, err = proxyPort(f[5])
	}
	if err != nil {
		return ProxyHeader{}, err
	}
	return h, nil
}

// proxyIP parses an address of the family proto names.
func proxyIP(s, proto string) (net.IP, error) {
	ip := net.ParseIP(s)
	v4 := ip != nil && ip.To4() != nil // IPv4-mapped IPv6 counts as IPv4
	if ip == nil || (proto == "TCP4") != v4 || (v4 && strings.Contains(s, ":")) {
		return nil, fmt.Errorf("%w: bad %s address", ErrProxyHeader, proto)
	}
	if v4 {
		return ip.To4(), nil
	}
	return ip, nil
}

// proxyPort parses a decimal port 0-65535 without sign or leading zeros.
func proxyPort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 0 || p > 65535 || strconv.Itoa(p) != s {
		return 0, fmt.Errorf("%w: bad port", ErrProxyHeader)
	}
	return p, nil
}
