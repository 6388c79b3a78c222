package hs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"cyclecash/onion/hs"
)

// stepTimeout bounds each wait for an answer from a relay or the service.
const stepTimeout = 15 * time.Second

// Client dials `.mesh` addresses over n.
type Client struct {
	Net          Net
	PeriodLength time.Duration    // 0: hs.DefaultPeriodLength
	Now          func() time.Time // nil: time.Now

	mu       sync.Mutex
	sessions map[sessionKey]*pending
	descs    map[string]cachedDesc
	made     atomic.Uint64
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// Dial connects to port of address (`<base32>.mesh`) on a stream of the
// session to that address in ctx's isolation group (WithIsolation),
// making the session first if there is none: descriptor through a
// circuit, rendezvous circuit, introduction.
func (c *Client) Dial(ctx context.Context, address string, port uint16) (net.Conn, error) {
	key := sessionKey{address: address, group: isolationFrom(ctx)}
	var err error
	for try := range dialAttempts {
		var sess *session
		if sess, err = c.session(ctx, key, uint8(try)*retryEffortStep); err != nil {
			if ctx.Err() != nil || !(errors.Is(err, ErrRendezvous) || errors.Is(err, ErrIntroFailed)) {
				return nil, err
			}
			continue
		}
		var conn net.Conn
		if conn, err = openStream(ctx, sess, port); err == nil || errors.Is(err, ErrRefused) || ctx.Err() != nil {
			return conn, err
		}
		c.forget(key, sess) // the session broke under us: make another
	}
	return nil, err
}

// openStream opens a stream to port on sess.
func openStream(ctx context.Context, sess *session, port uint16) (*stream, error) {
	st, err := sess.open()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRendezvous, err)
	}
	if err := st.send(innerBegin, portBytes(port)); err != nil {
		st.Close()
		return nil, fmt.Errorf("%w: %w", ErrRendezvous, err)
	}
	ok, err := st.waitConnected(ctx)
	if err == nil && !ok {
		st.mu.Lock()
		err = st.rerr
		st.mu.Unlock()
		if err == nil {
			err = fmt.Errorf("%w: port %d", ErrRefused, port)
		}
	}
	if err != nil {
		st.Close()
		if !errors.Is(err, ErrRefused) {
			err = fmt.Errorf("%w: %w", ErrRendezvous, err)
		}
		return nil, err
	}
	return st, nil
}

// dialAttempts is how many rendezvous Dial tries: a relay on either side's
// circuit may go away mid-way, or the service's queue was too full to
// answer.
const dialAttempts = 3

// retryEffortStep is how many bits of proof of work each retry adds to
// the effort the descriptor suggests (proposal 327 §3.5: a client whose
// introduction went unanswered retries paying more). The suggested effort
// moves only at the service's next effort update and republish; a flood
// fills the queue at once, and a client paying what the flood pays waits
// behind it (or is dropped with it). 4 bits is 16 times the work: at
// effort 8, about 256 Argon2id hashes of PoWMemoryKiB each.
const retryEffortStep = 4

// clientMaxEffort caps what a retry adds (not what the descriptor asks):
// 2^16 hashes, seconds of one core.
const clientMaxEffort = 16

// dial makes one session, paying extra bits of proof of work beyond the
// descriptor's suggestion.
func (c *Client) dial(ctx context.Context, address string, extra uint8) (*session, error) {
	now := c.now()
	pub, indices, err := hs.FetchPlan(address, now, c.PeriodLength)
	if err != nil {
		return nil, fmt.Errorf("hs: %w", err)
	}
	d, err := c.descriptor(ctx, address, pub, indices, now, extra == 0)
	if err != nil {
		return nil, err
	}
	var pre *introCircuit
	if len(d.Intro) > 0 {
		pre = c.buildIntro(ctx, d.Intro[0].Relay)
		defer pre.release()
	}
	rp, cookie, err := c.rendezvousCircuit(ctx)
	if err != nil {
		return nil, err
	}
	intro, err := c.introduce(ctx, pub, d, rp, cookie, max(d.PoWEffort, min(clientMaxEffort, d.PoWEffort+extra)), pre)
	if err != nil {
		rp.Close()
		return nil, err
	}
	s, err := c.join(ctx, rp, intro)
	if err != nil {
		rp.Close()
		return nil, err
	}
	return s, nil
}

// fetch gets the descriptor under each index through circuits and opens
// the best one.
func (c *Client) fetch(ctx context.Context, pub hs.PublicKey, indices []hs.Index, now time.Time) (*hs.Descriptor, error) {
	var values [][]byte
	var last error
	for _, idx := range indices {
		v, err := c.Net.DirGet(ctx, idx)
		if err != nil {
			last = err
			continue
		}
		values = append(values, v)
		if d, err := hs.Best(values, pub, now, c.PeriodLength); err == nil {
			return d, nil
		}
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("%w (last: %w)", ErrNoDescriptor, last)
	}
	d, err := hs.Best(values, pub, now, c.PeriodLength)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDescriptor, err)
	}
	return d, nil
}

