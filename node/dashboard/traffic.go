package dashboard

import (
	"sync"
	"time"

	"cyclecash/node/service"
)

// Traffic sampling for the dashboard: a ring of samples taken every
// sampleEvery, enough for the last hour.
const (
	sampleEvery = 5 * time.Second
	sampleCount = 720
)

// Traffic is a node's onion traffic at one instant. Counters are
// cumulative since the node started.
type Traffic struct {
	At time.Time `json:"at"`
	// Circuits are this node's open client circuits; Relaying the circuits
	// of others passing through or ending here.
	Circuits int `json:"circuits"`
	Relaying int `json:"relaying"`
	// CircuitBytes counts stream bytes, both ways, on this node's client
	// circuits; CarriedBytes the same weighted by the relays on each path:
	// the bytes other nodes relayed for this one.
	CircuitBytes uint64 `json:"circuit_bytes"`
	CarriedBytes uint64 `json:"carried_bytes"`
	// RelayedBytes counts cell bytes this node relayed for others.
	RelayedBytes uint64 `json:"relayed_bytes"`
}

// trafficMeter turns the onion layer's snapshots of open circuits into
// cumulative counters, and keeps the ring of samples.
type trafficMeter struct {
	figures func() service.NodeFigures

	mu          sync.Mutex
	lastOpen    uint64 // stream bytes on the circuits open at the last look
	lastCarried uint64
	total       Traffic
	ring        []Traffic
	next        int
}

func newTrafficMeter(f func() service.NodeFigures) *trafficMeter { return &trafficMeter{figures: f} }

// look reads the onion layer now and advances the counters. Bytes of a
// circuit that closed between two looks after its last look are lost;
// open circuits are reused (DialService), so that loss is small.
func (m *trafficMeter) look(now time.Time) Traffic {
	var open, carried uint64
	nf := m.figures()
	circs := nf.Circuits
	for _, c := range circs {
		b := c.Sent + c.Received
		open += b
		carried += b * uint64(max(c.Hops-1, 0))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.total.CircuitBytes += grown(m.lastOpen, open)
	m.total.CarriedBytes += grown(m.lastCarried, carried)
	m.lastOpen, m.lastCarried = open, carried
	m.total.At, m.total.Circuits = now, len(circs)
	m.total.Relaying = nf.Relaying
	m.total.RelayedBytes = nf.RelayedBytes
	return m.total
}

func grown(before, now uint64) uint64 {
	if now > before {
		return now - before
	}
	return 0
}

// sample records a look in the ring.
func (m *trafficMeter) sample(now time.Time) {
	t := m.look(now)
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.ring) < sampleCount {
		m.ring = append(m.ring, t)
		return
	}
	m.ring[m.next] = t
	m.next = (m.next + 1) % sampleCount
}

// samples returns the ring oldest first, ending with a look taken now.
func (m *trafficMeter) samples(now time.Time) []Traffic {
	last := m.look(now)
	m.mu.Lock()
	out := append(append([]Traffic{}, m.ring[m.next:]...), m.ring[:m.next]...)
	m.mu.Unlock()
	return append(out, last)
}

// run samples until stop is closed.
func (m *trafficMeter) run(stop <-chan struct{}) {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	m.sample(time.Now())
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			m.sample(now)
		}
	}
}
