package overlay

import (
	"fmt"

	ma "github.com/multiformats/go-multiaddr"
)

// Onion addresses in descriptors (the Tor bridge, DESIGN.md section 8).
//
// A relay may list one /onion3/<id>:<port> address beside its IP
// literals, so workers that can reach it only through Tor can link to it.
// An onion address says nothing about where the relay is, and anyone can
// mint them for free, so subnet rules ignore it: such a descriptor must
// still list at least one IP literal, and its subnets (path rules, the
// directory's per-/16 quotas) are those of its IP literals alone. A relay
// therefore cannot escape the quotas by hiding behind onions, and a
// descriptor that is only onions is refused like one with a /dns name.
// The onion address must be bare (no trailing components) and is dialled
// only through Tor (overlay/tor's transport); nodes without Tor have no
// transport for it and never dial it.

// maxOnionAddrs bounds the onion addresses of one descriptor.
const maxOnionAddrs = 1

// isOnionAddr reports whether a is exactly /onion3/<id>:<port>.
func isOnionAddr(a ma.Multiaddr) bool {
	return len(a) == 1 && a[0].Code() == ma.P_ONION3
}

// checkOnionAddrs applies the rules above to the onion addresses of a
// descriptor whose other addresses checkAddrs has seen (ips of them).
func checkOnionAddrs(addrs []ma.Multiaddr, ips int) error {
	n := 0
	for _, a := range addrs {
		if isOnionAddr(a) {
			n++
		}
	}
	switch {
	case n > maxOnionAddrs:
		return fmt.Errorf("%w: more than %d onion address", ErrAddrNotIP, maxOnionAddrs)
	case n > 0 && ips == 0:
		return fmt.Errorf("%w: an onion address needs an IP literal beside it", ErrAddrNotIP)
	}
	return nil
}
