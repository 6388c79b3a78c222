package overlay

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
)

// DirProtocol serves a relay's verified directory to client-only nodes, the
// way a Tor directory guard does: a stealth node never queries the DHT
// itself (that would hand its address to whoever it asks, a gateway among
// them), it asks its guard and verifies every descriptor it gets.
//
// Exchange: the client opens a stream and half-closes it; the server
// answers with
//
//	count  2   number of descriptors, at most MaxDirectoryEntries
//	{ len 2 | descriptor bytes } * count
//
// and closes. Each descriptor is checked with VerifyDescriptor on arrival.
const (
	DirProtocol         = "/cyclecash/dir/1"
	MaxDirectoryEntries = 4096
	dirTimeout          = 30 * time.Second
)

// EncodeDirectory writes descriptors in the DirProtocol layout.
func EncodeDirectory(descs []*Descriptor) ([]byte, error) {
	if len(descs) > MaxDirectoryEntries {
		descs = descs[:MaxDirectoryEntries]
	}
	out := binary.BigEndian.AppendUint16(nil, uint16(len(descs)))
	for _, d := range descs {
		raw, err := d.Marshal()
		if err != nil {
			return nil, err
		}
		out = binary.BigEndian.AppendUint16(out, uint16(len(raw)))
		out = append(out, raw...)
	}
	return out, nil
}

// DecodeDirectory splits a DirProtocol answer into raw descriptors without
// verifying them. It refuses more entries or bytes than the layout allows.
func DecodeDirectory(b []byte) ([][]byte, error) {
	r := reader{b: b}
	n := int(r.u16())
	if r.err != nil || n > MaxDirectoryEntries {
		return nil, fmt.Errorf("%w: bad directory header", ErrDescriptorMalformed)
	}
	out := make([][]byte, 0, n)
	for range n {
		size := int(r.u16())
		if size > MaxDescriptorSize {
			return nil, ErrDescriptorTooLarge
		}
		raw := r.next(size)
		if r.err != nil {
			return nil, fmt.Errorf("%w: truncated directory", ErrDescriptorMalformed)
		}
		out = append(out, raw)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes after directory", ErrDescriptorMalformed)
	}
	return out, nil
}

// maxDirectoryBytes bounds what a client reads from one answer.
const maxDirectoryBytes = 2 + MaxDirectoryEntries*(2+MaxDescriptorSize)

// serveDirectory answers one DirProtocol request with the live directory.
func (o *Overlay) serveDirectory(s network.Stream) {
	defer s.Close()
	s.SetDeadline(time.Now().Add(dirTimeout))
	b, err := o.directoryAnswer()
	if err != nil {
		s.Reset()
		return
	}
	if _, err := s.Write(b); err != nil {
		s.Reset()
	}
}

// directoryAnswer is the live directory in the DirProtocol layout, this
// relay's own descriptor included (a client needs its guard's too).
func (o *Overlay) directoryAnswer() ([]byte, error) {
	descs := o.dir.Live()
	o.mu.Lock()
	if o.self != nil && o.cfg.Now().Before(o.self.Expiry) {
		descs = append(descs, o.self)
	}
	o.mu.Unlock()
	return EncodeDirectory(descs)
}

// DirService is the circuit service through which relays serve their
// directory (the DirProtocol answer) to whoever asks at the end of a
// circuit. A confined client fetches its directory directly from one
// guard only; that guard could leave relays out of it. Through circuits
// it also reads the directory of random relays, who do not learn who
// asks, so a guard that hides relays must hide them from every relay it
// carries the client's circuits to, which it cannot tell apart.
const DirService = "dir"

// ServeDirectoryOnCircuits registers DirService on on; a client-only node
// serves none.
func (o *Overlay) ServeDirectoryOnCircuits(on *Onion) {
	if o.cfg.ClientOnly {
		return
	}
	on.Handle(DirService, func(c net.Conn) {
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(dirTimeout))
		if b, err := o.directoryAnswer(); err == nil {
			_, _ = c.Write(b)
		}
	})
}

// FetchDirectoryVia reads the directory of c's destination through c
// (DirService) and adds every descriptor that verifies; it returns how
// many entered or changed the cache.
func (o *Overlay) FetchDirectoryVia(ctx context.Context, c *Circuit) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, dirTimeout)
	defer cancel()
	s, err := c.Dial(ctx, DirService)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	_ = s.SetDeadline(time.Now().Add(dirTimeout))
	b, err := io.ReadAll(io.LimitReader(s, maxDirectoryBytes+1))
	if err != nil {
		return 0, fmt.Errorf("overlay: read directory through a circuit: %w", err)
	}
	return o.addDirectory(b)
}

// errSourceUnreachable: this node could not open a stream to a directory
// source (a first-hand failure to reach it, unlike a bad or slow answer).
var errSourceUnreachable = errors.New("unreachable")

// fetchDirectory asks p for its directory and adds every descriptor that
// verifies; it returns how many entered or changed the cache.
func (o *Overlay) fetchDirectory(ctx context.Context, p peer.ID) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, dirTimeout)
	defer cancel()
	if d, ok := o.dir.Get(p); ok { // a guard: dial the addresses its descriptor lists
		o.host.Peerstore().AddAddrs(p, d.Addrs, peerstore.TempAddrTTL)
	}
	s, err := o.host.NewStream(ctx, p, DirProtocol)
	if err != nil {
		// libp2p's dial errors list addresses; say which peer, not where.
		o.log.Debug("directory source dial failed", "peer", p, "err", scrub(err))
		return 0, fmt.Errorf("overlay: directory source %s: %w", p.ShortString(), errSourceUnreachable)
	}
	defer s.Close()
	s.SetDeadline(time.Now().Add(dirTimeout))
	s.CloseWrite()
	b, err := io.ReadAll(io.LimitReader(s, maxDirectoryBytes+1))
	if err != nil {
		return 0, fmt.Errorf("overlay: read directory from %s: %w", p.ShortString(), err)
	}
	return o.addDirectory(b)
}

// addDirectory adds every descriptor of a DirProtocol answer that
// verifies; it returns how many entered or changed the cache.
func (o *Overlay) addDirectory(b []byte) (int, error) {
	raws, err := DecodeDirectory(b)
	if err != nil {
		return 0, err
	}
	added := 0
	for _, raw := range raws {
		changed, err := o.dir.Add(raw, "")
		if err != nil {
			continue // counted by the directory's rejection counters
		}
		if changed {
			added++
		}
	}
	return added, nil
}
