package hs

import "encoding/binary"

// reader takes fields off a byte slice; a read past the end sets short and
// yields zeros, so a parser checks short once at the end.
type reader struct {
	b     []byte
	short bool
}

func (r *reader) take(n int) []byte {
	if n > len(r.b) {
		r.short = true
		r.b = nil
		return make([]byte, n)
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) byte() byte      { return r.take(1)[0] }
func (r *reader) copy(dst []byte) { copy(dst, r.take(len(dst))) }
func (r *reader) u16() uint16     { return binary.BigEndian.Uint16(r.take(2)) }
func (r *reader) u32() uint32     { return binary.BigEndian.Uint32(r.take(4)) }
func (r *reader) u64() uint64     { return binary.BigEndian.Uint64(r.take(8)) }
func (r *reader) rest() []byte    { b := r.b; r.b = nil; return b }
