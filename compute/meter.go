package compute

import "fmt"

// FuelExport is the name under which an instrumented module exports its fuel
// counter: a mutable i64 global the host sets to the budget before running
// and reads afterwards. A negative value after a trap means out of fuel.
const FuelExport = "cyclecash_fuel"

// StartExport is the name under which an instrumented module exports the
// function of its start section. Instrument removes the start section, so
// that the start function runs after the host has set the fuel, as the
// first call of a task.
const StartExport = "cyclecash_start"

// MaxTableElements caps every table of a module, declared size and growth
// alike: tables live on the host's heap, outside the linear memory cap.
const MaxTableElements = 1 << 20

// Instrument validates module and returns a copy with fuel metering added.
//
// The raw module is first decoded with hard bounds and then validated by
// wazero, so that no index in it can name what instrumentation adds: an
// invalid module is refused (ErrInvalid), never made valid. Then:
//
//   - a mutable i64 global is appended (index = imported + defined globals,
//     so no existing index shifts) and exported as FuelExport;
//   - a charge function (n i32, w i64) -> n is appended; it subtracts
//     n*w/16 fuel and traps when the fuel turns negative;
//   - at every function entry and loop header the weighted cost of the
//     region that follows is charged and checked (see meterFunc);
//   - before every bulk memory or table instruction and memory.grow, its
//     size operand is charged through the charge function, before the
//     operation runs;
//   - after every float instruction that may produce a NaN, the result is
//     replaced by the canonical NaN if it is one, so that replicas agree
//     across CPU architectures;
//   - tables get a maximum of at most MaxTableElements;
//   - the start section becomes the export StartExport.
//
// Fuel is therefore a deterministic upper bound on the weighted work a
// task does. Host calls are charged by the host for the bytes they move
// (see execute.go). Instrument is deterministic (same input, same output
// bytes) and drops DWARF sections, whose code offsets it would invalidate.
func Instrument(module []byte) ([]byte, error) { return instrument(module, true) }

