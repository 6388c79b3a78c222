package compute

import "fmt"

// FuelExport is the name under which an instrumented module exports its fuel
// counter: a mutable i64 global the host sets to the budget before running
// and reads afterwards. A negative value after a trap means out of fuel.
const FuelExport = "cyclecash_fuel"

// Instrument returns a copy of module with fuel metering added.
//
// It appends a mutable i64 global (index = imported + defined globals, so no
// existing index shifts) exported as FuelExport, and inserts at every
// function entry and every loop header:
//
//	global.get F; i64.const cost; i64.sub; global.set F
//	global.get F; i64.const 0; i64.lt_s; if; unreachable; end
//
// The cost of a point is the number of instructions in the region it heads:
// the function body outside its loops, or one loop body outside its nested
// loops. Every executed instruction lies in a region that was paid for on
// entry, so fuel is a deterministic upper bound on instructions executed.
// Not charged by size: memory.fill, memory.copy, memory.grow and host calls;
// the memory cap and the wall-clock deadline bound those.
//
// Instrument does not validate the module beyond what decoding needs; it is
// deterministic (same input, same output bytes) and drops DWARF sections,
// whose code offsets it would invalidate.
func Instrument(module []byte) ([]byte, error) { return instrument(module, true) }

// instrument adds the fuel global and export, and the metering code only
// if meters is set (benchmarks measure metering overhead against false).
func instrument(module []byte, meters bool) ([]byte, error) {
	m, err := parseModule(module)
	if err != nil {
		return nil, err
	}
	if _, ok := m.exports[FuelExport]; ok {
		return nil, ErrInstrumented
	}
	fuel := m.importedGlobals + m.definedGlobals
	out := make([]section, 0, len(m.sections)+2)
	for _, s := range m.sections {
		switch {
		case isDebugSection(s):
			continue
		case s.id == secGlobal:
			s.body = appendFuelGlobal(s.body)
		case s.id == secExport:
			s.body = appendFuelExport(s.body, fuel)
		case s.id == secCode && meters:
			if s.body, err = meterCode(s.body, fuel); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	if !m.has(secGlobal) {
		out = insertSection(out, section{id: secGlobal, body: appendFuelGlobal([]byte{0})})
	}
	if !m.has(secExport) {
		out = insertSection(out, section{id: secExport, body: appendFuelExport([]byte{0}, fuel)})
	}
	return encodeModule(out), nil
}

// insertSection puts s before the first section that must follow it.
func insertSection(out []section, s section) []section {
	for i, o := range out {
		if o.id != secCustom && sectionRank[o.id] > sectionRank[s.id] {
			return append(out[:i], append([]section{s}, out[i:]...)...)
		}
	}
	return append(out, s)
}

func (m *moduleInfo) has(id byte) bool {
	for _, s := range m.sections {
		if s.id == id {
			return true
		}
	}
	return false
}

// appendFuelGlobal adds "(global (mut i64) (i64.const 0))" to a global
// section body.
func appendFuelGlobal(body []byte) []byte {
	r := &reader{b: body}
	n := r.u32()
	out := appendU32(nil, n+1)
	out = append(out, body[r.i:]...)
	return append(out, 0x7e, 0x01, opI64Const, 0x00, opEnd)
}

// appendFuelExport adds "(export FuelExport (global fuel))".
func appendFuelExport(body []byte, fuel uint32) []byte {
	r := &reader{b: body}
	n := r.u32()
	out := appendU32(nil, n+1)
	out = append(out, body[r.i:]...)
	out = appendU32(out, uint32(len(FuelExport)))
	out = append(out, FuelExport...)
	out = append(out, externGlobal)
	return appendU32(out, fuel)
}

// meterCode rewrites every function body of a code section.
func meterCode(body []byte, fuel uint32) ([]byte, error) {
	r := &reader{b: body}
	n := r.count(1)
	out := appendU32(make([]byte, 0, len(body)+len(body)/4), n)
	for i := uint32(0); i < n && r.err == nil; i++ {
		fn := r.bytes(r.u32())
		if r.err != nil {
			break
		}
		metered, err := meterFunc(fn, fuel)
		if err != nil {
			return nil, fmt.Errorf("function %d: %w", i, err)
		}
		out = appendU32(out, uint32(len(metered)))
		out = append(out, metered...)
	}
	if r.err == nil && r.i != len(body) {
		r.fail(ErrMalformed, "trailing bytes in code section")
	}
	return out, r.err
}
