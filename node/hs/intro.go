package hs

import (
	"context"
	"errors"
	"time"

	"cyclecash/onion/hs"
)

// fillIntros establishes introduction points until there are enough; it
// reports whether there are.
func (h *Hosted) fillIntros(ctx context.Context) bool {
	for {
		h.mu.Lock()
		n := len(h.intros)
		h.mu.Unlock()
		if n >= h.cfg.IntroPoints {
			return true
		}
		if err := h.addIntro(ctx); err != nil {
			h.log.Debug("introduction point", "err", err)
			return false
		}
	}
}

// addIntro builds a circuit to a relay not yet used and establishes an
// introduction point there.
func (h *Hosted) addIntro(ctx context.Context) error {
	circ, err := h.net.Circuit(ctx, nil)
	if err != nil {
		return err
	}
	relay, _ := circ.LastHop()
	h.mu.Lock()
	if h.usesRelay(relay) {
		h.mu.Unlock()
		circ.Close()
		return errors.New("hs: relay already an introduction point")
	}
	keys, err := h.core.AddIntroPoint(relay)
	if err != nil {
		h.mu.Unlock()
		circ.Close()
		return err
	}
	msg := h.core.EstablishIntro(keys, relay)
	h.mu.Unlock()
	auth := keys.AuthKey()
	if err = circ.Send(hs.CmdEstablishIntro, msg); err == nil {
		_, err = expect(ctx, circ, hs.CmdIntroEstablished)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.core.RemoveIntroPoint(auth)
		circ.Close()
		return err
	}
	h.intros[auth] = circ
	go h.readIntro(ctx, auth, circ)
	return nil
}

// usesRelay reports whether relay already holds an introduction point; h.mu held.
func (h *Hosted) usesRelay(relay []byte) bool {
	for _, c := range h.intros {
		if r, _ := c.LastHop(); string(r) == string(relay) {
			return true
		}
	}
	return false
}

// readIntro queues the INTRODUCE2s arriving on an intro circuit until it
// dies, then retires the introduction point.
func (h *Hosted) readIntro(ctx context.Context, auth [32]byte, circ Circuit) {
	for {
		cmd, data, err := circ.Recv(ctx)
		if err != nil {
			break
		}
		if cmd != hs.CmdIntroduce2 {
			break // a relay sending anything else is misbehaving
		}
		h.mu.Lock()
		err = h.core.Introduce2(data, time.Now())
		h.mu.Unlock()
		if err != nil {
			h.refused.Add(1)
			h.log.Debug("introduction refused", "err", err)
			if errors.Is(err, hs.ErrReplayCacheFull) {
				break
			}
			if errors.Is(err, hs.ErrQueueFull) {
				h.raiseEffort()
			}
			continue
		}
		signal(h.queued)
	}
	circ.Close()
	h.mu.Lock()
	h.core.RemoveIntroPoint(auth)
	delete(h.intros, auth)
	h.mu.Unlock()
	signal(h.changed)
}

// raiseEffort ends the effort period early when the queue overflows, at
// most once per raiseEvery: a flood fills the queue in a moment, and
// clients should not pay the flood's price until the next minute's tick.
// Each raise republishes the descriptors.
func (h *Hosted) raiseEffort() {
	h.mu.Lock()
	now := time.Now()
	if now.Sub(h.raised) < raiseEvery {
		h.mu.Unlock()
		return
	}
	h.raised = now
	_, moved := h.core.Tick()
	h.mu.Unlock()
	if moved {
		signal(h.changed)
	}
}
