package overlay

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/peer"
)

const (
	gatherParallel  = 8
	gatherProviders = 256
	fetchTimeout    = 20 * time.Second
)

// Gather looks for relays (routing table, relay provider records and a
// random walk) and reads the descriptor of every one the directory lacks;
// with refresh it re-reads the held ones too, so new sequence numbers
// spread. It returns how many descriptors entered or changed the cache.
func (o *Overlay) Gather(ctx context.Context, refresh bool) int {
	if o.dht == nil {
		return o.gatherFromSources(ctx)
	}
	cands := o.candidates(ctx)
	var todo []peer.ID
	for p := range cands {
		if _, held := o.dir.Get(p); refresh || !held {
			todo = append(todo, p)
		}
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		added int
		sem   = make(chan struct{}, gatherParallel)
	)
	for _, p := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if o.fetch(ctx, p) {
				mu.Lock()
				added++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return added
}

// FetchDescriptor reads the descriptor of p from the DHT and verifies it,
// without touching the directory.
func (o *Overlay) FetchDescriptor(ctx context.Context, p peer.ID) (*Descriptor, error) {
	raw, err := o.lookup(ctx, p)
	if err != nil {
		return nil, err
	}
	return VerifyDescriptor(raw, p, o.cfg.Now())
}

func (o *Overlay) lookup(ctx context.Context, p peer.ID) ([]byte, error) {
	if o.dht == nil {
		return nil, ErrClientOnly
	}
	fctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	raw, err := o.dht.GetValue(fctx, DescriptorKey(p), dht.Quorum(3))
	if err != nil {
		return nil, fmt.Errorf("overlay: descriptor lookup: %w", err)
	}
	return raw, nil
}

// fetch reads and verifies the descriptor of p into the directory, which
// records why a bad one was refused.
func (o *Overlay) fetch(ctx context.Context, p peer.ID) bool {
	raw, err := o.lookup(ctx, p)
	if err != nil {
		return false
	}
	changed, err := o.dir.Add(raw, p)
	if err != nil {
		o.log.Debug("descriptor refused", "peer", p, "reason", err)
	}
	return changed
}

// candidates gathers peer IDs that may be relays, excluding this node.
func (o *Overlay) candidates(ctx context.Context) map[peer.ID]struct{} {
	out := map[peer.ID]struct{}{}
	add := func(p peer.ID) {
		if p != o.ID() {
			out[p] = struct{}{}
		}
	}
	for _, p := range o.dht.RoutingTable().ListPeers() {
		add(p)
	}
	for _, d := range o.dir.Live() {
		add(d.Peer)
	}
	pctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	for ai := range o.dht.FindProvidersAsync(pctx, relaysCID, gatherProviders) {
		add(ai.ID)
	}
	cancel()
	var key [32]byte
	rand.Read(key[:])
	wctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	if walk, err := o.dht.GetClosestPeers(wctx, string(key[:])); err == nil {
		for _, p := range walk {
			add(p)
		}
	}
	cancel()
	return out
}

// gatherLoop gathers quickly while the node is new, backing off to
// GatherEvery, and re-reads held descriptors every RefreshEvery.
func (o *Overlay) gatherLoop(ctx context.Context) {
	every, lastRefresh := time.Second, o.cfg.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		refresh := o.cfg.Now().Sub(lastRefresh) >= o.cfg.RefreshEvery
		if refresh {
			lastRefresh = o.cfg.Now()
		}
		if n := o.Gather(ctx, refresh); n > 0 {
			o.log.Debug("directory updated", "changed", n, "size", o.dir.Len())
		}
		every = min(every*2, o.cfg.GatherEvery)
	}
}

// gatherFromSources is a client-only node's gather: ask the first usable
// entry guard (the bootstrap peers while none is usable) for its
// directory, as circuits go through it. Only when it cannot be reached is
// the next source asked, after the guard policy has heard of the failure
// (Config.GuardFailed): asking every primary guard, as this did before,
// showed this node's address to all of them each round, and a guard
// policy that keeps a client on one guard (GuardRules.Hold) would be
// undone by its directory fetches.
func (o *Overlay) gatherFromSources(ctx context.Context) int {
	var tried []peer.ID
	for {
		p, ok := o.nextSource(tried)
		if !ok {
			return 0
		}
		tried = append(tried, p)
		n, err := o.fetchDirectory(ctx, p)
		if err == nil {
			return n
		}
		o.log.Debug("directory source failed", "err", scrub(err))
		if ctx.Err() != nil || !errors.Is(err, errSourceUnreachable) {
			// A bad or slow answer says nothing of reachability: asking
			// the next guard now would show it this node; next round.
			return 0
		}
		if o.cfg.GuardFailed != nil && (o.cfg.LinksDown == nil || !o.cfg.LinksDown()) {
			o.cfg.GuardFailed(p)
		}
	}
}

// nextSource is the first directory source not in tried: an entry guard,
// or a bootstrap peer while no guard is usable.
func (o *Overlay) nextSource(tried []peer.ID) (peer.ID, bool) {
	o.mu.Lock()
	sources := append([]peer.ID(nil), o.guards...)
	o.mu.Unlock()
	if len(sources) == 0 {
		sources = bootstrapIDs(o.cfg.Bootstrap)
	}
	for _, p := range sources {
		if !slices.Contains(tried, p) {
			return p, true
		}
	}
	return "", false
}
