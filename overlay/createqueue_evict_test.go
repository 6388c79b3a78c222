package overlay

import (
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

// TestCreateQueueFullByClass: attacker = many fresh neighbours (Sybils)
// that fill the handshake queue one CREATE each, so no backlog is longer
// than another's. At the full queue, a CREATE from a neighbour with
// standing takes the place of the newest fresh CREATE of the longest fresh
// backlog, however short, while fresh CREATEs hold more than their reserve
// (size/(prioShare+1)); a fresh CREATE at its reserve never takes the
// place of one from a neighbour with standing, only of a longer fresh
// backlog, and under it takes that of the longest backlog with standing;
// and a fresh neighbour that earns standing while queued moves up.
func TestCreateQueueFullByClass(t *testing.T) {
	t.Parallel()
	type job struct {
		peer     peer.ID
		standing int
	}
	spread := func(n int, prefix string, standing int) []job {
		var js []job
		for i := range n {
			js = append(js, job{peer.ID(fmt.Sprintf("%s%02d", prefix, i)), standing})
		}
		return js
	}
	for _, tc := range []struct {
		name    string
		size    int
		queued  []job
		arrive  job
		queued2 bool    // whether arrive is queued
		evicted peer.ID // whose CREATE it displaced ("" none)
		first   peer.ID // who pop serves first after
	}{
		{name: "standing displaces a one-job fresh backlog", size: 8,
			queued: spread(8, "fresh", 0), arrive: job{"est", 2},
			queued2: true, evicted: "fresh07", first: "est"},
		{name: "standing displaces the longest fresh backlog", size: 8,
			queued: append(spread(6, "fresh", 0), job{"fresh03", 0}, job{"fresh03", 0}), arrive: job{"est", 1},
			queued2: true, evicted: "fresh03", first: "est"},
		{name: "fresh at its reserve never displaces standing", size: 8,
			queued: append(spread(2, "fresh", 0), append(spread(1, "est", 1), job{"est00", 1}, job{"est00", 1},
				job{"est00", 1}, job{"est00", 1}, job{"est00", 1})...), arrive: job{"new", 0},
			queued2: false},
		{name: "fresh under its reserve displaces the longest standing backlog", size: 8,
			queued: append(spread(1, "fresh", 0), append(spread(1, "est", 1), job{"est00", 1}, job{"est00", 1},
				job{"est00", 1}, job{"est00", 1}, job{"est00", 1}, job{"est00", 1})...), arrive: job{"new", 0},
			queued2: true, evicted: "est00", first: "est00"},
		{name: "standing at the fresh reserve: length rule", size: 8,
			queued: append(spread(2, "fresh", 0), job{"a", 1}, job{"a", 1}, job{"a", 1}, job{"a", 1}, job{"b", 1}, job{"b", 1}),
			arrive: job{"b", 1}, queued2: true, evicted: "a", first: "a"},
		{name: "fresh displaces a longer fresh backlog, not standing", size: 8,
			queued: append(append(spread(1, "est", 1), job{"est00", 1}, job{"est00", 1}, job{"est00", 1}),
				job{"flood", 0}, job{"flood", 0}, job{"flood", 0}, job{"other", 0}), arrive: job{"new", 0},
			queued2: true, evicted: "flood", first: "est00"},
		{name: "standing at a queue of standing only: longest if longer", size: 4,
			queued: []job{{"a", 1}, {"a", 1}, {"a", 1}, {"b", 1}}, arrive: job{"c", 1},
			queued2: true, evicted: "a", first: "a"},
		{name: "fresh at a queue of one-job fresh backlogs: refused", size: 4,
			queued: spread(4, "fresh", 0), arrive: job{"new", 0}, queued2: false, first: "fresh00"},
		{name: "a queued fresh neighbour that earns standing moves up", size: 8,
			queued: append(spread(3, "fresh", 0), job{"late", 0}), arrive: job{"late", 1},
			queued2: true, first: "late"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := newCreateQueue(tc.size)
			links := map[peer.ID]*link{}
			mk := func(j job) *createJob {
				if links[j.peer] == nil {
					links[j.peer] = &link{peer: j.peer}
				}
				return &createJob{l: links[j.peer], standing: j.standing}
			}
			for _, j := range tc.queued {
				if ev, ok := q.push(mk(j)); !ok || ev != nil {
					t.Fatalf("setup push of %s: queued %v, displaced %v", string(j.peer), ok, ev != nil)
				}
			}
			before := q.len()
			ev, ok := q.push(mk(tc.arrive))
			if ok != tc.queued2 {
				t.Fatalf("%s's CREATE queued %v, want %v", string(tc.arrive.peer), ok, tc.queued2)
			}
			var got peer.ID
			if ev != nil {
				got = ev.l.peer
			}
			if got != tc.evicted {
				t.Fatalf("displaced %q's CREATE, want %q", string(got), string(tc.evicted))
			}
			want := before
			if ok && ev == nil {
				want++
			}
			if q.len() != want || len(q.ready) != want {
				t.Fatalf("%d queued, %d tokens; want %d", q.len(), len(q.ready), want)
			}
			var order []string
			for q.len() > 0 {
				<-q.ready
				order = append(order, string(q.pop().l.peer))
			}
			if len(order) != want {
				t.Fatalf("%d served, want %d", len(order), want)
			}
			if tc.first != "" && order[0] != string(tc.first) {
				t.Fatalf("served first %s, want %s: %v", order[0], string(tc.first), order)
			}
			if q.pop() != nil {
				t.Fatal("an empty queue gave a job")
			}
		})
	}
}

