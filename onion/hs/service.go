package hs

// Service bundles a hidden service's sans-IO state for the network side:
// its introduction points' keys, the replay cache, the PoW seeds and the
// effort-ordered queue, and descriptor revisions. The network side builds
// the circuits, sends what this returns and calls back with what arrives:
//
//	keys := svc.AddIntroPoint(relayID)       → svc.EstablishIntro(keys, bind) on a circuit to relayID
//	pubs := svc.Descriptors(now)             → DHT puts through circuits, every Index
//	svc.Introduce2(msg, now)                 ← INTRODUCE2 on an intro circuit
//	in := svc.Next(now)                      → build a circuit to in.RP, send in.Rendezvous1()
//	svc.Tick()                               ← every few minutes: effort update (republish if changed)
//	svc.RotateSeed()                         ← every hour or two: new PoW seed, then republish
//	svc.RemoveIntroPoint(auth)               ← its circuit died, or Introduce2 said ErrReplayCacheFull

import (
	"fmt"
	"io"
	"time"
)

// ServiceConfig configures a Service. Identity and Rand are required.
type ServiceConfig struct {
	Identity     *IdentityKey
	Rand         io.Reader
	PeriodLength time.Duration // 0: DefaultPeriodLength
	QueueMax     int           // pending introductions; 0: 256
	MaxEffort    uint8         // ceiling of the suggested effort; 0: 16
	Lifetime     time.Duration // descriptor lifetime; 0: 3 h
}

// Published is one descriptor to store under each of its indices.
type Published struct {
	Period  Period
	Indices []Index
	Value   []byte
}

// Service is one hidden service's state. Not safe for concurrent use.
type Service struct {
	cfg       ServiceConfig
	intros    map[[32]byte]*ServiceIntro
	relays    map[[32]byte][]byte
	replay    *ReplayCache
	queue     *IntroQueue[pendingIntro]
	seeds     [2][32]byte       // current, previous
	revisions map[uint64]uint64 // last revision published, by period number
}

// NewService returns a service with no introduction points yet.
func NewService(cfg ServiceConfig) (*Service, error) {
	if cfg.Identity == nil || cfg.Rand == nil {
		return nil, fmt.Errorf("%w: service needs Identity and Rand", ErrMalformed)
	}
	if cfg.PeriodLength <= 0 {
		cfg.PeriodLength = DefaultPeriodLength
	}
	if cfg.QueueMax <= 0 {
		cfg.QueueMax = 256
	}
	if cfg.MaxEffort == 0 {
		cfg.MaxEffort = 16
	}
	if cfg.Lifetime <= 0 {
		cfg.Lifetime = 3 * time.Hour
	}
	s := &Service{cfg: cfg, intros: map[[32]byte]*ServiceIntro{}, relays: map[[32]byte][]byte{},
		revisions: map[uint64]uint64{},
		replay:    NewReplayCache(0, 0, 0), queue: NewIntroQueue[pendingIntro](cfg.QueueMax)}
	if err := s.RotateSeed(); err != nil {
		return nil, err
	}
	return s, nil
}

// Address returns the service's `.mesh` name.
func (s *Service) Address() string { return s.cfg.Identity.Public().Address() }

// AddIntroPoint makes fresh keys for an introduction point at relay; the
// caller sends NewEstablishIntro(keys, …) on its circuit there and then
// republishes (Descriptors).
func (s *Service) AddIntroPoint(relay []byte) (*IntroKeys, error) {
	keys, err := NewIntroKeys(s.cfg.Rand)
	if err != nil {
		return nil, err
	}
	auth := keys.AuthKey()
	s.intros[auth] = &ServiceIntro{Service: s.cfg.Identity.Public(), Keys: keys, Replay: s.replay,
		Seeds: s.seed, PeriodLength: s.cfg.PeriodLength, Rand: s.cfg.Rand}
	s.relays[auth] = append([]byte(nil), relay...)
	return keys, nil
}

// RemoveIntroPoint retires an introduction point (its circuit died, or its
// replay cache filled: ErrReplayCacheFull).
func (s *Service) RemoveIntroPoint(auth [32]byte) {
	delete(s.intros, auth)
	delete(s.relays, auth)
	s.replay.Forget(auth)
}

// IntroPoints returns the number of introduction points held.
func (s *Service) IntroPoints() int { return len(s.intros) }

func (s *Service) seed(head [4]byte) ([32]byte, bool) {
	for _, sd := range s.seeds {
		if [4]byte(sd[:4]) == head {
			return sd, true
		}
	}
	return [32]byte{}, false
}

// RotateSeed draws a new PoW seed, keeping the previous one valid for
// clients holding the last descriptor; republish after it.
func (s *Service) RotateSeed() error {
	s.seeds[1] = s.seeds[0]
	_, err := io.ReadFull(s.cfg.Rand, s.seeds[0][:])
	return err
}

// Descriptors returns the descriptors to publish now, for the current and
// the next period, each with a revision above every earlier one of its
// period, also across restarts, and clear fields that do not link the two
// (revision.go).
func (s *Service) Descriptors(now time.Time) ([]Published, error) {
	d := Descriptor{Expiry: coarseExpiry(now, s.cfg.Lifetime), PoWEffort: s.queue.Suggested(), PoWSeed: s.seeds[0]}
	for auth, si := range s.intros {
		d.Intro = append(d.Intro, si.Keys.Point(s.relays[auth]))
	}
	var out []Published
	for _, p := range PublishPeriods(now, s.cfg.PeriodLength) {
		d.Period, d.Revision = p, s.nextRevision(p, now)
		b, err := d.Seal(s.cfg.Identity, s.cfg.Rand)
		if err != nil {
			return nil, err
		}
		out = append(out, Published{Period: p, Indices: Indices(d.Blinded, p), Value: b})
	}
	return out, nil
}

// Introduce2 opens an INTRODUCE2 and queues it by its proof of work.
func (s *Service) Introduce2(msg []byte, now time.Time) error {
	if len(msg) < 32 {
		return fmt.Errorf("%w: introduce of %d bytes", ErrMalformed, len(msg))
	}
	si, ok := s.intros[[32]byte(msg[:32])]
	if !ok {
		return fmt.Errorf("%w: unknown auth key", ErrMalformed)
	}
	in, err := si.Open(msg, now)
	if err != nil {
		return err
	}
	return s.queue.Push(pendingIntro{in, now}, in.Effort)
}

// pendingIntro is a queued introduction and when it arrived.
type pendingIntro struct {
	in *Introduction
	at time.Time
}

// Next returns the pending introduction to answer first, dropping those
// queued longer than DefaultRendezvousWait: by then the rendezvous point
// has let the client's cookie go, and a circuit built for them would be
// capacity a flood took from clients still waiting.
func (s *Service) Next(now time.Time) (*Introduction, bool) {
	for {
		p, _, ok := s.queue.Pop()
		if !ok {
			return nil, false
		}
		if now.Sub(p.at) <= DefaultRendezvousWait {
			return p.in, true
		}
	}
}

// Tick ends an effort-update period; it returns the suggested effort and
// whether it changed (then republish).
func (s *Service) Tick() (uint8, bool) {
	before := s.queue.Suggested()
	after := s.queue.UpdateEffort(s.cfg.MaxEffort)
	return after, after != before
}

// Pending returns the number of queued introductions.
func (s *Service) Pending() int { return s.queue.Len() }

// Effort returns the suggested effort the descriptors advertise.
func (s *Service) Effort() uint8 { return s.queue.Suggested() }
