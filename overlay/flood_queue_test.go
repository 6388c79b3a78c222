package overlay

import (
	"crypto/rand"
	"runtime"
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

// TestCreateQueueDisplace: the same attack through the relay. The
// flooder fills the handshake queue until its own CREATEs are refused; an
// honest neighbour's CREATE then displaces the flooder's newest, which is
// answered DESTROY, and every CREATE ends answered with the per-neighbour
// circuit counts matching the circuits built.
func TestCreateQueueDisplace(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}, MaxCircuitsPerLink: 100,
		Limits: RelayLimits{HandshakeWorkers: 1, HandshakeQueue: 4, PeerCreateRate: 1e6, PeerCreateBurst: 1000}})
	flooder, honest := fakeLink(o, 1, "flooder"), fakeLink(o, 2, "honest")
	create := func(l *link, id uint32) {
		_, c, err := onion.NewClientCircuit(rand.Reader, id, onion.HopSpec{Identity: []byte(o.ov.ID()), OnionKey: key.Public})
		if err != nil {
			t.Fatal(err)
		}
		o.onCreate(l, c) // as handleCell does, o.mu held
	}
	o.mu.Lock() // the worker blocks in finishCreate after one handshake
	o.now = o.clock()
	id := uint32(1)
	create(flooder, id)
	for o.pool.jobs.len() > 0 { // else it could take one after the queue filled
		runtime.Gosched()
	}
	for o.defence.CreateQueueFull == 0 {
		id++
		create(flooder, id)
	}
	create(honest, 1)
	displaced := o.defence.CreateQueueFull == 2
	o.unlock()
	if !displaced {
		t.Fatal("honest CREATE at a full queue not admitted by displacing the flooder's")
	}
	o.creating.Wait()
	answers := func(l *link) (created, destroyed int) {
		for _, c := range l.takeQueued() {
			switch c.Cmd() {
			case onion.CmdCreated:
				created++
			case onion.CmdDestroy:
				destroyed++
			}
		}
		return created, destroyed
	}
	fc, fd := answers(flooder)
	hc, hd := answers(honest)
	if hc != 1 || hd != 0 {
		t.Fatalf("honest neighbour: %d created, %d destroyed; want its circuit", hc, hd)
	}
	if fc+fd != int(id) || fd != 2 {
		t.Fatalf("flooder: %d created, %d destroyed of %d; want 2 refused (one at the full queue, one displaced)", fc, fd, id)
	}
	o.mu.Lock()
	counts := [2]int{o.perPeer["flooder"], o.perPeer["honest"]}
	o.unlock()
	if counts != [2]int{fc, 1} {
		t.Fatalf("circuits counted per neighbour %v, want [%d 1]", counts, fc)
	}
}
