package ledger

import (
	"encoding/binary"
	"fmt"
	"math"
)

// A minimal CBOR (RFC 8949) subset for cashuB tokens (NUT-00 V4): unsigned
// integers, byte and text strings, arrays and maps with text keys, all of
// definite length; plus the simple values false, true and null on input.
// Anything else (tags, floats, negative integers, indefinite lengths) is
// refused: a token never needs it, and a smaller parser is a smaller target.

const (
	cborUint  = 0
	cborBytes = 2
	cborText  = 3
	cborArray = 4
	cborMap   = 5
	cborOther = 7

	cborMaxDepth = 16
	// cborMaxPrealloc bounds the room reserved for an array or map before
	// its items are read: a count is only a claim, and nested claims would
	// otherwise reserve many times the input's size before failing.
	cborMaxPrealloc = 64
)

// cborKV is one map entry; maps keep their encoding order.
type cborKV struct {
	key string
	val any
}

// cborEnc appends CBOR items to buf.
type cborEnc struct{ buf []byte }

func (e *cborEnc) head(major byte, n uint64) {
	m := major << 5
	switch {
	case n < 24:
		e.buf = append(e.buf, m|byte(n))
	case n <= math.MaxUint8:
		e.buf = append(e.buf, m|24, byte(n))
	case n <= math.MaxUint16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, m|25), uint16(n))
	case n <= math.MaxUint32:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, m|26), uint32(n))
	default:
		e.buf = binary.BigEndian.AppendUint64(append(e.buf, m|27), n)
	}
}

func (e *cborEnc) uint(n uint64)  { e.head(cborUint, n) }
func (e *cborEnc) bytes(b []byte) { e.head(cborBytes, uint64(len(b))); e.buf = append(e.buf, b...) }
func (e *cborEnc) text(s string)  { e.head(cborText, uint64(len(s))); e.buf = append(e.buf, s...) }
func (e *cborEnc) array(n int)    { e.head(cborArray, uint64(n)) }
func (e *cborEnc) mapHead(n int)  { e.head(cborMap, uint64(n)) }
func (e *cborEnc) key(k string)   { e.text(k) }

// cborDec reads one item tree from b.
type cborDec struct {
	b   []byte
	off int
}

var errCBOR = fmt.Errorf("%w: bad cbor", ErrMalformed)

func cborDecode(b []byte) (any, error) {
	d := &cborDec{b: b}
	v, err := d.item(0)
	if err != nil {
		return nil, err
	}
	if d.off != len(b) {
		return nil, fmt.Errorf("%w: trailing bytes", errCBOR)
	}
	return v, nil
}

func (d *cborDec) head() (major byte, arg uint64, err error) {
	if d.off >= len(d.b) {
		return 0, 0, errCBOR
	}
	ib := d.b[d.off]
	d.off++
	major, info := ib>>5, ib&0x1f
	if info < 24 {
		return major, uint64(info), nil
	}
	if info > 27 {
		return 0, 0, errCBOR // reserved or indefinite length
	}
	n := 1 << (info - 24)
	if len(d.b)-d.off < n {
		return 0, 0, errCBOR
	}
	var v uint64
	for _, c := range d.b[d.off : d.off+n] {
		v = v<<8 | uint64(c)
	}
	d.off += n
	return major, v, nil
}

func (d *cborDec) item(depth int) (any, error) {
	if depth > cborMaxDepth {
		return nil, errCBOR
	}
	major, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case cborUint:
		return arg, nil
	case cborBytes, cborText:
		if arg > uint64(len(d.b)-d.off) {
			return nil, errCBOR
		}
		s := d.b[d.off : d.off+int(arg)]
		d.off += int(arg)
		if major == cborText {
			return string(s), nil
		}
		return append([]byte(nil), s...), nil
	case cborArray:
		return d.array(arg, depth)
	case cborMap:
		return d.mapItems(arg, depth)
	case cborOther:
		return d.simple(arg)
	}
	return nil, errCBOR
}

func (d *cborDec) array(n uint64, depth int) (any, error) {
	if n > uint64(len(d.b)-d.off) { // every item takes at least one byte
		return nil, errCBOR
	}
	out := make([]any, 0, min(n, cborMaxPrealloc)) // grown as items arrive
	for range n {
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *cborDec) mapItems(n uint64, depth int) (any, error) {
	if n > uint64(len(d.b)-d.off)/2 {
		return nil, errCBOR
	}
	out := make([]cborKV, 0, min(n, cborMaxPrealloc))
	for range n {
		k, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("%w: non-text map key", errCBOR)
		}
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, cborKV{ks, v})
	}
	return out, nil
}

func (d *cborDec) simple(arg uint64) (any, error) {
	switch arg {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22:
		return nil, nil
	}
	return nil, errCBOR
}
