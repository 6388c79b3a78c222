package compute

// wazero preallocates slices from the counts a binary declares (vectors,
// function locals, type parameters) before checking them against the bytes
// that follow, so a module of a few bytes can make it allocate gigabytes.
// parseModule therefore decodes every section far enough to bound each
// count by the bytes left, and caps locals per function, before any module
// reaches wazero.

// maxLocals caps the locals of one function (parameters excluded); Go's
// wasm output uses a handful.
const maxLocals = 1 << 16

// decodeTypes returns the parameter count of each function type.
func (r *reader) decodeTypes() []uint32 {
	n := r.count(3)
	params := make([]uint32, 0, n)
	for i := uint32(0); i < n && r.err == nil; i++ {
		if form := r.byte(); form != 0x60 && r.err == nil {
			r.fail(ErrMalformed, "function type form 0x%02x", form)
		}
		for k := range 2 { // parameters, results
			c := r.count(1)
			for j := uint32(0); j < c; j++ {
				r.valType()
			}
			if k == 0 {
				params = append(params, c)
			}
		}
	}
	return params
}

// decodeLocals bounds the local declarations of every function body.
func (r *reader) decodeLocals() {
	n := r.count(2)
	for i := uint32(0); i < n && r.err == nil; i++ {
		body := &reader{b: r.bytes(r.u32())}
		total := uint64(0)
		groups := body.count(2)
		for j := uint32(0); j < groups && body.err == nil; j++ {
			total += uint64(body.u32())
			body.valType()
		}
		if total > maxLocals && body.err == nil {
			body.fail(ErrUnsupported, "function %d declares %d locals, limit %d", i, total, maxLocals)
		}
		if body.err != nil {
			r.fail(body.err, "function %d", i)
		}
	}
}

func (r *reader) decodeTables() []tableDef {
	n := r.count(3)
	tables := make([]tableDef, 0, n)
	for i := uint32(0); i < n && r.err == nil; i++ {
		t := tableDef{ref: r.byte()}
		if t.ref != 0x70 && t.ref != 0x6f && r.err == nil {
			r.fail(ErrMalformed, "bad reference type 0x%02x", t.ref)
		}
		flag := r.byte()
		switch flag {
		case 0:
			t.min = r.u32()
		case 1:
			t.min, t.max, t.hasMax = r.u32(), r.u32(), true
		default:
			r.fail(ErrUnsupported, "table limits flag 0x%02x", flag)
		}
		tables = append(tables, t)
	}
	return tables
}

// decodeElements walks element segments (spec 5.5.12, flags 0-7).
func (r *reader) decodeElements() {
	n := r.count(2)
	for i := uint32(0); i < n && r.err == nil; i++ {
		flags := r.u32()
		if flags > 7 {
			r.fail(ErrMalformed, "element segment flags %d", flags)
			return
		}
		if flags&2 != 0 && flags&1 == 0 {
			r.u32() // table index
		}
		if flags&1 == 0 {
			r.constExpr() // offset of an active segment
		}
		if flags&3 != 0 {
			r.byte() // element kind or reference type
		}
		k := r.count(1)
		for j := uint32(0); j < k && r.err == nil; j++ {
			if flags&4 != 0 {
				r.constExpr()
			} else {
				r.u32()
			}
		}
	}
}

// decodeData walks data segments (spec 5.5.14, flags 0-2).
func (r *reader) decodeData() {
	n := r.count(2)
	for i := uint32(0); i < n && r.err == nil; i++ {
		switch flags := r.u32(); flags {
		case 0:
			r.constExpr()
		case 1:
		case 2:
			r.u32()
			r.constExpr()
		default:
			r.fail(ErrMalformed, "data segment flags %d", flags)
		}
		r.bytes(r.u32())
	}
}