// instrument adds the fuel global, its export and the charge function, and
// the metering code only if meters is set (benchmarks measure metering
// overhead against false).
func instrument(module []byte, meters bool) ([]byte, error) {
	m, err := parseModule(module)
	if err != nil {
		return nil, err
	}
	if _, ok := m.exports[FuelExport]; ok {
		return nil, ErrInstrumented
	}
	if _, ok := m.exports[StartExport]; ok {
		return nil, ErrInstrumented
	}
	if err := validateRaw(module); err != nil {
		return nil, err
	}
	if err := m.checkTables(); err != nil {
		return nil, err
	}
	p := m.plan()
	out := make([]section, 0, len(m.sections)+4)
	for _, s := range m.sections {
		switch {
		case isDebugSection(s):
			continue
		case s.id == secStart:
			continue
		case s.id == secType:
			s.body = appendVecItem(s.body, chargeType)
		case s.id == secFunction:
			s.body = appendVecItem(s.body, appendU32(nil, p.chargeTypeIdx))
		case s.id == secTable:
			s.body = capTables(m.tables)
		case s.id == secGlobal:
			s.body = appendVecItem(s.body, fuelGlobal)
		case s.id == secExport:
			s.body = p.appendExports(s.body)
		case s.id == secCode:
			if s.body, err = meterCode(s.body, p, meters); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	out = p.addMissing(m, out)
	return encodeModule(out), nil
}

// plan holds the indices instrumentation adds.
type meterPlan struct {
	m             *moduleInfo
	fuel          uint32 // global index of the fuel counter
	charge        uint32 // function index of the charge function
	chargeTypeIdx uint32 // its type index
}

func (m *moduleInfo) plan() *meterPlan {
	return &meterPlan{m: m, fuel: m.importedGlobals + m.definedGlobals,
		charge:        m.importedFuncs + uint32(len(m.funcTypes)),
		chargeTypeIdx: uint32(len(m.typeParams))}
}

// addMissing creates the sections a module lacked, in spec order.
func (p *meterPlan) addMissing(m *moduleInfo, out []section) []section {
	empty := []byte{0}
	for _, add := range []struct {
		id   byte
		body func() []byte
	}{
		{secType, func() []byte { return appendVecItem(empty, chargeType) }},
		{secFunction, func() []byte { return appendVecItem(empty, appendU32(nil, p.chargeTypeIdx)) }},
		{secGlobal, func() []byte { return appendVecItem(empty, fuelGlobal) }},
		{secExport, func() []byte { return p.appendExports(empty) }},
		{secCode, func() []byte { return appendVecItem(empty, sized(chargeBody(p.fuel))) }},
	} {
		if !m.has(add.id) {
			out = insertSection(out, section{id: add.id, body: add.body()})
		}
	}
	return out
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

// appendVecItem appends one encoded item to a vector (count-prefixed) body.
func appendVecItem(body, item []byte) []byte {
	r := &reader{b: body}
	n := r.u32()
	out := appendU32(nil, n+1)
	out = append(out, body[r.i:]...)
	return append(out, item...)
}

// sized prefixes b with its length.
func sized(b []byte) []byte { return append(appendU32(nil, uint32(len(b))), b...) }

// fuelGlobal is "(global (mut i64) (i64.const 0))".
var fuelGlobal = []byte{0x7e, 0x01, opI64Const, 0x00, opEnd}

// chargeType is "(func (param i32 i64) (result i32))".
var chargeType = []byte{0x60, 2, 0x7f, 0x7e, 1, 0x7f}

// appendExports adds the fuel export and, for a module with a start
// section, the start export.
func (p *meterPlan) appendExports(body []byte) []byte {
	body = appendVecItem(body, exportEntry(FuelExport, externGlobal, p.fuel))
	if p.m.start >= 0 {
		body = appendVecItem(body, exportEntry(StartExport, externFunc, uint32(p.m.start)))
	}
	return body
}

func exportEntry(name string, kind byte, idx uint32) []byte {
	out := appendU32(nil, uint32(len(name)))
	out = append(out, name...)
	out = append(out, kind)
	return appendU32(out, idx)
}

// checkTables refuses tables whose declared minimum exceeds the cap.
func (m *moduleInfo) checkTables() error {
	for i, t := range m.tables {
		if t.min > MaxTableElements {
			return fmt.Errorf("%w: table %d has %d elements, cap %d", ErrLimit, i, t.min, MaxTableElements)
		}
	}
	return nil
}

// capTables re-encodes the table section with every maximum at most
// MaxTableElements, so table.grow past the cap fails as the spec says.
func capTables(tables []tableDef) []byte {
	out := appendU32(nil, uint32(len(tables)))
	for _, t := range tables {
		max := uint32(MaxTableElements)
		if t.hasMax {
			max = min(max, t.max)
		}
		out = append(out, t.ref, 0x01)
		out = appendU32(out, t.min)
		out = appendU32(out, max)
	}
	return out
}

// meterCode rewrites every function body of a code section and appends
// the body of the charge function.
func meterCode(body []byte, p *meterPlan, meters bool) ([]byte, error) {
	r := &reader{b: body}
	n := r.count(1)
	out := appendU32(make([]byte, 0, len(body)+len(body)/4), n+1)
	for i := uint32(0); i < n && r.err == nil; i++ {
		fn := r.bytes(r.u32())
		if r.err != nil {
			break
		}
		metered, err := meterFunc(fn, p, i, meters)
		if err != nil {
			return nil, fmt.Errorf("function %d: %w", i, err)
		}
		out = append(out, sized(metered)...)
	}
	if r.err == nil && r.i != len(body) {
		r.fail(ErrMalformed, "trailing bytes in code section")
	}
	return append(out, sized(chargeBody(p.fuel))...), r.err
}
