package socks

import (
	"fmt"
	"net"
	"net/netip"
)

// Listen listens on addr, which must be a loopback IP literal with a port
// ("127.0.0.1:9050", "[::1]:9050"). Host names are refused rather than
// resolved, and so are unspecified addresses (":9050", "0.0.0.0:9050"),
// which would expose the proxy to the network.
func Listen(addr string) (net.Listener, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().IsLoopback() {
		return nil, fmt.Errorf("%w: %q", ErrNotLoopback, addr)
	}
	return net.Listen("tcp", ap.String())
}

// checkLoopback refuses a listener that is not on a loopback address.
func checkLoopback(ln net.Listener) error {
	ta, ok := ln.Addr().(*net.TCPAddr)
	if !ok || !ta.IP.IsLoopback() {
		return fmt.Errorf("%w: listener on %s", ErrNotLoopback, ln.Addr().Network())
	}
	return nil
}
