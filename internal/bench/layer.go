package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"cyclecash/onion"

	"lukechampine.com/adiantum"
)

// layerRows: the CPU a middle relay spends on one forward cell (peel one
// layer, check, rewrite the header), beside one Adiantum encryption of a
// 509-byte body under a tweak, the layer of v1 that DESIGN.md calls too
// slow for the throughput goal.
func layerRows(ctx context.Context, o Options) ([]Row, error) {
	n := o.samples(2_000, 50_000, 300_000)
	relay, err := middleRelay()
	if err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	rand.Read(key)
	c := adiantum.New(key)
	body := make([]byte, onion.BodySize)
	tweak := make([]byte, 16)
	adiantumLayer := func() { c.Encrypt(body, tweak) }
	// Alternate the two in rounds, so a burst of load on a shared
	// machine falls on both alike.
	var ours, base float64
	const rounds = 10
	for range rounds {
		ours += timePer(max(n/rounds, 1), relay) / rounds
		base += timePer(max(n/rounds, 1), adiantumLayer) / rounds
	}
	return []Row{row("relay: CPU per forward cell (one layer)", "µs", ours, "Adiantum layer (v1)", base,
		"faster than Adiantum (too slow, DESIGN.md)", 1, false)}, nil
}

// samples picks a sample size for the mode.
func (o Options) samples(tiny, quick, full int) int {
	switch {
	case o.Tiny:
		return tiny
	case o.Quick:
		return quick
	}
	return full
}

// timePer runs f n times and returns µs per run.
func timePer(n int, f func()) float64 {
	start := time.Now()
	for range n {
		f()
	}
	return float64(time.Since(start).Nanoseconds()) / 1e3 / float64(n)
}

// middleRelay builds a 2-relay circuit without IO and returns what makes
// the first relay handle one more forward cell of it.
func middleRelay() (func(), error) {
	var relays []*onion.Relay
	var specs []onion.HopSpec
	for i := range 2 {
		key, err := onion.GenerateOnionKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		id := []byte(fmt.Sprint("bench-relay-", i))
		r, err := onion.NewRelay(onion.RelayConfig{Identity: id, OnionKeys: []*onion.OnionKey{key}})
		if err != nil {
			return nil, err
		}
		relays, specs = append(relays, r), append(specs, onion.HopSpec{Identity: id, OnionKey: key.Public})
	}
	client, create, err := onion.NewClientCircuit(rand.Reader, 1, specs[0])
	if err != nil {
		return nil, err
	}
	// Link 1: client-relay 0; link 2: relay 0-relay 1.
	deliver := func(cells []onion.Cell) error {
		type hop struct {
			to   int
			link onion.LinkID
			cell onion.Cell
		}
		var q []hop
		for _, c := range cells {
			q = append(q, hop{0, 1, c})
		}
		for len(q) > 0 {
			h := q[0]
			q = q[1:]
			if h.to == -1 {
				_, out, err := client.HandleCell(&h.cell, nil)
				if err != nil {
					return err
				}
				for _, c := range out {
					q = append(q, hop{0, 1, c})
				}
				continue
			}
			acts, err := relays[h.to].HandleCell(time.Time{}, h.link, &h.cell, nil)
			if err != nil {
				return err
			}
			for i := 0; i < len(acts); i++ {
				a := acts[i]
				switch a.Kind {
				case onion.ActSend:
					to := map[onion.LinkID][2]int{1: {-1, 0}, 2: {0, 1}}[a.Link]
					dst := to[0]
					if dst == h.to {
						dst = to[1]
					}
					q = append(q, hop{dst, a.Link, a.Cell})
				case onion.ActExtend:
					more, err := relays[h.to].Attach(a.Circ, 2, true, nil)
					if err != nil {
						return err
					}
					acts = append(acts, more...)
				}
			}
		}
		return nil
	}
	if err := deliver([]onion.Cell{*create}); err != nil {
		return nil, err
	}
	cells, err := client.Extend(specs[1], nil)
	if err != nil {
		return nil, err
	}
	if err := deliver(cells); err != nil {
		return nil, err
	}
	if client.Hops() != 2 {
		return nil, fmt.Errorf("circuit of %d hops, want 2", client.Hops())
	}
	var cell onion.Cell
	cell.SetHeader(client.CircID(), onion.CmdRelay)
	acts := make([]onion.Action, 0, 4)
	r := relays[0]
	acts, err = r.HandleCell(time.Time{}, 1, &cell, acts)
	if err != nil || len(acts) != 1 || acts[0].Kind != onion.ActSend || acts[0].Link != 2 {
		return nil, fmt.Errorf("the middle relay did not forward the cell (%v)", err)
	}
	return func() { acts, _ = r.HandleCell(time.Time{}, 1, &cell, acts[:0]) }, nil
}
