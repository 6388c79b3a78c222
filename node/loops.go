package node

import (
	"context"
	"time"

	"cyclecash/overlay"
)

// rotateLoop checks hourly whether the onion key is due for rotation, and
// rotates it early when the relay's replay set for it is filling; it
// announces a new key at once.
func (n *Node) rotateLoop(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		early := false
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-n.replayLow:
			early = true
			n.log.Warn("onion key's replay set is three quarters full: rotating the key early")
		}
		keys, rotated, err := nextOnionKeys(n.cfg.DataDir, time.Now(), early)
		if err != nil {
			n.log.Error("onion key rotation failed", "err", err)
			continue
		}
		if rotated {
			n.mu.Lock()
			n.onion = keys
			n.mu.Unlock()
			n.ov.SetOnionKey(keys.Public())
			if ks, err := onionKeys(keys); err == nil {
				n.circ.SetKeys(ks[0], ks[len(ks)-1])
			}
			n.log.Info("onion key rotated")
			if err := n.ov.Publish(ctx); err != nil {
				n.log.Warn("publishing rotated onion key failed; the timer will retry", "err", err)
			}
		}
	}
}

// guardLoop keeps the primary guard set filled once the directory knows
// enough relays, so the first circuit does not wait for it.
func (n *Node) guardLoop(ctx context.Context) {
	every := 2 * time.Second
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		if n.ov.Directory().Len() < overlay.PrimaryGuards+1 {
			continue
		}
		if _, err := n.PickGuard(); err != nil {
			n.log.Debug("no entry guard yet", "err", err)
			continue
		}
		every = time.Minute
	}
}

// dirCircuitLoop, on a confined client, reads the directory of a random
// relay through a circuit every RefreshEvery (overlay.DirService): its
// direct fetches go to one guard only, which could leave relays out.
func (n *Node) dirCircuitLoop(ctx context.Context) {
	if !n.cfg.ClientOnly {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(n.cfg.RefreshEvery):
		}
		changed, err := n.directoryThroughCircuit(ctx)
		if err != nil {
			n.log.Debug("directory through a circuit failed", "err", err)
			continue
		}
		n.log.Debug("directory read through a circuit", "changed", changed)
	}
}

// directoryThroughCircuit reads one random relay's directory through a
// fresh circuit; it returns how many descriptors entered or changed.
func (n *Node) directoryThroughCircuit(ctx context.Context) (int, error) {
	d, err := n.randomRelay()
	if err != nil {
		return 0, err
	}
	c, err := n.BuildCircuit(ctx, Target{Peer: d.Peer})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return n.ov.FetchDirectoryVia(ctx, c)
}
