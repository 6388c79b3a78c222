package overlay

import (
	"testing"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/peer"
)

// TestCreateQueueFair: attacker = a neighbour (or a few) filling the
// handshake queue so honest neighbours' CREATEs wait behind its backlog or
// find the queue full. Workers take one CREATE per neighbour in turn, and
// a CREATE from a light neighbour at a full queue displaces the flooder's
// newest instead of being refused. The old queue was one FIFO channel
// that refused whatever arrived when it was full.
func TestCreateQueueFair(t *testing.T) {
	t.Parallel()
	links := map[peer.ID]*link{}
	job := func(p peer.ID, id uint32) *createJob {
		if links[p] == nil {
			links[p] = &link{peer: p}
		}
		return &createJob{l: links[p], ref: onion.CircRef{CircID: id}}
	}
	q := newCreateQueue(10)
	for i := range 10 {
		if ev, ok := q.push(job("flooder", uint32(i))); !ok || ev != nil {
			t.Fatalf("CREATE %d under the bound: queued %v, displaced %v", i, ok, ev)
		}
	}
	ev, ok := q.push(job("honest", 100))
	if !ok || ev == nil || ev.l.peer != "flooder" || ev.ref.CircID != 9 {
		t.Fatalf("honest CREATE at a full queue: queued %v, displaced %+v; want the flooder's newest displaced", ok, ev)
	}
	if _, ok := q.push(job("flooder", 10)); ok {
		t.Fatal("the flooder displaced a CREATE at a full queue")
	}
	if _, ok := q.push(job("honest", 101)); !ok {
		t.Fatal("second honest CREATE refused while the flooder holds 9 of 10")
	}
	if q.len() != 10 || len(q.ready) != 10 {
		t.Fatalf("%d queued, %d tokens; want 10 and 10", q.len(), len(q.ready))
	}
	var order []peer.ID
	for range 10 {
		<-q.ready
		order = append(order, q.pop().l.peer)
	}
	if order[0] != "flooder" || order[1] != "honest" || order[2] != "flooder" || order[3] != "honest" {
		t.Fatalf("worker order %v: honest CREATEs not served in turn", order)
	}
	if q.len() != 0 || len(q.ready) != 0 || q.pop() != nil {
		t.Fatal("queue not empty after every token was taken")
	}
}
