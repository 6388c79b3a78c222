package compute

// Control opcodes the metering pass cares about (spec 5.4.1).
const (
	opBlock       = 0x02
	opLoop        = 0x03
	opIf          = 0x04
	opEnd         = 0x0b
	opGlobalGet   = 0x23
	opGlobalSet   = 0x24
	opI64Const    = 0x42
	opI64Sub      = 0x7d
	opI64LtS      = 0x53
	opUnreachable = 0x00
	opPrefixFC    = 0xfc
)

// instr decodes one instruction, skipping its immediates, and returns its
// opcode. It covers the MVP instruction set plus the sign-extension,
// non-trapping float-to-int, bulk-memory and reference-type instructions;
// SIMD, threads, exceptions and tail calls are rejected as unsupported.
func (r *reader) instr() byte {
	op := r.byte()
	switch {
	case op == 0x00 || op == 0x01 || op == 0x05 || op == opEnd || op == 0x0f:
		// unreachable nop else end return
	case op >= opBlock && op <= opIf:
		r.blockType()
	case op == 0x0c || op == 0x0d || op == 0x10 || op == 0xd2:
		r.imm = r.u32() // br br_if call ref.func
	case op == 0x0e:
		r.brTable()
	case op == 0x11:
		r.u32() // call_indirect: type index, table index
		r.u32()
	case op == 0x1a || op == 0x1b || op == 0xd1:
		// drop select ref.is_null
	case op == 0x1c:
		r.typedSelect()
	case op >= 0x20 && op <= 0x26:
		r.u32() // local.* global.* table.get table.set
	case op >= 0x28 && op <= 0x3e:
		r.memArg()
	case op == 0x3f || op == 0x40:
		r.zeroByte() // memory.size memory.grow
	case op >= 0x41 && op <= 0x44:
		r.constant(op)
	case op >= 0x45 && op <= 0xc4:
		// numeric, including sign extension 0xc0..0xc4
	case op == 0xd0:
		r.refType()
	case op == opPrefixFC:
		r.prefixFC()
	default:
		r.rejectOpcode(op)
	}
	return op
}

func (r *reader) rejectOpcode(op byte) {
	switch {
	case r.err != nil:
	case op == 0xfd:
		r.fail(ErrUnsupported, "SIMD instruction")
	case op == 0xfe:
		r.fail(ErrUnsupported, "atomic instruction")
	case op >= 0x06 && op <= 0x0a, op == 0x18, op == 0x19:
		r.fail(ErrUnsupported, "exception instruction 0x%02x", op)
	case op >= 0x12 && op <= 0x15:
		r.fail(ErrUnsupported, "tail call or typed reference 0x%02x", op)
	default:
		r.fail(ErrMalformed, "unknown opcode 0x%02x", op)
	}
}

// blockType is 0x40 (empty), a value type, or a non-negative s33 type index.
func (r *reader) blockType() {
	if r.err != nil || r.i >= len(r.b) {
		r.byte()
		return
	}
	if c := r.b[r.i]; c == 0x40 || isValType(c) {
		r.i++
		return
	}
	if v := int64(r.leb(33, true)); v < 0 {
		r.fail(ErrMalformed, "bad block type")
	}
}

func (r *reader) brTable() {
	n := r.count(1)
	for i := uint32(0); i <= n && r.err == nil; i++ {
		r.u32()
	}
}

func (r *reader) typedSelect() {
	n := r.count(1)
	for i := uint32(0); i < n; i++ {
		r.valType()
	}
}

// memArg is alignment then offset; bit 6 of the alignment would announce a
// memory index (multi-memory), which is not supported.
func (r *reader) memArg() {
	if align := r.u32(); align >= 64 {
		r.fail(ErrUnsupported, "multiple memories")
	}
	r.u32()
}

func (r *reader) zeroByte() {
	if c := r.byte(); c != 0 && r.err == nil {
		r.fail(ErrUnsupported, "memory index %d", c)
	}
}

func (r *reader) constant(op byte) {
	switch op {
	case 0x41:
		r.leb(32, true)
	case 0x42:
		r.leb(64, true)
	case 0x43:
		r.bytes(4)
	case 0x44:
		r.bytes(8)
	}
}

func (r *reader) refType() {
	if c := r.byte(); c != 0x70 && c != 0x6f && r.err == nil {
		r.fail(ErrMalformed, "bad reference type 0x%02x", c)
	}
}

// prefixFC decodes the 0xfc-prefixed instructions (spec 5.4.5-5.4.7).
func (r *reader) prefixFC() {
	sub := r.u32()
	r.imm = sub
	switch {
	case sub <= 7: // i32/i64.trunc_sat_f32/f64_s/u
	case sub == 8: // memory.init data, mem
		r.u32()
		r.zeroByte()
	case sub == 9 || sub == 13 || sub >= 15 && sub <= 17:
		r.u32() // data.drop elem.drop table.grow table.size table.fill
	case sub == 10: // memory.copy dst, src
		r.zeroByte()
		r.zeroByte()
	case sub == 11: // memory.fill
		r.zeroByte()
	case sub == 12 || sub == 14: // table.init, table.copy
		r.u32()
		r.u32()
	default:
		if r.err == nil {
			r.fail(ErrUnsupported, "instruction 0xfc %d", sub)
		}
	}
}