// rendezvousCircuit builds a circuit to a random relay and establishes a
// fresh cookie there.
func (c *Client) rendezvousCircuit(ctx context.Context) (Circuit, hs.Cookie, error) {
	var cookie hs.Cookie
	if _, err := rand.Read(cookie[:]); err != nil {
		return nil, cookie, err
	}
	rp, err := c.Net.Circuit(ctx, nil)
	if err != nil {
		return nil, cookie, fmt.Errorf("%w: %w", ErrRendezvous, err)
	}
	if err := rp.Send(hs.CmdEstablishRendezvous, hs.EstablishRendezvous(cookie)); err != nil {
		rp.Close()
		return nil, cookie, fmt.Errorf("%w: %w", ErrRendezvous, err)
	}
	if _, err := expect(ctx, rp, hs.CmdRendezvousEstablished); err != nil {
		rp.Close()
		return nil, cookie, fmt.Errorf("%w: %w", ErrRendezvous, err)
	}
	return rp, cookie, nil
}

// introduce sends INTRODUCE1 through each introduction point in turn until
// one forwards it.
func (c *Client) introduce(ctx context.Context, pub hs.PublicKey, d *hs.Descriptor, rp Circuit, cookie hs.Cookie, effort uint8, pre *introCircuit) (*hs.ClientIntro, error) {
	relay, key := rp.LastHop()
	var last error = errors.New("no introduction points")
	for i, ip := range d.Intro {
		circuit := func() (Circuit, error) { return c.Net.Circuit(ctx, ip.Relay) }
		if i == 0 && pre != nil {
			circuit = pre.take
		}
		ci, err := hs.NewClientIntro(hs.IntroduceRequest{Service: pub, Intro: ip, Period: d.Period, Time: c.now(),
			Cookie: cookie, RP: relay, RPOnionKey: key}, rand.Reader)
		if err != nil {
			return nil, err
		}
		if last = c.introduceAt(ctx, ci, circuit, d, effort); last == nil {
			return ci, nil
		}
	}
	return nil, fmt.Errorf("%w (last: %w)", ErrIntroFailed, last)
}

func (c *Client) introduceAt(ctx context.Context, ci *hs.ClientIntro, circuit func() (Circuit, error), d *hs.Descriptor, effort uint8) error {
	ch, err := ci.Challenge(d.PoWSeed)
	if err != nil {
		return err
	}
	sol, ok := ch.Solve(effort, rand.Reader, 0)
	if !ok {
		return errors.New("hs: proof of work not found")
	}
	msg, err := ci.Introduce1(sol)
	if err != nil {
		return err
	}
	circ, err := circuit()
	if err != nil {
		return err
	}
	defer circ.Close()
	if err := circ.Send(hs.CmdIntroduce1, msg); err != nil {
		return err
	}
	ack, err := expect(ctx, circ, hs.CmdIntroduceAck)
	if err != nil {
		return err
	}
	if st, err := hs.ParseIntroduceAck(ack); err != nil || st != hs.AckOK {
		return fmt.Errorf("hs: introduction point answered status %d", st)
	}
	return nil
}

// introCircuit is the circuit to the first introduction point, built
// while the rendezvous circuit is (as Tor's client does): the two builds
// overlap instead of adding up, which was most of the setup's tail.
type introCircuit struct {
	done  chan struct{}
	circ  Circuit
	err   error
	taken bool
}

func (c *Client) buildIntro(ctx context.Context, relay []byte) *introCircuit {
	ic := &introCircuit{done: make(chan struct{})}
	go func() {
		ic.circ, ic.err = c.Net.Circuit(ctx, relay)
		close(ic.done)
	}()
	return ic
}

// take waits for the circuit; the caller closes it.
func (ic *introCircuit) take() (Circuit, error) {
	<-ic.done
	ic.taken = true
	return ic.circ, ic.err
}

// release closes the circuit once built unless take had it.
func (ic *introCircuit) release() {
	taken := ic.taken
	go func() {
		<-ic.done
		if !taken && ic.circ != nil {
			ic.circ.Close()
		}
	}()
}

// join waits for RENDEZVOUS2 and completes the handshake.
func (c *Client) join(ctx context.Context, rp Circuit, ci *hs.ClientIntro) (*session, error) {
	r2, err := expect(ctx, rp, hs.CmdRendezvous2)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRendezvous, err)
	}
	e, err := ci.Rendezvous2(r2)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRendezvous, err)
	}
	s := newSession(rp, e, clientIdle, nil)
	go s.run()
	return s, nil
}

// expect waits for cmd from circ's last hop; anything else is an error.
func expect(ctx context.Context, circ Circuit, cmd hs.Command) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	got, data, err := circ.Recv(ctx)
	if err != nil {
		return nil, err
	}
	if got != cmd {
		return nil, fmt.Errorf("%w: %d, want %d", ErrUnexpectedCell, got, cmd)
	}
	return data, nil
}
