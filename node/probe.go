package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"cyclecash/overlay"
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
	MiBPerSecond float64 `json:"mib_per_s"`
	Error        string  `json:"error,omitempty"`
}

func (r *ProbeRequest) validate() (Target, error) {
	t, err := ParseTarget(r.To)
	if err != nil {
		return t, err
	}
	r.Count = or(r.Count, 1)
	r.Size = or(r.Size, 1<<20)
	if r.Hops < 0 || r.Hops > overlay.MaxHops || r.Count < 1 || r.Count > maxProbeCount || r.Size < 1 || r.Size > maxProbeSize {
		return t, fmt.Errorf("node: probe: hops 1..%d, count 1..%d, size 1..%d bytes", overlay.MaxHops, maxProbeCount, maxProbeSize)
	}
	t.Hops = r.Hops
	return t, nil
}

// Probe builds req.Count circuits one after another and measures each:
// build time, round-trip time (median of a few 1-byte echoes) and
// throughput (Size bytes echoed, counted once, over the time both
// directions took). A circuit that fails is reported with its error.
func (n *Node) Probe(ctx context.Context, req ProbeRequest) ([]ProbeResult, error) {
	t, err := req.validate()
	if err != nil {
		return nil, err
	}
	out := make([]ProbeResult, 0, req.Count)
	for i := range req.Count {
		r := n.probeOne(ctx, t, req.Size)
		r.Circuit = i + 1
		out = append(out, r)
		if ctx.Err() != nil {
			break
		}
	}
	return out, nil
}

func (n *Node) probeOne(ctx context.Context, t Target, size int) ProbeResult {
	c, err := n.BuildCircuit(ctx, t)
	if err != nil {
		return ProbeResult{Hops: or(t.Hops, overlay.DefaultHops) + 1, Error: err.Error()}
	}
	defer c.Close()
	r := ProbeResult{Destination: c.Destination().String(), Hops: c.Hops(), BuildMS: ms(c.BuildTime())}
	s, err := c.Dial(ctx, overlay.EchoService)
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
	if err != nil {
		r.Error = err.Error()
	}
	return r
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
