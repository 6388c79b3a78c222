package overlay

import (
	"fmt"
	"net"

	ma "github.com/multiformats/go-multiaddr"
)

// Subnet rules work on the addresses a node actually dials: a descriptor's
// addresses, each an IP literal. A name (/dns4, /dns6, /dnsaddr) could
// resolve to anything at dial time, so two relays could share a subnet
// behind different names; such descriptors are refused outright.

// checkAddrs refuses any address that is not an IP literal, or is one that
// names no host (unspecified, multicast); onion addresses follow
// onionaddr.go's rules.
func checkAddrs(addrs []ma.Multiaddr) error {
	ips := 0
	for i, a := range addrs {
		if isOnionAddr(a) {
			continue
		}
		ips++
		ip := addrIP(a)
		if ip == nil {
			return fmt.Errorf("%w: address %d is not an IP literal", ErrAddrNotIP, i)
		}
		if ip.IsUnspecified() || ip.IsMulticast() {
			return fmt.Errorf("%w: address %d names no host", ErrAddrNotIP, i)
		}
	}
	return checkOnionAddrs(addrs, ips)
}

// addrIP is the IP a multiaddr starts with, or nil when it starts with
// anything else (a DNS name, a bare port, a circuit relay).
func addrIP(a ma.Multiaddr) net.IP {
	if len(a) == 0 {
		return nil
	}
	c := a[0]
	switch c.Code() {
	case ma.P_IP4, ma.P_IP6:
		return net.IP(c.RawValue())
	}
	return nil
}

// subnetOf names the IPv4 /16 or IPv6 /32 of ip; loopback addresses are
// their own network each under rules.LoopbackDistinct (test networks).
func subnetOf(ip net.IP, rules PathRules) string {
	if rules.LoopbackDistinct && ip.IsLoopback() {
		return ""
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.Mask(net.CIDRMask(16, 32)).String()
	}
	return ip.Mask(net.CIDRMask(32, 128)).String()
}

// subnets lists the networks a relay can be reached in. A relay without a
// usable address gets a marker that conflicts with every other relay, so
// it can never share a path with anyone: an address the rule cannot see is
// an address the rule cannot enforce.
func subnets(d *Descriptor, rules PathRules) []string {
	var out []string
	ips := 0
	for _, a := range d.Addrs {
		if isOnionAddr(a) { // says nothing of where the relay is
			continue
		}
		ip := addrIP(a)
		if ip == nil {
			return []string{unknownSubnet}
		}
		ips++
		if s := subnetOf(ip, rules); s != "" {
			out = append(out, s)
		}
	}
	if ips == 0 {
		return []string{unknownSubnet}
	}
	return out
}

const unknownSubnet = "?"

func sameSubnet(a, b *Descriptor, rules PathRules) bool {
	return netsOverlap(subnets(a, rules), subnets(b, rules))
}

// netsOverlap reports whether two subnet lists (from subnets) share a
// network; the unknown marker overlaps everything.
func netsOverlap(sa, sb []string) bool {
	if (len(sa) > 0 && sa[0] == unknownSubnet) || (len(sb) > 0 && sb[0] == unknownSubnet) {
		return true
	}
	for _, x := range sa {
		for _, y := range sb {
			if x == y {
				return true
			}
		}
	}
	return false
}

// reachedListed reports whether remote, the address a link to the relay
// of d actually runs over, lies in a network d lists (or is one of its
// onion addresses). Path rules are checked on the descriptor's addresses,
// but libp2p dials every address it holds for a peer, including ones
// learnt outside the descriptor: a relay listing addresses in other
// networks than it sits in would pass the subnet rule beside a sibling.
func reachedListed(remote ma.Multiaddr, d *Descriptor, rules PathRules) bool {
	if isOnionAddr(remote) {
		for _, a := range d.Addrs {
			if a.Equal(remote) {
				return true
			}
		}
		return false
	}
	ip := addrIP(remote)
	if ip == nil {
		return false
	}
	at := subnetOf(ip, rules)
	if at == "" {
		return true // a loopback test network: each relay its own
	}
	for _, s := range subnets(d, rules) {
		if s == at {
			return true
		}
	}
	return false
}
