package overlay

import (
	"io"
	"sync"
	"time"
	"unsafe"

	"cyclecash/onion"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// OnionProtocol is the libp2p protocol of a link: one stream per neighbour
// pair carrying nothing but onion.CellSize-byte cells.
const OnionProtocol = protocol.ID(onion.ProtocolName)

const (
	// writeBatch is how many cells one Write carries at most: 127 cells
	// (65,278 bytes) fit one yamux frame (64 KiB less its 12-byte header),
	// where 128 left a 268-byte second frame, and with it one more TLS
	// record and write syscall, on every full batch.
	writeBatch = 127
	// readBatch is how many cells one read can fill, all handled under one
	// acquisition of the Onion's lock.
	readBatch = 64
)

// link is one neighbour: a libp2p stream, a writer goroutine draining a
// bounded queue, and a read loop feeding the node's Onion. A link idle for
// Keepalive sends a PADDING cell; a link silent for 3×Keepalive is dead.
type link struct {
	id       onion.LinkID
	peer     peer.ID
	weDialed bool
	// retiring: the other link of a simultaneous open (linkpair.go); o.mu
	retiring  bool
	retiredAt time.Time
	prefix    string // the neighbour's network prefix (createlimit.go)
	s         network.Stream
	o         *Onion

	touched bool // queued cells since the Onion's lock was taken; o.mu

	mu      sync.Mutex
	q       []onion.Cell
	at      []uint64         // Onion.seq of each cell of q (linkqueue.go)
	perCirc map[uint32]int32 // cells of each circuit queued or being written
	n       int64            // cells counted in perCirc, and in Onion.queued
	fair    fairQueue        // per-circuit overflow of q (linkfair.go)
	closed  bool
	wake    chan struct{}
	done    chan struct{}
}

func newLink(o *Onion, id onion.LinkID, s network.Stream, weDialed bool) *link {
	return &link{id: id, peer: s.Conn().RemotePeer(), weDialed: weDialed, s: s, o: o,
		prefix: netPrefix(s.Conn().RemoteMultiaddr()), perCirc: map[uint32]int32{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// start runs the writer and the reader.
func (l *link) start() {
	go l.writeLoop()
	go l.readLoop()
}

// enqueue queues a copy of c; o.mu held. The writer is woken when the
// Onion's lock is released (Onion.unlock), so the cells one batch of work
// produced go out in one write. It reports false if the link is gone or
// c's circuit is past its queue cap (that circuit is then closed, never
// the link: linkqueue.go).
func (l *link) enqueue(c *onion.Cell) bool {
	if !l.touched {
		l.touched = true
		l.o.touched = append(l.o.touched, l)
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	if !l.countCell(c.CircID()) {
		l.mu.Unlock()
		l.o.overruns = append(l.o.overruns, overrun{l, c.CircID()})
		return false
	}
	l.o.seq++
	l.push(c, l.o.seq) // round robin: linkfair.go
	l.mu.Unlock()
	if c.CircID() != 0 && l.o.queued.Add(1) > l.o.budgetCells {
		l.o.shedDue = true
	}
	return true
}

// flush wakes the writer.
func (l *link) flush() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// kill stops the link; the read loop then reports it down to the Onion.
func (l *link) kill() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	l.q, l.at = nil, nil
	l.fair.over, l.fair.ring = nil, nil
	l.o.queued.Add(-l.n)
	l.n = 0
	clear(l.perCirc)
	close(l.done)
	l.mu.Unlock()
	// Reset may block on a full yamux send queue, and kill can be called
	// with the Onion's lock held: never stall every circuit for one dead
	// link.
	go l.s.Reset()
}

func (l *link) writeLoop() {
	keepalive := l.o.cfg.Keepalive
	timer := time.NewTimer(keepalive)
	defer timer.Stop()
	var spare []onion.Cell
	var spareAt []uint64
	var armed time.Time
	for {
		select {
		case <-l.done:
			return
		case <-l.wake:
		case <-timer.C:
			if pad, err := onion.NewPaddingCell(l.o.cfg.Rand); err == nil {
				l.mu.Lock()
				l.q = append(l.q, *pad)
				l.at = append(l.at, ^uint64(0))
				l.mu.Unlock()
			}
		}
		l.mu.Lock()
		batch, batchAt := l.q, l.at
		l.q, l.at = spare[:0], spareAt[:0]
		l.refill()
		l.mu.Unlock()
		q := batch
		for len(q) > 0 {
			n := min(len(q), writeBatch)
			armed = l.armWrite(armed, 3*keepalive)
			_, err := l.s.Write(cellBytes(q[:n]))
			l.mu.Lock()
			if !l.closed {
				l.uncount(q[:n])
			}
			l.mu.Unlock()
			q = q[n:]
			if err != nil {
				l.kill()
				return
			}
		}
		spare, spareAt = batch[:0], batchAt[:0]
		timer.Reset(keepalive)
	}
}

// armWrite sets the stream's write deadline to limit from now if the one
// set at armed is more than an eighth used up, and returns when it was set.
// Every yamux SetWriteDeadline stops a timer and starts a new one (an
// allocation and two timer-heap operations); once per batch that was the
// writer's largest cost outside the Write itself. A write that starts
// within an eighth of limit of the last arming still has 7/8 of limit to
// finish.
func (l *link) armWrite(armed time.Time, limit time.Duration) time.Time {
	if now := time.Now(); now.Sub(armed) > limit/8 {
		_ = l.s.SetWriteDeadline(now.Add(limit))
		return now
	}
	return armed
}

func (l *link) readLoop() {
	defer l.o.linkDown(l)
	defer l.kill()
	silence := 3 * l.o.cfg.Keepalive
	r := newCellReader(l.s)
	var armed time.Time
	for {
		if now := time.Now(); now.Sub(armed) > silence/8 {
			_ = l.s.SetReadDeadline(now.Add(silence))
			armed = now
		}
		cells, err := r.read()
		if len(cells) > 0 {
			l.hold(l.o.handleCells(l, cells)) // backpressure: readpause.go
		}
		if err != nil {
			return
		}
	}
}

// cellBytes is cs as one byte slice, without a copy: a Cell is a byte
// array, so a []Cell is CellSize·len(cs) contiguous bytes. len(cs) > 0.
func cellBytes(cs []onion.Cell) []byte {
	return unsafe.Slice(&cs[0][0], len(cs)*onion.CellSize)
}

// cellReader frames a link's byte stream into cells. It reads straight into
// its cell array (no bufio buffer to copy out of): one Read fills as many
// cells as the stream has ready, up to readBatch.
type cellReader struct {
	r     io.Reader
	cells []onion.Cell
	raw   []byte // cellBytes(cells)
	have  int    // bytes of raw filled; the cells before have/CellSize are whole
	done  int    // whole cells handed out by the last read, to drop now
}

func newCellReader(r io.Reader) *cellReader {
	cells := make([]onion.Cell, readBatch)
	return &cellReader{r: r, cells: cells, raw: cellBytes(cells)}
}

// read returns the next whole cells (valid until the next call) and the
// stream's error, if any. It blocks until at least one cell or an error.
func (c *cellReader) read() ([]onion.Cell, error) {
	if c.done > 0 { // move the partial cell after the last batch to the front
		c.have = copy(c.raw, c.raw[c.done*onion.CellSize:c.have])
		c.done = 0
	}
	for empty := 0; ; {
		n, err := c.r.Read(c.raw[c.have:])
		c.have += n
		switch {
		case n > 0:
			empty = 0
		case err == nil:
			if empty++; empty >= maxEmptyReads {
				err = io.ErrNoProgress // never spin on a broken stream
			}
		}
		if whole := c.have / onion.CellSize; whole > 0 || err != nil {
			c.done = whole
			return c.cells[:whole], err
		}
	}
}

// maxEmptyReads is how many (0, nil) reads in a row end a link (bufio's
// limit).
const maxEmptyReads = 100
