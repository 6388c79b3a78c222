package probe

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// The discard service's abuse cases: whoever opens a stream to a gateway's
// discard service may send any header. A count of 0 or past maxProbeSize,
// or a header cut short, is refused by closing without an answer; a body
// cut short gets no answer; only n bytes after a valid count get the one
// byte back.
func TestServeDiscard(t *testing.T) {
	t.Parallel()
	hdr := func(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }
	for _, tc := range []struct {
		name string
		send []byte
		ack  bool
	}{
		{"valid, 3 bytes", append(hdr(3), 1, 2, 3), true},
		{"count 0", hdr(0), false},
		{"count past the bound", append(hdr(maxProbeSize+1), 1), false},
		{"count 2^64-1", hdr(^uint64(0)), false},
		{"header cut short", []byte{0, 0, 0}, false},
		{"body cut short", append(hdr(10), 1, 2), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			done := make(chan struct{})
			go func() {
				defer close(done)
				if b, err := l.Accept(); err == nil {
					ServeDiscard(b)
				}
			}()
			a, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Write(tc.send); err != nil {
				t.Fatal(err)
			}
			a.(*net.TCPConn).CloseWrite() // the service sees the end of what was sent
			a.SetDeadline(time.Now().Add(5 * time.Second))
			var got [1]byte
			_, err = io.ReadFull(a, got[:])
			switch {
			case tc.ack && (err != nil || got[0] != 1):
				t.Fatalf("answer %v, %v; want 1", got, err)
			case !tc.ack && err == nil:
				t.Fatalf("answered %v; want the stream closed unanswered", got)
			}
			a.Close()
			<-done
		})
	}
}

// FuzzDiscardHeader: any 8 bytes parse to a count within 1..maxProbeSize
// or to errDiscardCount, never anything else; a count that parses encodes
// back to the same bytes; other lengths are refused.
func FuzzDiscardHeader(f *testing.F) {
	f.Add(binary.BigEndian.AppendUint64(nil, 1))
	f.Add(binary.BigEndian.AppendUint64(nil, maxProbeSize))
	f.Add(binary.BigEndian.AppendUint64(nil, maxProbeSize+1))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, h []byte) {
		n, err := parseDiscardHeader(h)
		if err != nil {
			if !errors.Is(err, errDiscardCount) {
				t.Fatalf("%x: %v, not errDiscardCount", h, err)
			}
			return
		}
		if len(h) != discardHeader || n < 1 || n > maxProbeSize {
			t.Fatalf("%x parsed to %d", h, n)
		}
		if back := appendDiscardHeader(nil, n); string(back) != string(h) {
			t.Fatalf("%x parsed to %d, which encodes to %x", h, n, back)
		}
	})
}
