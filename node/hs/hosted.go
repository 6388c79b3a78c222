package hs

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cyclecash/onion/hs"
	"cyclecash/onion/hs/hskey"
)

// Timers of a hosted service; tests shorten them through Hooks.
const (
	defaultRepublish = 30 * time.Minute
	effortTick       = time.Minute
	retryWait        = 2 * time.Second
	raiseEvery       = 5 * time.Second
)

// Hosted is one hidden service this node serves.
type Hosted struct {
	cfg       ServiceConfig
	ports     map[uint16]string
	listeners map[uint16]*Listener // ports served in process (RolePrefix)
	net       Net
	log       *slog.Logger
	republish time.Duration

	mu     sync.Mutex
	core   *hs.Service
	intros map[[32]byte]Circuit
	raised time.Time // last early effort raise (raiseEffort)

	queued   chan struct{} // an introduction was queued
	changed  chan struct{} // the intro set changed: republish
	served   atomic.Uint64 // rendezvous streams opened
	refused  atomic.Uint64 // INTRODUCE2s refused (replays, bad proofs)
	publishN atomic.Uint64
}

// Status is what `status` shows of a hosted service.
type Status struct {
	Name        string `json:"name"`
	Address     string `json:"address"`
	IntroPoints int    `json:"intro_points"`
	Served      uint64 `json:"introductions_served"`
	Refused     uint64 `json:"introductions_refused"`
	Published   uint64 `json:"descriptors_published"`
	PoWEffort   uint8  `json:"pow_effort"`
}

// NewHosted loads (or creates) the service's key and prepares it.
func NewHosted(cfg ServiceConfig, dataDir string, n Net, log *slog.Logger, republish time.Duration) (*Hosted, error) {
	ports, err := cfg.PortMap()
	if err != nil {
		return nil, err
	}
	if cfg.IntroPoints <= 0 {
		cfg.IntroPoints = DefaultIntroPoints
	}
	key, err := loadKey(cfg, dataDir)
	if err != nil {
		return nil, err
	}
	core, err := hs.NewService(hs.ServiceConfig{Identity: key, Rand: rand.Reader})
	if err != nil {
		return nil, err
	}
	if republish <= 0 {
		republish = defaultRepublish
	}
	h := &Hosted{cfg: cfg, ports: ports, net: n, log: log.With("hs", cfg.Name), republish: republish,
		core: core, intros: map[[32]byte]Circuit{}, listeners: map[uint16]*Listener{},
		queued: make(chan struct{}, 1), changed: make(chan struct{}, 1)}
	for port, target := range ports {
		if strings.HasPrefix(target, RolePrefix) {
			h.listeners[port] = newListener(core.Address() + ":" + strconv.Itoa(int(port)))
		}
	}
	return h, nil
}

// Address is the service's `.mesh` name.
func (h *Hosted) Address() string { return h.core.Address() }

// Status reports the service's figures.
func (h *Hosted) Status() Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Status{Name: h.cfg.Name, Address: h.core.Address(), IntroPoints: len(h.intros),
		Served: h.served.Load(), Refused: h.refused.Load(), Published: h.publishN.Load(),
		PoWEffort: h.core.Effort()}
}

// Run keeps the introduction points up and the descriptors published.
func (h *Hosted) Run(ctx context.Context) {
	go h.serveQueue(ctx)
	republish := time.NewTicker(h.republish)
	defer republish.Stop()
	effort := time.NewTicker(effortTick)
	defer effort.Stop()
	for ctx.Err() == nil {
		complete := h.fillIntros(ctx)
		h.publish(ctx)
		var retry <-chan time.Time
		if !complete {
			retry = time.After(retryWait)
		}
		h.waitForChange(ctx, republish.C, retry, effort.C)
	}
	h.mu.Lock()
	for _, c := range h.intros {
		c.Close()
	}
	h.mu.Unlock()
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// publish stores the current descriptors under every index, through
// circuits (Net.DirPut).
func (h *Hosted) publish(ctx context.Context) {
	h.mu.Lock()
	if len(h.intros) == 0 {
		h.mu.Unlock()
		return
	}
	pubs, err := h.core.Descriptors(time.Now())
	h.mu.Unlock()
	if err != nil {
		h.log.Warn("descriptor", "err", err)
		return
	}
	for _, p := range pubs {
		for _, idx := range p.Indices {
			if err := h.net.DirPut(ctx, idx, p.Value); err != nil {
				h.log.Debug("descriptor publish", "err", err)
				continue
			}
			h.publishN.Add(1)
		}
	}
}

// waitForChange returns when the descriptors should be made again: the
// introduction points changed, the republish timer or a retry fired, or
// the proof-of-work effort the descriptor advertises moved. An effort tick
// that moved nothing waits on.
func (h *Hosted) waitForChange(ctx context.Context, republish, retry, effort <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.changed:
			return
		case <-republish:
			return
		case <-retry:
			return
		case <-effort:
			h.mu.Lock()
			_, moved := h.core.Tick()
			h.mu.Unlock()
			if moved {
				return
			}
		}
	}
}

// loadKey loads or creates the identity key of c (0600, in a 0700 directory).
func loadKey(c ServiceConfig, dataDir string) (*hs.IdentityKey, error) {
	if err := os.MkdirAll(filepath.Dir(c.KeyPath(dataDir)), 0o700); err != nil {
		return nil, fmt.Errorf("hs: key directory: %w", err)
	}
	key, _, err := hskey.LoadOrCreate(c.KeyPath(dataDir), rand.Reader)
	return key, err
}
