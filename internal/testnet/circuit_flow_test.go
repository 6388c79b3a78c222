package testnet

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"cyclecash/onion"
)

// streamWindowBytes is the most one stream may have unread at its reader.
const streamWindowBytes = onion.StreamWindowStart * onion.MaxRelayData

// TestCircuitSlowReader: over a real 3-relay circuit, a reader that stops
// reading stops the writer at the stream window: Write blocks, without an
// error, once the window's bytes are out; a slow reader then receives every
// byte intact while the writer keeps pace with it. Both ways: client to
// service and service to client.
func TestCircuitSlowReader(t *testing.T) {
	_, client, gw := gatewayNet(t, 8, nil)
	const size = 2 << 20
	data := make([]byte, size)
	rand.Read(data)
	want := sha256.Sum256(data)

	t.Run("to service", func(t *testing.T) {
		release, got := make(chan struct{}), make(chan []byte, 1)
		gw.Handle("slowsink", func(c net.Conn) {
			defer c.Close()
			<-release
			sum, _ := slowRead(c, size)
			got <- sum
		})
		conn := dial3(t, client, gw, "slowsink")
		var written atomic.Int64
		werr := writeCounted(conn, data, &written)
		stalled(t, &written, werr)
		close(release)
		if err := <-werr; err != nil {
			t.Fatalf("write: %v", err)
		}
		if sum := <-got; !bytes.Equal(sum, want[:]) {
			t.Fatal("the service did not read the bytes written, intact")
		}
	})

	t.Run("to client", func(t *testing.T) {
		var written atomic.Int64
		werrs := make(chan chan error, 1)
		gw.Handle("source", func(c net.Conn) {
			werr := writeCounted(c, data, &written)
			werrs <- werr
			<-werr
			c.Close()
		})
		conn := dial3(t, client, gw, "source")
		werr := make(chan error, 1)
		go func() { werr <- <-<-werrs }()
		stalled(t, &written, werr)
		sum, err := slowRead(conn, size)
		if err != nil || !bytes.Equal(sum, want[:]) {
			t.Fatalf("client read: %v, or the bytes differ", err)
		}
	})
}

// writeCounted writes data to w in 16 KiB writes from a goroutine, counting
// the bytes written, and reports the outcome on the returned channel.
func writeCounted(w io.Writer, data []byte, written *atomic.Int64) chan error {
	done := make(chan error, 1)
	go func() {
		for len(data) > 0 {
			n, err := w.Write(data[:min(len(data), 16<<10)])
			written.Add(int64(n))
			if err != nil {
				done <- err
				return
			}
			data = data[n:]
		}
		done <- nil
	}()
	return done
}

// stallFloor is the least a writer of 16 KiB writes gets out before the
// stream window stops it: each write takes 34 cells (the last one short),
// so the window ends when fewer than 34 cells are left of it.
const stallFloor = onion.StreamWindowStart / writeCells * (16 << 10)

const writeCells = (16<<10 + onion.MaxRelayData - 1) / onion.MaxRelayData

// stalled waits until the writer, whose reader reads nothing, has filled
// the stream window (within one 16 KiB write) and stopped there, blocked
// rather than failed; it must never get past the window.
func stalled(t *testing.T, written *atomic.Int64, werr chan error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for last := int64(-1); time.Now().Before(deadline); {
		select {
		case err := <-werr:
			t.Fatalf("writer returned (%v) while its reader read nothing", err)
		case <-time.After(300 * time.Millisecond):
		}
		n := written.Load()
		if n > streamWindowBytes {
			t.Fatalf("writer got %d bytes out, past the stream window of %d", n, streamWindowBytes)
		}
		if n != last || n < stallFloor { // still filling the window
			last = n
			continue
		}
		t.Logf("writer blocked after %d bytes", n)
		return
	}
	t.Fatalf("writer never stalled (%d bytes out, window %d)", written.Load(), streamWindowBytes)
}

// slowRead reads size bytes from r in small reads with pauses, and returns
// their SHA-256.
func slowRead(r io.Reader, size int) ([]byte, error) {
	h := sha256.New()
	buf := make([]byte, 3000)
	for read := 0; read < size; {
		n, err := r.Read(buf[:min(len(buf), size-read)])
		h.Write(buf[:n])
		read += n
		if err != nil {
			return nil, err
		}
		time.Sleep(time.Millisecond)
	}
	return h.Sum(nil), nil
}
