package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// The discard service measures one-way throughput, as a download through
// Tor does: the client sends an 8-byte big-endian count n (1..maxProbeSize)
// and then n bytes; the gateway reads them all, answers one byte (1) and
// closes. A count out of bounds is refused by closing at once, so the
// service never reads more than maxProbeSize bytes per stream, and it sends
// back one byte whatever was sent: nothing to amplify.

// discardHeader is the size of the count that opens a discard stream.
const discardHeader = 8

// errDiscardCount is a discard stream's count out of bounds.
var errDiscardCount = errors.New("probe: discard count out of bounds")

// appendDiscardHeader appends the count n's header to b.
func appendDiscardHeader(b []byte, n int) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(n))
}

// parseDiscardHeader reads the count from h, discardHeader bytes.
func parseDiscardHeader(h []byte) (int, error) {
	if len(h) != discardHeader {
		return 0, fmt.Errorf("%w: header of %d bytes", errDiscardCount, len(h))
	}
	n := binary.BigEndian.Uint64(h)
	if n < 1 || n > maxProbeSize {
		return 0, fmt.Errorf("%w: %d bytes, want 1..%d", errDiscardCount, n, maxProbeSize)
	}
	return int(n), nil
}

// ServeDiscard serves the discard service on c (a gateway registers it
// beside the echo).
func ServeDiscard(c net.Conn) {
	defer c.Close()
	var h [discardHeader]byte
	if _, err := io.ReadFull(c, h[:]); err != nil {
		return
	}
	n, err := parseDiscardHeader(h[:])
	if err != nil {
		return
	}
	if _, err := io.CopyN(io.Discard, c, int64(n)); err != nil {
		return
	}
	_, _ = c.Write([]byte{1})
}

// discardRate sends size bytes to a discard stream and waits for its
// answer: MiB/s, one way.
func discardRate(s io.ReadWriter, size int) (float64, error) {
	buf := make([]byte, min(size, 1<<20))
	start := time.Now()
	if _, err := s.Write(appendDiscardHeader(nil, size)); err != nil {
		return 0, err
	}
	for left := size; left > 0; left -= len(buf) {
		if _, err := s.Write(buf[:min(left, len(buf))]); err != nil {
			return 0, err
		}
	}
	var ack [1]byte
	if _, err := io.ReadFull(s, ack[:]); err != nil {
		return 0, fmt.Errorf("probe: the discard service never answered: %w", err)
	}
	if ack[0] != 1 {
		return 0, errors.New("probe: the discard service answered garbage")
	}
	return float64(size) / (1 << 20) / time.Since(start).Seconds(), nil
}
