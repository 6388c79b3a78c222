package node

// The network side of node/hs (its Net interface) and the SOCKS5 service:
// hidden-service circuits end at a chosen relay through the node's guards,
// and descriptors travel through a circuit to a relay's directory front
// (overlay.HSDirService), never through this node's own DHT.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"

	"cyclecash/node/hs"
	nmarket "cyclecash/node/market"
	"cyclecash/node/socks"
	ohs "cyclecash/onion/hs"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/peer"
)

// hsNet implements hs.Net on the node.
type hsNet struct{ n *Node }

var _ hs.Net = hsNet{}

// hsCirc adapts an overlay.HSCircuit.
type hsCirc struct {
	*overlay.HSCircuit
	relay []byte
	key   [32]byte
}

func (c hsCirc) LastHop() ([]byte, [32]byte) { return c.relay, c.key }

func (c hsCirc) Send(cmd ohs.Command, data []byte) error { return c.HSCircuit.Send(uint8(cmd), data) }

func (c hsCirc) Recv(ctx context.Context) (ohs.Command, []byte, error) {
	m, err := c.HSCircuit.Recv(ctx)
	return ohs.Command(m.Cmd), m.Data, err
}

// randomRelay picks a relay of the live directory other than this node.
func (n *Node) randomRelay() (*overlay.Descriptor, error) {
	var relays []*overlay.Descriptor
	for _, d := range n.ov.Directory().Live() {
		if d.Peer != n.ID() && d.Roles&overlay.RoleRelay != 0 && n.circ.Reachable(d.Peer) {
			relays = append(relays, d)
		}
	}
	if len(relays) == 0 {
		return nil, overlay.ErrNoPath
	}
	return relays[rand.IntN(len(relays))], nil
}

func (h hsNet) Circuit(ctx context.Context, relay []byte) (hs.Circuit, error) {
	var d *overlay.Descriptor
	var err error
	if relay != nil && string(relay) == string(h.n.ID()) {
		return h.n.hsCircuitToSelf(ctx)
	}
	if relay == nil {
		d, err = h.n.randomRelay()
	} else {
		d, err = h.n.relayDescriptor(relay)
	}
	if err != nil {
		return nil, err
	}
	c, err := h.n.BuildCircuit(ctx, Target{Peer: d.Peer, HiddenService: true})
	if err != nil {
		return nil, err
	}
	return hsCirc{HSCircuit: c.HiddenService(), relay: []byte(d.Peer), key: d.OnionKey}, nil
}

// hsCircuitToSelf builds a circuit through guard and relays back to this
// node's own relay: a client may pick the service's node as its rendezvous
// point (or a service the client's node as an introduction point), and
// neither can tell. The relay end is the ordinary relay every node runs.
func (n *Node) hsCircuitToSelf(ctx context.Context) (hs.Circuit, error) {
	own, _, err := n.ov.Descriptor()
	if err != nil {
		return nil, fmt.Errorf("node: circuit to this node: %w", err)
	}
	rnd := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	for range dialAttempts {
		dir := []*overlay.Descriptor{own}
		for _, d := range n.ov.Directory().Live() {
			if d.Peer != n.ID() && n.circ.Reachable(d.Peer) {
				dir = append(dir, d)
			}
		}
		sel := overlay.NewPathSelector(dir, n.pathRules())
		req := overlay.PathRequest{Dest: n.ID()}
		if req.Layer2, err = n.vanguards.Layer2(sel, rnd); err != nil {
			break
		}
		var c *overlay.Circuit
		c, err = n.circ.BuildGuarded(ctx, n.guards, sel, req, rnd)
		if err == nil {
			return hsCirc{HSCircuit: c.HiddenService(), relay: []byte(own.Peer), key: own.OnionKey}, nil
		}
		if ctx.Err() != nil || !retryable(err) {
			break
		}
	}
	return nil, err
}

// relayDescriptor finds the descriptor of a relay named by peer ID bytes.
func (n *Node) relayDescriptor(relay []byte) (*overlay.Descriptor, error) {
	p, err := peer.IDFromBytes(relay)
	if err != nil {
		return nil, fmt.Errorf("node: hidden service names a bad relay: %w", overlay.ErrNoPath)
	}
	d, ok := n.ov.Directory().Get(p)
	if !ok {
		return nil, fmt.Errorf("node: hidden service names a relay not in the directory: %w", overlay.ErrNoPath)
	}
	return d, nil
}

// dirStream opens a stream to a random relay's directory front through a
// fresh circuit (the circuit is closed with the stream).
func (h hsNet) dirStream(ctx context.Context) (net.Conn, error) {
	d, err := h.n.randomRelay()
	if err != nil {
		return nil, err
	}
	c, err := h.n.BuildCircuit(ctx, Target{Peer: d.Peer, HiddenService: true})
	if err != nil {
		return nil, err
	}
	s, err := c.Dial(ctx, overlay.HSDirService)
	if err != nil {
		c.Close()
		return nil, err
	}
	return closeBoth{s, c}, nil
}

type closeBoth struct {
	net.Conn
	c *overlay.Circuit
}

func (c closeBoth) Close() error { c.Conn.Close(); return c.c.Close() }

