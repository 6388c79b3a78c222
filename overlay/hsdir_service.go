package overlay

// The hidden-service directory front: every relay with a DHT serves the
// circuit service HSDirService, through which services publish and
// clients fetch descriptors. The relay's own DHT node does the PutValue or
// GetValue, so the DHT sees the relay asking, never the service's or the
// client's node (DESIGN §4: published and fetched only through circuits).
// A node never puts or gets /hsdesc/ keys for itself: there is no such
// path in this package.
//
// One request per stream, both ways bounded:
//
//	request   op 1 (hsdirPut, hsdirGet) | index 32 | len 2 | value len (put only)
//	answer    status 1 (0 ok, 1 not found, 2 refused) | len 2 | value len (get only)

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"cyclecash/onion/hs"
)

// HSDirService is the circuit service name of the directory front.
const HSDirService = "hsdir"

const (
	hsdirPut byte = 1
	hsdirGet byte = 2

	hsdirOK       byte = 0
	hsdirNotFound byte = 1
	hsdirRefused  byte = 2

	hsdirTimeout = 20 * time.Second
)

// Sentinels of the directory front, as a client sees them.
var (
	ErrHSDescNotFound = errors.New("overlay: hidden-service descriptor not found")
	ErrHSDirRefused   = errors.New("overlay: hidden-service directory refused the request")
)

// hsdirServed counts the directory requests this node's front served.
type hsdirServed struct{ puts, gets atomic.Uint64 }

// HSDirServed returns how many descriptor puts and gets this node's
// directory front has carried out for others.
func (o *Overlay) HSDirServed() (puts, gets uint64) {
	return o.hsdir.puts.Load(), o.hsdir.gets.Load()
}

// ServeHSDir registers the directory front on on; a node without a DHT
// (client-only) serves none.
func (o *Overlay) ServeHSDir(on *Onion) {
	if o.dht == nil {
		return
	}
	on.Handle(HSDirService, o.serveHSDir)
}

func (o *Overlay) serveHSDir(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(hsdirTimeout))
	op, idx, value, err := readHSDirRequest(c)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), hsdirTimeout)
	defer cancel()
	switch op {
	case hsdirPut:
		o.hsdir.puts.Add(1)
		if err := o.dht.PutValue(ctx, HSDescKey(idx), value); err != nil {
			o.log.Debug("hsdir put", "err", scrub(err))
			_ = writeHSDirAnswer(c, hsdirRefused, nil)
			return
		}
		_ = writeHSDirAnswer(c, hsdirOK, nil)
	case hsdirGet:
		o.hsdir.gets.Add(1)
		v, err := o.dht.GetValue(ctx, HSDescKey(idx))
		if err != nil {
			_ = writeHSDirAnswer(c, hsdirNotFound, nil)
			return
		}
		_ = writeHSDirAnswer(c, hsdirOK, v)
	}
}

func readHSDirRequest(r io.Reader) (byte, hs.Index, []byte, error) {
	var head [1 + 32 + 2]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return 0, hs.Index{}, nil, err
	}
	op, idx, n := head[0], hs.Index(head[1:33]), int(binary.BigEndian.Uint16(head[33:]))
	if (op != hsdirPut && op != hsdirGet) || n > hs.MaxDescriptorSize || (op == hsdirGet && n != 0) {
		return 0, hs.Index{}, nil, ErrHSDirRefused
	}
	v := make([]byte, n)
	if _, err := io.ReadFull(r, v); err != nil {
		return 0, hs.Index{}, nil, err
	}
	return op, idx, v, nil
}

func writeHSDirAnswer(w io.Writer, status byte, v []byte) error {
	b := append([]byte{status}, binary.BigEndian.AppendUint16(nil, uint16(len(v)))...)
	_, err := w.Write(append(b, v...))
	return err
}

// HSDirPut asks the directory front at the far end of c (a stream to
// HSDirService through a circuit) to store value under idx.
func HSDirPut(c net.Conn, idx hs.Index, value []byte) error {
	if len(value) > hs.MaxDescriptorSize {
		return fmt.Errorf("%w: descriptor of %d bytes", ErrHSDirRefused, len(value))
	}
	_, err := hsdirRoundTrip(c, hsdirPut, idx, value)
	return err
}

// HSDirGet asks the directory front at the far end of c for idx's value.
func HSDirGet(c net.Conn, idx hs.Index) ([]byte, error) {
	return hsdirRoundTrip(c, hsdirGet, idx, nil)
}

func hsdirRoundTrip(c net.Conn, op byte, idx hs.Index, value []byte) ([]byte, error) {
	req := append([]byte{op}, idx[:]...)
	req = binary.BigEndian.AppendUint16(req, uint16(len(value)))
	if _, err := c.Write(append(req, value...)); err != nil {
		return nil, err
	}
	var head [3]byte
	if _, err := io.ReadFull(c, head[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(head[1:]))
	if n > hs.MaxDescriptorSize {
		return nil, ErrHSDirRefused
	}
	v := make([]byte, n)
	if _, err := io.ReadFull(c, v); err != nil {
		return nil, err
	}
	switch head[0] {
	case hsdirOK:
		return v, nil
	case hsdirNotFound:
		return nil, ErrHSDescNotFound
	}
	return nil, ErrHSDirRefused
}
