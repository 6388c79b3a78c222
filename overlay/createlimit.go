package overlay

import (
	"net"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// CREATE admission, after Tor's DoS subsystem: a token bucket per
// neighbour and one per network prefix (IPv4 /16, IPv6 /32), so one host
// or one provider's range cannot spend the handshake workers of everyone.

// bucket is a token bucket; the caller holds the lock guarding it.
type bucket struct {
	tokens float64
	last   time.Time
}

// take refills the bucket at rate up to burst and takes one token.
func (b *bucket) take(now time.Time, rate float64, burst int) bool {
	if !b.last.IsZero() {
		b.tokens += now.Sub(b.last).Seconds() * rate
	} else {
		b.tokens = float64(burst)
	}
	b.tokens = min(b.tokens, float64(burst))
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// createLimiter holds the buckets; o.mu guards it.
type createLimiter struct {
	lim    *RelayLimits
	peers  map[peer.ID]*bucket
	subnet map[string]*bucket
}

// maxBuckets bounds each bucket map; past it, buckets that refilled are
// dropped (a full bucket is the same as none).
const maxBuckets = 4096

func newCreateLimiter(lim *RelayLimits) *createLimiter {
	return &createLimiter{lim: lim, peers: map[peer.ID]*bucket{}, subnet: map[string]*bucket{}}
}

// allow reports whether a CREATE from p at prefix may go on, and which
// bucket refused it otherwise ("peer" or "subnet").
func (c *createLimiter) allow(now time.Time, p peer.ID, prefix string) (bool, string) {
	pb := getBucket(c.peers, p, now, c.lim.PeerCreateRate, c.lim.PeerCreateBurst)
	if !pb.take(now, c.lim.PeerCreateRate, c.lim.PeerCreateBurst) {
		return false, "peer"
	}
	if prefix == "" {
		return true, ""
	}
	sb := getBucket(c.subnet, prefix, now, c.lim.SubnetCreateRate, c.lim.SubnetCreateBurst)
	if !sb.take(now, c.lim.SubnetCreateRate, c.lim.SubnetCreateBurst) {
		pb.tokens++ // the peer's token was not spent on a handshake
		return false, "subnet"
	}
	return true, ""
}

// penalty charges p's bucket for n refused CREATEs and returns how long
// p's link is not read: until the bucket holds a token again. The n-1
// CREATEs past the first refusal are charged as if admitted on credit (the
// bucket goes negative, at most by its burst), so a flooder's bucket
// refills to one token after its pause, not to a full burst of
// handshakes: it is read and admitted at a trickle, while a neighbour a
// little over its rate pays only for what it sent over. A refusal by the
// prefix's bucket waits for that bucket's next token.
func (c *createLimiter) penalty(now time.Time, p peer.ID, prefix string, nPeer uint64) time.Duration {
	pb := c.peers[p]
	if pb != nil && nPeer > 1 {
		pb.tokens = max(pb.tokens-float64(nPeer-1), -float64(c.lim.PeerCreateBurst))
	}
	d := pb.refillTime(now, c.lim.PeerCreateRate)
	if prefix != "" {
		d = max(d, c.subnet[prefix].refillTime(now, c.lim.SubnetCreateRate))
	}
	return d
}

// refillTime is how long until b, refilling at rate, holds a token; zero
// for no bucket (a full one).
func (b *bucket) refillTime(now time.Time, rate float64) time.Duration {
	if b == nil {
		return 0
	}
	have := b.tokens + now.Sub(b.last).Seconds()*rate
	if have >= 1 {
		return 0
	}
	return time.Duration((1 - have) / rate * float64(time.Second))
}

func getBucket[K comparable](m map[K]*bucket, k K, now time.Time, rate float64, burst int) *bucket {
	if b := m[k]; b != nil {
		return b
	}
	if len(m) >= maxBuckets {
		for key, b := range m {
			if b.tokens+now.Sub(b.last).Seconds()*rate >= float64(burst) {
				delete(m, key)
			}
		}
	}
	b := new(bucket)
	m[k] = b
	return b
}

// netPrefix is the /16 (IPv4) or /32 (IPv6) of a connection's remote
// address, as a map key; "" if it has none (relayed or unknown transports).
func netPrefix(remote ma.Multiaddr) string {
	ip, err := manet.ToIP(remote)
	if err != nil {
		return ""
	}
	if v4 := ip.To4(); v4 != nil {
		return string(v4[:2])
	}
	if len(ip) == net.IPv6len {
		return string(ip[:4])
	}
	return ""
}
