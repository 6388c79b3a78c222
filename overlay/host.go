package overlay

import (
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2ptls "github.com/libp2p/go-libp2p/p2p/security/tls"
	ma "github.com/multiformats/go-multiaddr"
)

// HostLimits size one node's libp2p resource and connection managers.
// The zero value means the defaults of a standalone node.
type HostLimits struct {
	MemoryBytes int64 // resource manager memory budget; 0 = 256 MiB
	FDs         int   // file descriptors the host may use; 0 = 512
	ConnsLow    int   // connection manager trims down to this; 0 = 64
	ConnsHigh   int   // and starts trimming above this; 0 = 192
}

func (l HostLimits) withDefaults() HostLimits {
	if l.MemoryBytes == 0 {
		l.MemoryBytes = 256 << 20
	}
	if l.FDs == 0 {
		l.FDs = 512
	}
	if l.ConnsLow == 0 {
		l.ConnsLow = 64
	}
	if l.ConnsHigh == 0 {
		l.ConnsHigh = 192
	}
	return l
}

// newHost builds a libp2p host bound to exactly listen: TCP and QUIC
// transports, TLS and Noise security, yamux, a connection manager and a
// resource manager sized by limits, no metrics, no circuit relay, no NAT
// port mapping. A client-only host (gater set) neither learns nor
// advertises addresses from what peers observe, and connects only where the
// gater allows (DESIGN.md section 3: stealth nodes stay quiet).
func newHost(id crypto.PrivKey, listen []ma.Multiaddr, limits HostLimits, gater *clientGater, tor torHook) (host.Host, error) {
	limits = limits.withDefaults()
	scaling := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&scaling)
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(scaling.Scale(limits.MemoryBytes, limits.FDs)))
	if err != nil {
		return nil, fmt.Errorf("overlay: resource manager: %w", err)
	}
	cm, err := connmgr.NewConnManager(limits.ConnsLow, limits.ConnsHigh, connmgr.WithGracePeriod(30*time.Second))
	if err != nil {
		return nil, fmt.Errorf("overlay: connection manager: %w", err)
	}
	opts := append(tor.transports(), tor.addrs(), // host_tor.go
		libp2p.Identity(id),
		libp2p.Security(libp2ptls.ID, libp2ptls.New),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.ResourceManager(rm),
		libp2p.ConnectionManager(cm),
		libp2p.DisableMetrics(),
		libp2p.DisableRelay(),
	)
	if len(listen) == 0 {
		opts = append(opts, libp2p.NoListenAddrs)
	} else {
		opts = append(opts, libp2p.ListenAddrs(listen...))
	}
	if gater != nil {
		opts = append(opts, libp2p.DisableIdentifyAddressDiscovery(), libp2p.ConnectionGater(gater))
	}
	h, err := libp2p.New(opts...)
	if err != nil {
		rm.Close()
		return nil, fmt.Errorf("overlay: start host: %w", err)
	}
	return h, nil
}
