// Package probe measures circuits on demand: `cyclecash probe` asks its
// node (POST /v1/probe) to build fresh circuits to a target and push bytes
// through each one's echo service.
//
// Invariants: a probe is a diagnostic, not a load generator (count, size
// and hops are bounded); a result names the destination the user chose
// and counts hops, but never names a relay or an address.
package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"time"

	"cyclecash/node/service"
)

// Probe limits: a probe is a diagnostic, not a load generator.
const (
	maxProbeCount = 32
	maxProbeSize  = 256 << 20
	probePings    = 5
)

// ProbeRequest asks the node to build Count fresh circuits of Hops relays
// to To ("PEERID" or "role:NAME") and push Size bytes through the echo
// service on each.
type ProbeRequest struct {
	To    string `json:"to"`
	Hops  int    `json:"hops"`
	Count int    `json:"count"`
	Size  int    `json:"size"`
}

// ProbeResult is one probed circuit. It names the destination (which the
// user chose) and counts the hops, but never names a relay or an address.
type ProbeResult struct {
	Circuit      int     `json:"circuit"`
	Destination  string  `json:"destination,omitempty"`
	Hops         int     `json:"hops"`
	BuildMS      float64 `json:"build_ms"`
	RTTMS        float64 `json:"rtt_ms"`
	Bytes        int     `json:"bytes"`
	MiBPerSecond float64 `json:"mib_per_s"`         // Bytes echoed, counted once: both directions at once
	OneWay       float64 `json:"one_way_mib_per_s"` // Bytes sent to the discard service, MiB/s
	Error        string  `json:"error,omitempty"`
}

// Circuits is what a probe needs of the onion layer: fresh circuits.
type Circuits interface {
	// Check reports whether to names a destination ("PEERID" or "role:NAME").
	Check(to string) error
	// Build builds a fresh circuit of hops relays (0 = DefaultHops) to to.
	Build(ctx context.Context, to string, hops int) (Circuit, error)
	// MaxHops and DefaultHops bound and default a request's hops.
	MaxHops() int
	DefaultHops() int
}

// Circuit is one fresh circuit as the probe measures it.
type Circuit interface {
	// Echo opens a stream to the destination's echo service.
	Echo(ctx context.Context) (net.Conn, error)
	// Discard opens a stream to the destination's discard service
	// (ServeDiscard).
	Discard(ctx context.Context) (net.Conn, error)
	Destination() string // the peer ID the user's target resolved to
	Hops() int
	BuildTime() time.Duration
	Close() error
}

// Prober serves probes on the control API.
type Prober struct{ c Circuits }

// New registers the probe endpoint on h's control API.
func New(h service.Host, c Circuits) *Prober {
	p := &Prober{c: c}
	h.HandleAPI("POST /v1/probe", http.HandlerFunc(p.handleProbe))
	return p
}

// Run does nothing: a probe runs only when asked.
func (p *Prober) Run(context.Context) {}

// Close releases nothing.
func (p *Prober) Close() error { return nil }

func (p *Prober) validate(r *ProbeRequest) error {
	if err := p.c.Check(r.To); err != nil {
		return fmt.Errorf("%w: %w", ErrTarget, err)
	}
	r.Count = or(r.Count, 1)
	r.Size = or(r.Size, 1<<20)
	if max := p.c.MaxHops(); r.Hops < 0 || r.Hops > max || r.Count < 1 || r.Count > maxProbeCount || r.Size < 1 || r.Size > maxProbeSize {
		return fmt.Errorf("%w: hops 1..%d, count 1..%d, size 1..%d bytes", ErrBounds, max, maxProbeCount, maxProbeSize)
	}
	return nil
}

// Probe builds req.Count circuits one after another and measures each:
// build time, round-trip time (median of a few 1-byte echoes),
// throughput (Size bytes echoed, counted once, over the time both
// directions took) and one-way throughput (Size bytes to the discard
// service). A circuit that fails is reported with its error.
func (p *Prober) Probe(ctx context.Context, req ProbeRequest) ([]ProbeResult, error) {
	if err := p.validate(&req); err != nil {
		return nil, err
	}
	out := make([]ProbeResult, 0, req.Count)
	for i := range req.Count {
		r := p.probeOne(ctx, req.To, req.Hops, req.Size)
		r.Circuit = i + 1
		out = append(out, r)
		if ctx.Err() != nil {
			break
		}
	}
	return out, nil
}

func (p *Prober) probeOne(ctx context.Context, to string, hops, size int) ProbeResult {
	c, err := p.c.Build(ctx, to, hops)
	if err != nil {
		return ProbeResult{Hops: or(hops, p.c.DefaultHops()) + 1, Error: err.Error()}
	}
	defer c.Close()
	r := ProbeResult{Destination: c.Destination(), Hops: c.Hops(), BuildMS: ms(c.BuildTime())}
	s, err := c.Echo(ctx)
	if err == nil {
		defer s.Close()
		if deadline, ok := ctx.Deadline(); ok {
			s.SetDeadline(deadline)
		}
		var rtt time.Duration
		if rtt, err = pingRTT(s); err == nil {
			r.RTTMS = ms(rtt)
			r.Bytes = size
			r.MiBPerSecond, err = echoRate(s, size)
		}
	}
	if err == nil {
		r.OneWay, err = oneWay(ctx, c, size)
	}
	if err != nil {
		r.Error = err.Error()
	}
	return r
}

// oneWay sends size bytes through c to the discard service: MiB/s.
func oneWay(ctx context.Context, c Circuit, size int) (float64, error) {
	s, err := c.Discard(ctx)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	if deadline, ok := ctx.Deadline(); ok {
		s.SetDeadline(deadline)
	}
	return discardRate(s, size)
}

// pingRTT echoes one byte probePings times and returns the median.
func pingRTT(s io.ReadWriter) (time.Duration, error) {
	var rtts []time.Duration
	b := []byte{0}
	for range probePings {
		start := time.Now()
		if _, err := s.Write(b); err != nil {
			return 0, err
		}
		if _, err := io.ReadFull(s, b); err != nil {
			return 0, err
		}
		rtts = append(rtts, time.Since(start))
	}
	slices.Sort(rtts)
	return rtts[len(rtts)/2], nil
}

// echoRate writes size bytes while reading them back, in MiB/s.
func echoRate(s io.ReadWriter, size int) (float64, error) {
	buf := make([]byte, min(size, 1<<20))
	start := time.Now()
	werr := make(chan error, 1)
	go func() {
		var err error
		for left := size; left > 0 && err == nil; left -= len(buf) {
			_, err = s.Write(buf[:min(left, len(buf))])
		}
		werr <- err
	}()
	_, err := io.CopyN(io.Discard, s, int64(size))
	err = errors.Join(err, <-werr)
	if err != nil {
		return 0, err
	}
	return float64(size) / (1 << 20) / time.Since(start).Seconds(), nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