func (h hsNet) DirPut(ctx context.Context, idx ohs.Index, value []byte) error {
	s, err := h.dirStream(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	return overlay.HSDirPut(s, idx, value)
}

func (h hsNet) DirGet(ctx context.Context, idx ohs.Index) ([]byte, error) {
	s, err := h.dirStream(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return overlay.HSDirGet(s, idx)
}

// buildHS builds the hidden-service role and, if configured, the SOCKS5
// proxy dialling through it; relays also serve the directory front and
// their directory on circuits.
func (n *Node) buildHS() error {
	if err := n.cfg.checkHS(); err != nil {
		return err
	}
	n.ov.ServeHSDir(n.circ)
	n.ov.ServeDirectoryOnCircuits(n.circ)
	r, err := hs.New(n.host, n.cfg.HiddenServices, hsNet{n}, hs.Options{Republish: n.cfg.HSRepublishForTest})
	if err != nil {
		return err
	}
	n.hs = n.add(r).(*hs.Role)
	if err := n.serveRolesHidden(r); err != nil {
		return err
	}
	return n.buildSocks(r)
}

// serveRolesHidden serves each "role:NAME" port of a hidden service with
// that role's handler, in process: the market hands the node its site,
// which needs no loopback port then ([market] listen = "off").
func (n *Node) serveRolesHidden(r *hs.Role) error {
	for _, role := range r.Targets() {
		var h http.Handler
		if m := find[*nmarket.Service](n); role == "market" && m != nil {
			h = m.Market()
		}
		if h == nil {
			return fmt.Errorf("node: hidden_service: port target role:%s, but this node serves no %s role", role, role)
		}
		for _, ln := range r.Listeners(role) {
			n.add(&hiddenHTTP{ln: ln, srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout: 30 * time.Second, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
				ErrorLog: slog.NewLogLogger(n.log.With("sys", "hs").Handler(), slog.LevelDebug)}})
		}
	}
	return nil
}

// hiddenHTTP serves a role's handler on an in-process hidden-service port.
type hiddenHTTP struct {
	ln  net.Listener
	srv *http.Server
}

func (s *hiddenHTTP) Run(ctx context.Context) {
	go func() { <-ctx.Done(); s.srv.Close() }()
	_ = s.srv.Serve(s.ln)
}

func (s *hiddenHTTP) Close() error { return ignoreClosed(s.srv.Close()) }

// buildSocks starts the SOCKS5 proxy if configured. The default address
// busy (a second node on the machine, or another proxy there) is one
// warning and no proxy; an address the user chose busy fails the start.
func (n *Node) buildSocks(r *hs.Role) error {
	addr := n.cfg.socksAddr()
	if addr == "" {
		return nil
	}
	s := &socksService{addr: addr}
	ln, err := socks.Listen(addr)
	switch {
	case err == nil:
		s.ln, s.srv = ln, &socks.Server{Dial: socksDial(r), Logger: n.log.With("sys", "socks")}
	case errors.Is(err, syscall.EADDRINUSE) && addr == DefaultSocks:
		n.log.Warn("socks: the default SOCKS5 port is busy, so this node runs no proxy; set socks to another loopback port, or off", "addr", addr)
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("%w: %s", ErrSocksBusy, addr)
	default:
		return fmt.Errorf("node: socks: %w", err)
	}
	n.add(s)
	return nil
}

// socksDial maps the role's errors onto SOCKS reply codes.
func socksDial(r *hs.Role) socks.DialFunc {
	return func(ctx context.Context, name string, port uint16) (net.Conn, error) {
		c, err := r.Dial(hs.WithIsolation(ctx, socks.IsolationFrom(ctx)), name, port)
		switch {
		case err == nil:
			return c, nil
		case errors.Is(err, hs.ErrRefused):
			return nil, fmt.Errorf("%w: %w", socks.ErrRefused, err)
		case errors.Is(err, ohs.ErrBadAddress), errors.Is(err, ohs.ErrBadChecksum), errors.Is(err, ohs.ErrBadVersion), errors.Is(err, ohs.ErrBadKey):
			return nil, fmt.Errorf("%w: %w", socks.ErrNotAllowed, err)
		}
		return nil, fmt.Errorf("%w: %w", socks.ErrUnreachable, err)
	}
}

// socksService runs the SOCKS5 server as a node service; ln is nil when
// the default address was busy.
type socksService struct {
	addr string
	ln   net.Listener
	srv  *socks.Server
}

func (s *socksService) Run(ctx context.Context) {
	if s.ln != nil {
		_ = s.srv.Serve(ctx, s.ln)
	}
}

func (s *socksService) Close() error {
	if s.ln == nil {
		return nil
	}
	return ignoreClosed(s.ln.Close())
}

// SocksAddr is the address the SOCKS5 proxy listens on, if any.
func (n *Node) SocksAddr() net.Addr {
	for _, s := range n.services {
		if ss, ok := s.(*socksService); ok && ss.ln != nil {
			return ss.ln.Addr()
		}
	}
	return nil
}

// SocksStatus is the SOCKS5 proxy's state for Status.
func (n *Node) SocksStatus() SocksStatus {
	for _, s := range n.services {
		if ss, ok := s.(*socksService); ok {
			if ss.ln == nil {
				return SocksStatus{Addr: ss.addr, State: "busy"}
			}
			return SocksStatus{Addr: ss.ln.Addr().String(), State: "listening"}
		}
	}
	return SocksStatus{State: "off"}
}

// HiddenServices lists the hosted hidden services.
func (n *Node) HiddenServices() []hs.Status {
	if n.hs == nil {
		return nil
	}
	return n.hs.Status()
}

// DialMesh connects to port of a `.mesh` address through the mesh.
func (n *Node) DialMesh(ctx context.Context, address string, port uint16) (net.Conn, error) {
	return n.hs.Dial(ctx, address, port)
}
