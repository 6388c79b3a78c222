package compute

// meterEdit is one insertion into a function body: a metering point (the
// charge of region), a bulk charge, or a NaN canonicalization.
type meterEdit struct {
	at     int
	region int    // index into regions, or -1
	code   []byte // fixed code when region < 0
}

// meterRegion is the running cost of one metering point.
type meterRegion struct{ cost int64 }

// funcMeter instruments the body of one function.
type funcMeter struct {
	p       *meterPlan
	meters  bool
	scratch uint32 // index of the f32 scratch local; the f64 one follows
	regions []meterRegion
	edits   []meterEdit
}

// meterFunc instruments one function body (locals then expression) of the
// defined function with index fn. With meters unset only NaN
// canonicalization is added.
func meterFunc(body []byte, p *meterPlan, fn uint32, meters bool) ([]byte, error) {
	r := &reader{b: body}
	groups := r.count(2)
	groupsEnd := r.i
	locals := uint64(0)
	for i := uint32(0); i < groups; i++ {
		locals += uint64(r.u32())
		r.valType()
	}
	if r.err != nil {
		return nil, r.err
	}
	params := uint64(0)
	if int(fn) < len(p.m.funcTypes) && int(p.m.funcTypes[fn]) < len(p.m.typeParams) {
		params = uint64(p.m.typeParams[p.m.funcTypes[fn]])
	}
	f := &funcMeter{p: p, meters: meters, scratch: uint32(params + locals)}
	exprAt := r.i
	if err := f.scan(r); err != nil {
		return nil, err
	}
	// Locals: the original groups plus one f32 and one f64 scratch local.
	out := make([]byte, 0, len(body)+len(f.edits)*16+8)
	out = appendU32(out, groups+2)
	out = append(out, body[groupsEnd:exprAt]...)
	out = append(out, 1, 0x7d, 1, 0x7c)
	prev := exprAt
	for _, e := range f.edits {
		out = append(out, body[prev:e.at]...)
		if e.region >= 0 {
			out = appendMeter(out, p.fuel, f.regions[e.region].cost)
		} else {
			out = append(out, e.code...)
		}
		prev = e.at
	}
	return append(out, body[prev:]...), nil
}

// scan walks the expression at r: it opens a region at the function entry
// and at every loop header, adds each instruction's weight to the region
// it lies in (outside nested loops), and records bulk charges and NaN
// canonicalizations.
func (f *funcMeter) scan(r *reader) error {
	f.openRegion(r.i)
	open := []int{0}        // region index of each enclosing loop, innermost last
	isLoop := []bool{false} // one per open block; the function body is the first
	for len(isLoop) > 0 && !r.done() {
		at := r.i
		op := r.instr()
		if r.err != nil {
			break
		}
		f.regions[open[len(open)-1]].cost += f.weight(op, r.imm)
		f.charge(at, op, r.imm)
		f.canonicalize(r.i, op)
		switch op {
		case opBlock, opIf:
			isLoop = append(isLoop, false)
		case opLoop:
			isLoop = append(isLoop, true)
			open = append(open, len(f.regions))
			f.openRegion(r.i)
		case opEnd:
			if isLoop[len(isLoop)-1] {
				open = open[:len(open)-1]
			}
			isLoop = isLoop[:len(isLoop)-1]
		}
	}
	switch {
	case r.err != nil:
		return r.err
	case len(isLoop) > 0:
		r.fail(ErrMalformed, "function body without end")
	case r.i != len(r.b):
		r.fail(ErrMalformed, "bytes after function end")
	}
	return r.err
}

func (f *funcMeter) openRegion(at int) {
	if f.meters {
		f.edits = append(f.edits, meterEdit{at: at, region: len(f.regions)})
	}
	f.regions = append(f.regions, meterRegion{})
}

func (f *funcMeter) weight(op byte, imm uint32) int64 {
	if op == opPrefixFC {
		return weightDefault
	}
	return opWeight(op, op == 0x10 && imm < f.p.m.importedFuncs)
}

// charge records a charge of the size operand (on top of the stack) before
// bulk memory and table instructions and memory.grow.
func (f *funcMeter) charge(at int, op byte, imm uint32) {
	w := int64(0)
	switch op {
	case opPrefixFC:
		w = bulkWeight(imm)
	case 0x40:
		w = pageWeight
	}
	if w == 0 || !f.meters {
		return
	}
	code := append([]byte{opI64Const}, appendS64(nil, w)...)
	code = append(code, 0x10)
	code = appendU32(code, f.p.charge)
	f.edits = append(f.edits, meterEdit{at: at, region: -1, code: code})
}

// canonicalize records, after a float instruction that may produce a NaN,
// code that replaces any NaN result by the canonical one:
//
//	local.tee $t; fN.const nan; local.get $t; local.get $t; fN.eq; select
func (f *funcMeter) canonicalize(at int, op byte) {
	var local uint32
	var code []byte
	switch {
	case op >= 0x8d && op <= 0x97 || op == 0xb6: // f32 results
		local = f.scratch
		code = []byte{0x43, 0x00, 0x00, 0xc0, 0x7f}
	case op >= 0x9b && op <= 0xa5 || op == 0xbb: // f64 results
		local = f.scratch + 1
		code = []byte{0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f}
	default:
		return
	}
	eq := byte(0x5b) // f32.eq
	if local != f.scratch {
		eq = 0x61 // f64.eq
	}
	out := appendU32([]byte{0x22}, local)
	out = append(out, code...)
	out = appendU32(append(out, 0x20), local)
	out = appendU32(append(out, 0x20), local)
	out = append(out, eq, 0x1b)
	f.edits = append(f.edits, meterEdit{at: at, region: -1, code: out})
}

// appendMeter emits the charge-and-check sequence of a metering point:
//
//	global.get F; i64.const cost; i64.sub; global.set F
//	global.get F; i64.const 0; i64.lt_s; if; unreachable; end
func appendMeter(out []byte, fuel uint32, cost int64) []byte {
	out = append(out, opGlobalGet)
	out = appendU32(out, fuel)
	out = append(out, opI64Const)
	out = appendS64(out, cost)
	out = append(out, opI64Sub, opGlobalSet)
	out = appendU32(out, fuel)
	out = append(out, opGlobalGet)
	out = appendU32(out, fuel)
	return append(out, opI64Const, 0x00, opI64LtS, opIf, 0x40, opUnreachable, opEnd)
}

// chargeBody is the body of the charge function (n i32, w i64) -> n:
//
//	global.get F; local.get 0; i64.extend_i32_u; local.get 1; i64.mul
//	i64.const 4; i64.shr_u; i64.sub; global.set F
//	global.get F; i64.const 0; i64.lt_s; if; unreachable; end; local.get 0
func chargeBody(fuel uint32) []byte {
	out := []byte{0, opGlobalGet} // no locals
	out = appendU32(out, fuel)
	out = append(out, 0x20, 0, 0xad, 0x20, 1, 0x7e, opI64Const, 4, 0x88, opI64Sub, opGlobalSet)
	out = appendU32(out, fuel)
	out = append(out, opGlobalGet)
	out = appendU32(out, fuel)
	return append(out, opI64Const, 0x00, opI64LtS, opIf, 0x40, opUnreachable, opEnd, 0x20, 0, opEnd)
}
