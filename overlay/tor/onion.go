package tor

import (
	"context"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"time"

	"github.com/cretz/bine/control"
	ma "github.com/multiformats/go-multiaddr"
)

// Onion is a published v3 onion service.
type Onion struct {
	Name string
	ID   string // the 56-character service ID (the .onion name without ".onion")
	Port int    // virtual port clients connect to
}

// Addr is the service's host:port, e.g. "abc…xyz.onion:80".
func (o *Onion) Addr() string { return o.ID + ".onion:" + strconv.Itoa(o.Port) }

// Multiaddr is the service as /onion3/<id>:<port>, dialable by Transport.
func (o *Onion) Multiaddr() ma.Multiaddr {
	m, err := ma.NewMultiaddr("/onion3/" + o.ID + ":" + strconv.Itoa(o.Port))
	if err != nil { // IDs come from tor and are checked in Publish
		panic("tor: onion multiaddr: " + err.Error())
	}
	return m
}

// Publish exposes the local TCP target (a loopback host:port) as the v3
// onion service name on the virtual port, with the key stored under the
// name in our data directory (created on first use), and waits until tor
// has uploaded the descriptor to at least one HSDir. The service lasts as
// long as this Tor.
func (t *Tor) Publish(ctx context.Context, name string, port int, target string) (*Onion, error) {
	path, err := t.cfg.keyPath(name)
	if err != nil {
		return nil, err
	}
	if err := checkTarget(target); err != nil {
		return nil, err
	}
	if port <= 0 || port > 65535 {
		return nil, fmt.Errorf("%w: bad virtual port", ErrBadAddr)
	}
	key, err := loadKey(path)
	if err != nil {
		return nil, err
	}
	ev, err := t.eventConn(ctx)
	if err != nil {
		return nil, err
	}
	defer ev.close()
	o, err := t.addOnion(name, port, target, key, path)
	if err != nil {
		return nil, err
	}
	if err := ev.waitUploaded(ctx, o.ID); err != nil {
		t.delOnion(o)
		return nil, err
	}
	t.log.Info("tor: onion service published", "name", name)
	return o, nil
}

// PublishListener publishes a net.Listener bound to loopback.
func (t *Tor) PublishListener(ctx context.Context, name string, port int, l net.Listener) (*Onion, error) {
	return t.Publish(ctx, name, port, l.Addr().String())
}

// checkTarget accepts only loopback TCP targets: tor must not become a
// proxy from the onion service to arbitrary hosts.
func checkTarget(target string) error {
	host, _, err := splitHostPort(target)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: onion target must be a loopback address", ErrBadAddr)
	}
	return nil
}

// addOnion runs ADD_ONION with the stored key (or asks tor for a new one,
// then stores it before the service is used).
func (t *Tor) addOnion(name string, port int, target string, key *control.ED25519Key, path string) (*Onion, error) {
	req := &control.AddOnionRequest{Ports: []*control.KeyVal{{Key: strconv.Itoa(port), Val: target}}}
	if key != nil {
		req.Key, req.Flags = key, []string{"DiscardPK"}
	} else {
		req.Key = control.GenKey(control.KeyAlgoED25519V3)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.Err(); err != nil {
		return nil, err
	}
	resp, err := t.ctl.AddOnion(req)
	if err != nil {
		return nil, t.ctlError("add onion", err)
	}
	if !validServiceID(resp.ServiceID) {
		return nil, fmt.Errorf("%w: tor returned a bad service id", ErrSOCKS)
	}
	o := &Onion{Name: name, ID: resp.ServiceID, Port: port}
	if key == nil {
		k, ok := resp.Key.(*control.ED25519Key)
		if !ok {
			_ = t.ctl.DelOnion(o.ID)
			return nil, fmt.Errorf("%w: tor returned no ed25519 key", ErrBadKey)
		}
		if err := storeKey(path, k); err != nil {
			_ = t.ctl.DelOnion(o.ID)
			return nil, err
		}
	}
	t.onions[name] = o
	return o, nil
}

func validServiceID(id string) bool {
	_, err := ma.NewMultiaddr("/onion3/" + id + ":1")
	return len(id) == 56 && err == nil
}

// Onions lists the published services.
func (t *Tor) Onions() []*Onion {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*Onion, 0, len(t.onions)+len(t.exported))
	for _, o := range t.onions {
		out = append(out, o)
	}
	for _, e := range t.exported {
		out = append(out, e.onion)
	}
	return out
}

func (t *Tor) delOnion(o *Onion) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_ = t.ctl.DelOnion(o.ID)
	delete(t.onions, o.Name)
}

// delOnions removes every service (for an attached tor); t.mu is held.
func (t *Tor) delOnions() {
	for name, o := range t.onions {
		_ = t.ctl.DelOnion(o.ID)
		delete(t.onions, name)
	}
}

// eventConn is a second control connection that only receives events, so
// event reading never interleaves with commands on the main connection.
type eventConn struct {
	ctl    *control.Conn
	ch     chan control.Event
	cancel context.CancelFunc
	errc   chan error
}

func (t *Tor) eventConn(ctx context.Context) (*eventConn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", t.ctlAddr)
	if err != nil {
		if e := t.Err(); e != nil {
			return nil, e
		}
		return nil, fmt.Errorf("%w: %s", ErrControlRefused, dialReason(err))
	}
	ctl := control.NewConn(textproto.NewConn(c))
	if err := ctl.Authenticate(t.cfg.ControlPassword); err != nil {
		ctl.Close()
		return nil, fmt.Errorf("%w: %v", ErrAuth, firstLine(err.Error()))
	}
	e := &eventConn{ctl: ctl, ch: make(chan control.Event, 64), errc: make(chan error, 1)}
	if err := ctl.AddEventListener(e.ch, control.EventCodeHSDesc); err != nil {
		ctl.Close()
		return nil, t.ctlError("setevents", err)
	}
	hctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() { e.errc <- ctl.HandleEvents(hctx) }()
	return e, nil
}

// waitUploaded waits for an HS_DESC UPLOADED event for the service.
func (e *eventConn) waitUploaded(ctx context.Context, id string) error {
	for {
		select {
		case ev := <-e.ch:
			if d, ok := ev.(*control.HSDescEvent); ok && d.Address == id && d.Action == "UPLOADED" {
				return nil
			}
		case err := <-e.errc:
			return fmt.Errorf("%w: event connection: %v", ErrTorExited, firstLine(err.Error()))
		case <-ctx.Done():
			return fmt.Errorf("%w: descriptor not uploaded: %w", ErrOnionUnreachable, ctx.Err())
		}
	}
}

// close stops the event reader. Closing the connection ends bine's reader
// goroutine; until then it may still be delivering, so drain for a while.
func (e *eventConn) close() {
	e.cancel()
	e.ctl.Close()
	go func() {
		stop := time.After(5 * time.Second)
		for {
			select {
			case <-e.ch:
			case <-stop:
				return
			}
		}
	}()
}
