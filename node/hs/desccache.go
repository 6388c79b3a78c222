package hs

import (
	"context"
	"time"

	"cyclecash/onion/hs"
)

// descCacheFor is how long a fetched descriptor is used without asking
// the directory again (never beyond its expiry). A retry always asks
// again: the service may have moved its introduction points or raised its
// proof-of-work effort.
const descCacheFor = 10 * time.Minute

type cachedDesc struct {
	d       *hs.Descriptor
	fetched time.Time
}

// descriptor returns address's descriptor, from the cache when cached is
// allowed and the entry is fresh, else fetched through circuits.
func (c *Client) descriptor(ctx context.Context, address string, pub hs.PublicKey, indices []hs.Index, now time.Time, cached bool) (*hs.Descriptor, error) {
	c.mu.Lock()
	e, ok := c.descs[address]
	c.mu.Unlock()
	if cached && ok && now.Sub(e.fetched) < descCacheFor && now.Before(e.d.Expiry) &&
		e.d.Period.Num == hs.PeriodAt(now, c.PeriodLength).Num {
		return e.d, nil
	}
	d, err := c.fetch(ctx, pub, indices, now)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.descs == nil {
		c.descs = map[string]cachedDesc{}
	}
	c.descs[address] = cachedDesc{d: d, fetched: now}
	c.mu.Unlock()
	return d, nil
}