// TestCreateQueueInvariants drives push and pop in random order, from
// neighbours whose standing comes and goes, and checks the bookkeeping
// after every step: each neighbour with CREATEs queued waits in exactly
// one ring, the count and the ready tokens match the jobs queued, and
// every CREATE pushed is served, displaced or refused exactly once.
func TestCreateQueueInvariants(t *testing.T) {
	t.Parallel()
	rng := mrand.New(mrand.NewPCG(1, 2))
	for round := range 200 {
		q := newCreateQueue(1 + rng.IntN(12))
		links := map[peer.ID]*link{}
		pushed, served, gone := 0, 0, 0
		for step := range 300 {
			if rng.IntN(3) > 0 {
				p := peer.ID(fmt.Sprintf("p%d", rng.IntN(8)))
				if links[p] == nil {
					links[p] = &link{peer: p}
				}
				pushed++
				ev, ok := q.push(&createJob{l: links[p], standing: rng.IntN(3) * rng.IntN(2)})
				if !ok || ev != nil {
					gone++
				}
			} else if len(q.ready) > 0 {
				<-q.ready
				if q.pop() == nil {
					t.Fatalf("round %d step %d: a token without a job", round, step)
				}
				served++
			}
			if err := q.check(); err != nil {
				t.Fatalf("round %d step %d: %v", round, step, err)
			}
			if pushed != served+gone+q.len() {
				t.Fatalf("round %d step %d: %d pushed, %d served, %d refused or displaced, %d queued",
					round, step, pushed, served, gone, q.len())
			}
		}
	}
}

// check reports the first inconsistency in q's bookkeeping.
func (q *createQueue) check() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	n, seen := 0, map[peer.ID]bool{}
	for i := range q.rings {
		r := &q.rings[i]
		if len(r.peers) != len(r.turns) {
			return fmt.Errorf("ring %d: %d peers, %d turns", i, len(r.peers), len(r.turns))
		}
		for _, p := range r.peers {
			if seen[p] || q.ringOf[p] != i || len(q.queues[p]) == 0 {
				return fmt.Errorf("ring %d: %s twice, in ring %d, %d queued", i, string(p), q.ringOf[p], len(q.queues[p]))
			}
			seen[p] = true
			n += len(q.queues[p])
		}
	}
	if len(seen) != len(q.queues) || len(seen) != len(q.ringOf) || n != q.n || n != len(q.ready) || n > q.size {
		return fmt.Errorf("%d in rings, %d queues, %d classes; %d jobs, n %d, %d tokens, size %d",
			len(seen), len(q.queues), len(q.ringOf), n, q.n, len(q.ready), q.size)
	}
	return nil
}

// TestCreateQueueFreshReserve: attacker = Sybil neighbours that each earned
// standing cheaply (one circuit that carried a cell, held standingAge) and
// keep the handshake queue full. A CREATE with standing may displace fresh
// ones only while fresh CREATEs hold more than their reserve (the queue
// over prioShare+1, the share of turns they keep), so an honest fresh
// neighbour still gets its turns; on the queue of 92702f4 it got 1 in
// 1,000. And fresh CREATEs under their reserve may displace the longest
// backlog with standing, on the length rule.
func TestCreateQueueFreshReserve(t *testing.T) {
	t.Parallel()
	q := newCreateQueue(16)
	links := map[peer.ID]*link{}
	push := func(p peer.ID, standing int) {
		if links[p] == nil {
			links[p] = &link{peer: p}
		}
		q.push(&createJob{l: links[p], standing: standing})
	}
	served := 0
	const turns = 1000
	for step := range turns {
		push("honest", 0)
		for i := range 4 {
			push(peer.ID(fmt.Sprintf("sybil%d", (step*4+i)%8)), 1)
		}
		<-q.ready
		if q.pop().l.peer == "honest" {
			served++
		}
	}
	if want := turns / (prioShare + 1) * 9 / 10; served < want {
		t.Fatalf("the honest fresh neighbour was served %d of %d handshakes, want at least %d", served, turns, want)
	}
	if err := q.check(); err != nil {
		t.Fatal(err)
	}
}

// TestCreateQueueReclass: a neighbour's class and turns follow the
// standing its latest CREATE came with, not the one it had when its
// backlog began: one that lost its standing waits with the fresh ones,
// and one whose standing grew takes more turns in a row.
func TestCreateQueueReclass(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		jobs []struct {
			p        string
			standing int
		}
		order string
	}{
		{name: "lost standing: served after the fresh neighbour that came first",
			jobs: []struct {
				p        string
				standing int
			}{{"a", 1}, {"f", 0}, {"a", 0}, {"a", 0}},
			order: "f a a a"},
		{name: "kept standing: served first",
			jobs: []struct {
				p        string
				standing int
			}{{"a", 1}, {"f", 0}, {"a", 1}, {"a", 1}},
			order: "a a a f"},
		{name: "standing grew: more turns in a row",
			jobs: []struct {
				p        string
				standing int
			}{{"a", 1}, {"b", 1}, {"a", 1}, {"b", 1}, {"a", 2}},
			order: "a a b a b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := newCreateQueue(16)
			links := map[string]*link{}
			for _, j := range tc.jobs {
				if links[j.p] == nil {
					links[j.p] = &link{peer: peer.ID(j.p)}
				}
				if _, ok := q.push(&createJob{l: links[j.p], standing: j.standing}); !ok {
					t.Fatal("refused below the queue's size")
				}
			}
			var order []string
			for q.len() > 0 {
				<-q.ready
				order = append(order, string(q.pop().l.peer))
			}
			if got := strings.Join(order, " "); got != tc.order {
				t.Fatalf("served %s, want %s", got, tc.order)
			}
		})
	}
}
