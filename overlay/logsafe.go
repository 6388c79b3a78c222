package overlay

import "regexp"

// addrPattern matches what may betray where a peer is: multiaddrs (with or
// without their protocol prefix), IPv4 and IPv6 literals, host:port pairs.
// Errors from libp2p quote dial addresses; they pass through scrub before
// any log line (DESIGN.md section 3: no peer address at any level).
var addrPattern = regexp.MustCompile(
	`/(ip4|ip6|dns|dns4|dns6|dnsaddr|tcp|udp|quic-v1|quic)/[^\s,;"')\]]*` +
		`|\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b` +
		`|\[?\b[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4}){2,7}\b\]?(:\d+)?`)

// scrub is err's text with every address replaced by "[addr]".
func scrub(err error) string {
	if err == nil {
		return ""
	}
	return addrPattern.ReplaceAllString(err.Error(), "[addr]")
}
