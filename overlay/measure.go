package overlay

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Measurements keep what each relay actually carried for this node's own
// circuits: the peak rate of a circuit that moved enough bytes to say
// something, over the last measureKeep. It costs nothing extra (it counts
// bytes the circuits carry anyway) and no relay can inflate it but by
// carrying the traffic. A relay's path weight is capped by it (weight.go),
// so a relay claiming far more than it delivers loses the surplus once
// this node has used it.
//
// A rate is a floor on the relay's capacity, not the capacity: the
// slowest hop or the application may have limited the circuit. Keeping
// the peak over many circuits bounds the error.
const (
	minMeasureBytes = 256 << 10
	minMeasureTime  = 50 * time.Millisecond
	measureKeep     = 7 * 24 * time.Hour
)

// Measurements is safe for concurrent use; the zero value is not usable.
type Measurements struct {
	now func() time.Time

	mu   sync.Mutex
	peak map[peer.ID]measured
}

type measured struct {
	rate uint64 // bytes per second
	at   time.Time
}

var _ Measurer = (*Measurements)(nil)

// NewMeasurements returns an empty table; now may be nil for time.Now.
func NewMeasurements(now func() time.Time) *Measurements {
	if now == nil {
		now = time.Now
	}
	return &Measurements{now: now, peak: map[peer.ID]measured{}}
}

// Record notes that a circuit through each of relays moved n bytes in d.
// Short or small circuits are ignored: their rate says more about the
// application than about the relays.
func (m *Measurements) Record(relays []peer.ID, n uint64, d time.Duration) {
	if n < minMeasureBytes || d < minMeasureTime {
		return
	}
	rate := uint64(float64(n) / d.Seconds())
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range relays {
		old, ok := m.peak[p]
		if !ok || rate > old.rate || now.Sub(old.at) > measureKeep {
			m.peak[p] = measured{rate: rate, at: now}
		}
	}
}

// Measured is the peak rate p carried for this node recently.
func (m *Measurements) Measured(p peer.ID) (uint64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.peak[p]
	if !ok || m.now().Sub(v.at) > measureKeep {
		return 0, false
	}
	return v.rate, true
}

// Measurements is what relays carried for this node's circuits; pass it
// as PathRules.Measured.
func (o *Overlay) Measurements() *Measurements { return o.measured }
