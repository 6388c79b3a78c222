package overlay

import (
	"context"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// relaysCID is the DHT provider key every relay announces, so a directory
// can find relays without walking the whole key space.
var relaysCID = func() cid.Cid {
	sum, err := mh.Sum([]byte("cyclecash relays v1"), mh.SHA2_256, -1)
	if err != nil {
		panic(err)
	}
	return cid.NewCidV1(cid.Raw, sum)
}()

// Descriptor returns this node's current descriptor, signed, with the next
// sequence number: at least one above the last and never below the clock
// in milliseconds, so a restarted node still moves forward.
func (o *Overlay) Descriptor() (*Descriptor, []byte, error) {
	now := o.cfg.Now()
	o.mu.Lock()
	seq := max(o.lastSeq+1, uint64(now.UnixMilli()))
	o.lastSeq = seq
	onion := o.onion
	o.mu.Unlock()
	addrs := o.host.Addrs()
	if len(addrs) > maxAddrs {
		addrs = addrs[:maxAddrs]
	}
	d := &Descriptor{
		Addrs: addrs, OnionKey: onion, Roles: o.cfg.Roles, Bandwidth: o.cfg.Bandwidth,
		Family: o.cfg.Family, Seq: seq, Cells: o.cfg.Rules.cells(), Expiry: now.Add(o.cfg.DescriptorLifetime).Truncate(time.Second),
	}
	if err := d.SignPoW(o.cfg.Identity, powBits(o.cfg.PoWBits)); err != nil {
		return nil, nil, err
	}
	raw, err := d.Marshal()
	if err != nil {
		return nil, nil, err
	}
	return d, raw, nil
}

// Seq is the sequence number of the last descriptor this node signed.
func (o *Overlay) Seq() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.lastSeq
}

// Publish signs a fresh descriptor, stores it in the DHT under
// /relay/<peerID> and announces this node as a relay provider. A nil error
// means at least one peer accepted the record; callers that must know where
// it landed read it back from another node.
func (o *Overlay) Publish(ctx context.Context) error {
	d, raw, err := o.Descriptor()
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.self = d
	o.mu.Unlock()
	if err := o.dht.PutValue(ctx, DescriptorKey(o.ID()), raw); err != nil {
		return fmt.Errorf("overlay: publish descriptor: %w", err)
	}
	if o.cfg.Roles&RoleRelay != 0 {
		if err := o.dht.Provide(ctx, relaysCID, true); err != nil {
			return fmt.Errorf("overlay: announce relay: %w", err)
		}
	}
	return nil
}

// publishLoop publishes at start, retrying with backoff while the DHT has
// no peers, then re-publishes every RepublishEvery: the DHT does not
// republish records on its own.
func (o *Overlay) publishLoop(ctx context.Context) {
	retry := time.Second
	for {
		wait := o.cfg.RepublishEvery
		pctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := o.Publish(pctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			o.log.Debug("publish failed; will retry", "err", scrub(err), "in", retry)
			wait, retry = min(retry, wait), min(retry*2, o.cfg.RepublishEvery)
		} else {
			o.log.Debug("descriptor published")
			retry = time.Second
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
