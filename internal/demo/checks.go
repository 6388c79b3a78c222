package demo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"cyclecash/node"
)

// Supply is the gateway's ledger after the story, from its own report.
type Supply struct {
	Issued      uint64 `json:"issued"`       // units ever signed, summed over keysets (sales, payouts, swap outputs)
	Consumed    uint64 `json:"consumed"`     // units spent (redeemed escrow, swapped inputs)
	Outstanding uint64 `json:"outstanding"`  // issued − consumed of unexpired keysets
	MintedToday uint64 `json:"minted_today"` // issued against quotes today: the cash sale and stealth payouts
	DailyCap    uint64 `json:"daily_cap"`    // 0.8·Ĉ/30
	TotalCap    uint64 `json:"total_cap"`    // 0.8·Ĉ
}

// GatewayView is what the gateway learned about the stealth workers,
// read from its own stores and network state.
type GatewayView struct {
	StealthWorkers    int `json:"stealth_workers"`
	RecordsWithPeerID int `json:"records_with_peer_id"` // its compute and ledger databases holding a stealth worker's peer ID
	Connections       int `json:"connections"`          // open connections to a stealth worker
	KnownAddresses    int `json:"known_addresses"`      // addresses of stealth workers in its peer store
}

// Check is one checked statement of the summary.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// supply reads the gateway's ledger report and checks its invariant: per
// keyset consumed ≤ issued and outstanding = issued − consumed; today's
// issuance within the daily cap; outstanding within the total cap.
func (d *Demo) supply(ctx context.Context) (Supply, Check, error) {
	r, err := d.gw.Ledger().Report(ctx)
	if err != nil {
		return Supply{}, Check{}, fmt.Errorf("demo: ledger report: %w", err)
	}
	s := Supply{MintedToday: r.MintedToday, DailyCap: r.DailyCap, TotalCap: r.TotalCap}
	c := Check{Name: "supply invariant", OK: true}
	for _, k := range r.Keysets {
		s.Issued += k.Issued
		s.Consumed += k.Spent
		if !k.Expired {
			s.Outstanding += k.Outstanding
		}
		if k.Spent > k.Issued || (!k.Expired && k.Outstanding != k.Issued-k.Spent) {
			c.OK, c.Detail = false, fmt.Sprintf("keyset %s: issued %d, spent %d, outstanding %d", k.ID, k.Issued, k.Spent, k.Outstanding)
			return s, c, nil
		}
	}
	switch {
	case s.MintedToday > s.DailyCap:
		c.OK, c.Detail = false, fmt.Sprintf("issued %d today, over the daily cap %d", s.MintedToday, s.DailyCap)
	case s.Outstanding > s.TotalCap || s.Outstanding > r.Outstanding:
		c.OK, c.Detail = false, fmt.Sprintf("outstanding %d (report %d), total cap %d", s.Outstanding, r.Outstanding, s.TotalCap)
	default:
		c.Detail = fmt.Sprintf("per keyset spent ≤ issued and outstanding = issued − spent; %d issued today ≤ daily cap %d; %d outstanding ≤ cap %d",
			s.MintedToday, s.DailyCap, s.Outstanding, s.TotalCap)
	}
	return s, c, nil
}

// gatewayView looks for the stealth workers in the gateway's databases
// (their peer IDs, raw or as text), its connections and its peer store.
func (d *Demo) gatewayView() (GatewayView, Check, error) {
	v := GatewayView{StealthWorkers: len(d.stealth)}
	var stores [][]byte
	for _, f := range []string{node.ComputeDBFile, node.LedgerDBFile} {
		b, err := os.ReadFile(filepath.Join(d.gw.DataDir(), f))
		if err != nil {
			return v, Check{}, fmt.Errorf("demo: reading the gateway's store: %w", err)
		}
		stores = append(stores, b)
	}
	h := d.gw.Overlay().Host()
	for _, w := range d.stealth {
		for _, b := range stores {
			if bytes.Contains(b, []byte(w.ID())) || bytes.Contains(b, []byte(w.ID().String())) {
				v.RecordsWithPeerID++
			}
		}
		v.Connections += len(h.Network().ConnsToPeer(w.ID()))
		v.KnownAddresses += len(h.Peerstore().Addrs(w.ID()))
	}
	c := Check{Name: "gateway knows no stealth worker", OK: v.RecordsWithPeerID+v.Connections+v.KnownAddresses == 0,
		Detail: fmt.Sprintf("%d stealth workers: %d store records with their peer IDs, %d connections, %d addresses",
			v.StealthWorkers, v.RecordsWithPeerID, v.Connections, v.KnownAddresses)}
	return v, c, nil
}
