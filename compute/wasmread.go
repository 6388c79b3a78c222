package compute

import "fmt"

// reader decodes the primitive encodings of the WebAssembly binary format
// (spec section 5.2). Errors are sticky: after the first one every method
// returns zero values and err keeps the first cause, which keeps decoding
// code free of per-call checks.
type reader struct {
	b   []byte
	i   int
	err error
	imm uint32 // first immediate of the last call or 0xfc instruction
}

func (r *reader) fail(err error, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: at byte %d: %s", err, r.i, fmt.Sprintf(format, args...))
	}
}

func (r *reader) done() bool { return r.err != nil || r.i >= len(r.b) }

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.i >= len(r.b) {
		r.fail(ErrMalformed, "unexpected end")
		return 0
	}
	c := r.b[r.i]
	r.i++
	return c
}

func (r *reader) bytes(n uint32) []byte {
	if r.err != nil {
		return nil
	}
	if uint64(n) > uint64(len(r.b)-r.i) {
		r.fail(ErrMalformed, "length %d past end", n)
		return nil
	}
	s := r.b[r.i : r.i+int(n)]
	r.i += int(n)
	return s
}

// leb decodes an LEB128 number of the given bit width (spec 5.2.2) and
// rejects overlong encodings and unused bits that are not zero (unsigned) or
// copies of the sign bit (signed). Signed values are returned sign-extended.
func (r *reader) leb(width uint, signed bool) uint64 {
	var v uint64
	maxBytes := (width + 6) / 7
	for n := uint(0); n < maxBytes; n++ {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= uint64(c&0x7f) << (7 * n)
		if c&0x80 == 0 {
			if n == maxBytes-1 && !lastLEBByteOK(c, width-7*n, signed) {
				r.fail(ErrMalformed, "integer too large")
				return 0
			}
			if shift := 7 * (n + 1); signed && shift < 64 && c&0x40 != 0 {
				v |= ^uint64(0) << shift
			}
			return v
		}
	}
	r.fail(ErrMalformed, "integer representation too long")
	return 0
}

// lastLEBByteOK checks the final byte of a maximal-length LEB128 number that
// carries used value bits.
func lastLEBByteOK(c byte, used uint, signed bool) bool {
	if used >= 7 {
		return true
	}
	extra := c >> used // bits beyond the value, including the sign copies
	if !signed {
		return extra == 0
	}
	sign := (c >> (used - 1)) & 1
	return extra == 0 && sign == 0 || extra == 0x7f>>used && sign == 1
}

func (r *reader) u32() uint32 { return uint32(r.leb(32, false)) }

func (r *reader) name() string {
	return string(r.bytes(r.u32()))
}

// count reads a vector length and rejects lengths that cannot fit in the
// remaining input at min bytes per element, so that hostile counts never
// drive large loops or allocations.
func (r *reader) count(min int) uint32 {
	n := r.u32()
	if r.err == nil && uint64(n)*uint64(min) > uint64(len(r.b)-r.i) {
		r.fail(ErrMalformed, "vector of %d elements past end", n)
		return 0
	}
	return n
}

// Value types (spec 5.3.1).
func isValType(c byte) bool {
	switch c {
	case 0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f: // i32 i64 f32 f64 funcref externref
		return true
	}
	return false
}

func (r *reader) valType() byte {
	c := r.byte()
	if r.err == nil && !isValType(c) {
		if c == 0x7b {
			r.fail(ErrUnsupported, "v128 value type")
		} else {
			r.fail(ErrMalformed, "bad value type 0x%02x", c)
		}
	}
	return c
}

// limits decodes a table or memory limit (spec 5.3.7) and returns the
// minimum. Shared (threads) and 64-bit memories are not supported.
func (r *reader) limits() uint32 {
	flag := r.byte()
	switch flag {
	case 0:
		return r.u32()
	case 1:
		min := r.u32()
		r.u32()
		return min
	}
	r.fail(ErrUnsupported, "limits flag 0x%02x", flag)
	return 0
}

// appendU32 appends v in unsigned LEB128.
func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// appendS64 appends v in signed LEB128.
func appendS64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 && c&0x40 == 0 || v == -1 && c&0x40 != 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
