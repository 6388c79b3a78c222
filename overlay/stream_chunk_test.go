package overlay

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"cyclecash/onion"
)

// TestWriteEncryptsInChunks: a Write of a whole stream window (2000 cells)
// is encrypted sendChunk bytes per acquisition of the Onion's lock. The
// cells one acquisition produces collect in the Onion's scratch slice and
// reach the link writer only at the unlock, so the slice's capacity after
// the Write is the most cells any one acquisition held back. On the old
// code a single acquisition encrypted all 500 (every layer of each) before
// the first cell could leave, holding the lock, and the SENDMEs arriving
// on the node's links, all the while.
func TestWriteEncryptsInChunks(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-host")
	}
	gw, client := gatewayAndClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := make(chan int64, 1)
	gw.o.Handle("sink", func(c net.Conn) {
		defer c.Close()
		n, _ := io.Copy(io.Discard, c)
		got <- n
	})
	circ, err := client.o.build(ctx, []*Descriptor{gw.desc})
	if err != nil {
		t.Fatal(err)
	}
	s, err := circ.Dial(ctx, "sink")
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte{'x'}, onion.StreamWindowStart*onion.MaxRelayData)
	if _, err := s.Write(data); err != nil {
		t.Fatal(err)
	}
	s.Close()
	select {
	case n := <-got:
		if n != int64(len(data)) {
			t.Fatalf("the sink read %d bytes, want %d", n, len(data))
		}
	case <-ctx.Done():
		t.Fatal("the sink never finished")
	}
	client.o.mu.Lock()
	held := cap(client.o.cells)
	client.o.mu.Unlock()
	if limit := 2 * sendChunk / onion.MaxRelayData; held > limit {
		t.Fatalf("one acquisition of the lock held back %d cells of a Write (at most %d: sendChunk is %d cells)",
			held, limit, sendChunk/onion.MaxRelayData)
	}
}
