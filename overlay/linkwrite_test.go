package overlay

import (
	"testing"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
)

// TestWriteBatchOneFrame: a full batch of cells goes out as one yamux
// frame of the muxer the host uses, and no bigger batch would: 128 cells
// split into a 64 KiB frame and a 268-byte one (one more TLS record and
// write syscall per batch).
func TestWriteBatchOneFrame(t *testing.T) {
	const yamuxHeader = 12
	body := int(yamux.DefaultTransport.MaxMessageSize) - yamuxHeader
	if got := writeBatch * onion.CellSize; got > body {
		t.Fatalf("a batch is %d bytes, a yamux frame carries %d", got, body)
	}
	if (writeBatch+1)*onion.CellSize <= body {
		t.Fatalf("writeBatch %d leaves room for another cell in a %d-byte frame", writeBatch, body)
	}
}

// deadlineStream records write deadlines; nothing else of it is used.
type deadlineStream struct {
	network.Stream
	sets []time.Time
}

func (d *deadlineStream) SetWriteDeadline(t time.Time) error {
	d.sets = append(d.sets, t)
	return nil
}

// TestArmWrite: the writer's first batch sets a write deadline (a stuck
// neighbour cannot hold the writer forever); the batches after it reuse
// that deadline until an eighth of it is spent, instead of restarting a
// yamux timer on every write.
func TestArmWrite(t *testing.T) {
	ds := &deadlineStream{}
	l := &link{s: ds}
	const limit = time.Hour
	armed := l.armWrite(time.Time{}, limit)
	if len(ds.sets) != 1 || ds.sets[0].Sub(armed) != limit {
		t.Fatalf("first write: deadlines %v, armed %v", ds.sets, armed)
	}
	if again := l.armWrite(armed, limit); again != armed || len(ds.sets) != 1 {
		t.Fatalf("second write re-armed: deadlines %v", ds.sets)
	}
	stale := armed.Add(-limit / 4)
	if next := l.armWrite(stale, limit); next == stale || len(ds.sets) != 2 || !ds.sets[1].After(stale.Add(limit)) {
		t.Fatalf("a quarter-spent deadline was not renewed: deadlines %v", ds.sets)
	}
}
