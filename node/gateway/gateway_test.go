package gateway

import (
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"cyclecash/compute"
	"cyclecash/node/work"
)

// TestCapacityMeter: Ĉ is the configured floor until accepted work is
// measured, then 30 × the mean daily accepted units since the first
// recorded day (within the window).
func TestCapacityMeter(t *testing.T) {
	t.Parallel()
	st := compute.NewMemStore()
	m := &capacityMeter{store: st, floor: 600}
	day := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	if got := m.At(day); got != 600 {
		t.Fatalf("no history: %d, want the floor 600", got)
	}
	add := func(at time.Time, units uint64) {
		if err := st.Update(func(tx compute.Tx) error { return m.add(tx, at, units) }); err != nil {
			t.Fatal(err)
		}
	}
	add(day, 50)
	add(day, 50)
	if got := m.At(day); got != 3000 {
		t.Fatalf("one day of 100: %d, want 3000", got)
	}
	next := day.Add(24 * time.Hour)
	if got := m.At(next); got != 1500 {
		t.Fatalf("100 over two days: %d, want 1500", got)
	}
	if got := m.At(day.Add(30 * 24 * time.Hour)); got != 600 {
		t.Fatalf("history out of the window: %d, want the floor", got)
	}
}

// TestRegister: a session needs a signature by its key over the mode and
// a fresh time; the ID is compute.WorkerID of the key and says nothing
// else. The attacker is a Sybil that registers one key in both modes to
// get two IDs (two votes, two replicas of a task): the second mode is
// refused and the key keeps its one ID.
func TestRegister(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	r := newCrashRig(t)
	g := r.g
	g.now = func() time.Time { return now }
	pub, priv, _ := ed25519.GenerateKey(nil)
	sign := func(mode string, at time.Time) work.RegisterRequest {
		return work.RegisterRequest{Mode: mode, Key: pub, Time: at.Unix(), Sig: ed25519.Sign(priv, work.RegisterMessage(mode, at.Unix()))}
	}
	id, err := g.register(sign(work.WorkerStealth, now))
	if err != nil || id != compute.WorkerID(pub) {
		t.Fatalf("stealth: %q %v, want %q", id, err, compute.WorkerID(pub))
	}
	if again, err := g.register(sign(work.WorkerStealth, now)); err != nil || again != id {
		t.Fatalf("the same key again: %q %v", again, err)
	}
	if err := g.enrol(id, work.WorkerStealth); err != nil { // its first lease
		t.Fatal(err)
	}
	if err := g.enrol(id, work.WorkerOpen); !errors.Is(err, work.ErrUnauthorized) {
		t.Fatalf("a lease in the other mode: %v, want work.ErrUnauthorized", err)
	}
	if open, err := g.register(sign(work.WorkerOpen, now)); !errors.Is(err, work.ErrUnauthorized) {
		t.Fatalf("the stealth key as an open worker: %q %v, want work.ErrUnauthorized", open, err)
	}
	if s, err := g.isStealth(id); err != nil || !s {
		t.Fatalf("mode after the refused switch: stealth %v %v", s, err)
	}
	bad := []work.RegisterRequest{sign("boss", now), sign(work.WorkerOpen, now.Add(-time.Hour)), sign(work.WorkerOpen, now.Add(time.Hour))}
	forged := sign(work.WorkerOpen, now)
	forged.Mode = work.WorkerStealth
	forged.Time++ // a fresh time the key never signed
	bad = append(bad, forged)
	for i, req := range bad {
		if _, err := g.register(req); !errors.Is(err, work.ErrUnauthorized) {
			t.Errorf("request %d: %v, want work.ErrUnauthorized", i, err)
		}
	}
}
