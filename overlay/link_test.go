package overlay

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peerstore"
	ma "github.com/multiformats/go-multiaddr"
)

// TestLinkKeepalive: an idle link carries PADDING cells of the one cell
// size, and a neighbour that goes silent (its stream stays open but nothing
// arrives) is dropped after 3×Keepalive.
func TestLinkKeepalive(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}, Keepalive: 100 * time.Millisecond})
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	silent, err := New(Config{Identity: id, Listen: []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")}})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var padding atomic.Int32
	silent.Host().SetStreamHandler(OnionProtocol, func(s network.Stream) {
		var c onion.Cell
		for {
			if _, err := io.ReadFull(s, c[:]); err != nil {
				return
			}
			if c.CircID() == 0 && c.Cmd() == onion.CmdPadding {
				padding.Add(1)
			}
		}
	})
	o.ov.Host().Peerstore().AddAddrs(silent.ID(), silent.Addrs(), peerstore.TempAddrTTL)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := o.linkTo(ctx, silent.ID()); err != nil {
		t.Fatal(err)
	}
	for len(o.Links()) > 0 { // bounded by ctx: no timed assertion
		select {
		case <-ctx.Done():
			t.Fatal("silent neighbour never dropped")
		case <-time.After(10 * time.Millisecond):
		}
	}
	// The link pads every Keepalive and dies after 3× of silence: it sent
	// padding before it died, whatever the scheduling delays.
	if padding.Load() < 1 {
		t.Fatalf("%d padding cells on an idle link, want some", padding.Load())
	}
}

// TestCellReaderFraming: whatever sizes the stream's reads come in (one
// byte, half the asked, data with the error), the reader hands out exactly
// the cells written, in order, and a trailing partial cell never.
func TestCellReaderFraming(t *testing.T) {
	t.Parallel()
	const n = 3*readBatch + 5
	stream := make([]byte, n*onion.CellSize+100) // 100 bytes of a partial cell
	_, _ = rand.Read(stream)
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"whole": func(r io.Reader) io.Reader { return r }, "one byte": iotest.OneByteReader,
		"half": iotest.HalfReader, "data with error": iotest.DataErrReader,
	} {
		r := newCellReader(wrap(bytes.NewReader(stream)))
		var got []byte
		for {
			cells, err := r.read()
			for i := range cells {
				got = append(got, cells[i][:]...)
			}
			if err != nil {
				break
			}
		}
		if !bytes.Equal(got, stream[:n*onion.CellSize]) {
			t.Fatalf("%s: got %d bytes of cells, want the %d written", name, len(got), n*onion.CellSize)
		}
	}
}

// aliasReader records where the stream was asked to write.
type aliasReader struct {
	src  io.Reader
	dsts []*byte
}

func (a *aliasReader) Read(p []byte) (int, error) {
	a.dsts = append(a.dsts, &p[0])
	return a.src.Read(p)
}

// TestCellReaderNoCopy: the stream writes straight into the cells handed
// to the Onion (v1 read into a bufio buffer and copied every cell out), and
// reading allocates nothing.
func TestCellReaderNoCopy(t *testing.T) {
	src := &aliasReader{src: bytes.NewReader(make([]byte, 1000*onion.CellSize))}
	r := newCellReader(src)
	cells, err := r.read()
	if err != nil || len(cells) == 0 || src.dsts[0] != &cells[0][0] {
		t.Fatalf("stream wrote elsewhere than the cells (%d cells, %v)", len(cells), err)
	}
	r = newCellReader(bytes.NewReader(make([]byte, 1000*onion.CellSize)))
	if n := testing.AllocsPerRun(100, func() { _, _ = r.read() }); n != 0 {
		t.Fatalf("%v allocations per read", n)
	}
	q := make([]onion.Cell, 3)
	q[1][0] = 7
	if b := cellBytes(q); len(b) != 3*onion.CellSize || &b[onion.CellSize] != &q[1][0] || b[onion.CellSize] != 7 {
		t.Fatal("cellBytes is not a view of the cells")
	}
}

// TestLinkRefusesCellsV1: a neighbour that speaks only the cells v1 link
// protocol gets no link, and no cell of ours ever reaches it (no silent
// fallback to v1 framing or crypto).
func TestLinkRefusesCellsV1(t *testing.T) {
	t.Parallel()
	key, _ := onion.GenerateOnionKey(rand.Reader)
	o := newTestOnion(t, OnionConfig{Keys: []*onion.OnionKey{key}})
	id, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	v1, err := New(Config{Identity: id, Listen: []ma.Multiaddr{ma.StringCast("/ip4/127.0.0.1/tcp/0")}})
	if err != nil {
		t.Fatal(err)
	}
	defer v1.Close()
	var opened atomic.Int32
	v1.Host().SetStreamHandler("/cyclecash/onion/1", func(s network.Stream) { opened.Add(1); s.Reset() })
	o.ov.Host().Peerstore().AddAddrs(v1.ID(), v1.Addrs(), peerstore.TempAddrTTL)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := o.linkTo(ctx, v1.ID()); !errors.Is(err, ErrHopUnreachable) {
		t.Fatalf("link to a v1 neighbour: %v, want ErrHopUnreachable", err)
	}
	if len(o.Links()) != 0 || opened.Load() != 0 {
		t.Fatalf("%d links, %d v1 streams opened", len(o.Links()), opened.Load())
	}
}

// stuckReader returns (0, nil) forever, which io.Reader allows but
// discourages; after limit calls it fails the read so a test can tell.
type stuckReader struct{ calls, limit int }

var errStuckTooLong = errors.New("stuck reader called too often")

func (s *stuckReader) Read([]byte) (int, error) {
	if s.calls++; s.calls > s.limit {
		return 0, errStuckTooLong
	}
	return 0, nil
}

// TestCellReaderNoProgress: a stream that returns no bytes and no error
// must not spin the read loop (holding a core) until the deadline: the
// reader gives up with io.ErrNoProgress after a few empty reads, as bufio
// does.
func TestCellReaderNoProgress(t *testing.T) {
	t.Parallel()
	s := &stuckReader{limit: 1000}
	cells, err := newCellReader(s).read()
	if len(cells) != 0 || !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("%d cells, err %v after %d reads; want io.ErrNoProgress", len(cells), err, s.calls)
	}
}
