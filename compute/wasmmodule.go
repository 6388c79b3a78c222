package compute

import (
	"bytes"
	"strings"
)

// Binary module layout (spec 5.5).
var wasmHeader = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// Section IDs (spec 5.5.2).
const (
	secCustom    = 0
	secType      = 1
	secImport    = 2
	secFunction  = 3
	secTable     = 4
	secMemory    = 5
	secGlobal    = 6
	secExport    = 7
	secStart     = 8
	secElement   = 9
	secCode      = 10
	secData      = 11
	secDataCount = 12
	secTag       = 13
)

// sectionRank orders non-custom sections as the spec requires; the data
// count section sits between element and code.
var sectionRank = [...]int{
	secType: 1, secImport: 2, secFunction: 3, secTable: 4, secMemory: 5,
	secGlobal: 7, secExport: 8, secStart: 9, secElement: 10, secDataCount: 11,
	secCode: 12, secData: 13, secTag: 6,
}

// External kinds (spec 5.5.5).
const (
	externFunc   = 0
	externTable  = 1
	externMemory = 2
	externGlobal = 3
)

type section struct {
	id   byte
	name string // custom sections only
	body []byte
}

// Import is one entry of a module's import section.
type Import struct {
	Module, Name string
	Kind         byte // 0 func, 1 table, 2 memory, 3 global
}

// moduleInfo is what the instrumenter and the sandbox need to know about a
// module without compiling it.
type moduleInfo struct {
	sections        []section
	imports         []Import
	importedGlobals uint32
	definedGlobals  uint32
	exports         map[string]byte // name -> kind
	memoryMin       uint32          // pages; 0 when there is no memory
	importedFuncs   uint32
	funcTypes       []uint32   // type index of each defined function
	typeParams      []uint32   // parameter count of each type
	start           int64      // start function index, -1 when none
	tables          []tableDef // defined tables
}

// tableDef is one table of the table section.
type tableDef struct {
	ref      byte
	min, max uint32
	hasMax   bool
}

// parseModule splits a binary module into sections and decodes imports,
// exports, globals and memory. It does not validate function bodies.
func parseModule(b []byte) (*moduleInfo, error) {
	if len(b) < len(wasmHeader) || !bytes.Equal(b[:len(wasmHeader)], wasmHeader) {
		return nil, ErrNotWasm
	}
	r := &reader{b: b, i: len(wasmHeader)}
	m := &moduleInfo{exports: map[string]byte{}, start: -1}
	last := 0
	for !r.done() {
		s := section{id: r.byte()}
		s.body = r.bytes(r.u32())
		if r.err != nil {
			break
		}
		if s.id == secCustom {
			s.name = (&reader{b: s.body}).name()
		} else if int(s.id) >= len(sectionRank) {
			r.fail(ErrMalformed, "unknown section %d", s.id)
		} else if sectionRank[s.id] <= last {
			r.fail(ErrMalformed, "section %d out of order or repeated", s.id)
		} else {
			last = sectionRank[s.id]
			m.decode(r, s)
		}
		m.sections = append(m.sections, s)
	}
	return m, r.err
}

func (m *moduleInfo) decode(outer *reader, s section) {
	r := &reader{b: s.body}
	switch s.id {
	case secImport:
		m.decodeImports(r)
	case secGlobal:
		m.decodeGlobals(r)
	case secExport:
		m.decodeExports(r)
	case secMemory:
		switch r.count(2) {
		case 0:
		case 1:
			m.memoryMin = r.limits()
		default:
			r.fail(ErrUnsupported, "multiple memories")
		}
	case secType:
		m.typeParams = r.decodeTypes()
	case secFunction:
		for n := r.count(1); n > 0 && r.err == nil; n-- {
			m.funcTypes = append(m.funcTypes, r.u32())
		}
	case secTable:
		m.tables = r.decodeTables()
	case secElement:
		r.decodeElements()
	case secCode:
		r.decodeLocals()
	case secData:
		r.decodeData()
	case secStart:
		m.start = int64(r.u32())
	case secDataCount:
		r.u32()
	case secTag:
		r.fail(ErrUnsupported, "exception tags")
	}
	if r.err == nil && r.i != len(r.b) {
		r.fail(ErrMalformed, "trailing bytes")
	}
	if r.err != nil {
		outer.fail(r.err, "section %d", s.id)
	}
}

func (m *moduleInfo) decodeImports(r *reader) {
	n := r.count(4)
	for i := uint32(0); i < n && r.err == nil; i++ {
		imp := Import{Module: r.name(), Name: r.name(), Kind: r.byte()}
		switch imp.Kind {
		case externFunc:
			r.u32()
			m.importedFuncs++
		case externTable:
			r.byte()
			r.limits()
		case externMemory:
			m.memoryMin = r.limits()
		case externGlobal:
			r.valType()
			r.byte()
			m.importedGlobals++
		default:
			r.fail(ErrUnsupported, "import kind %d", imp.Kind)
		}
		m.imports = append(m.imports, imp)
	}
}

func (m *moduleInfo) decodeGlobals(r *reader) {
	m.definedGlobals = r.count(3)
	for i := uint32(0); i < m.definedGlobals && r.err == nil; i++ {
		r.valType()
		r.byte()
		r.constExpr()
	}
}

// constExpr skips an initializer expression up to its end opcode.
func (r *reader) constExpr() {
	for r.err == nil && r.instr() != opEnd {
	}
}

func (m *moduleInfo) decodeExports(r *reader) {
	n := r.count(3)
	for i := uint32(0); i < n && r.err == nil; i++ {
		name, kind := r.name(), r.byte()
		r.u32()
		m.exports[name] = kind
	}
}

// encode writes the module back with the given sections.
func encodeModule(sections []section) []byte {
	size := len(wasmHeader)
	for _, s := range sections {
		size += 6 + len(s.body)
	}
	out := append(make([]byte, 0, size), wasmHeader...)
	for _, s := range sections {
		out = append(out, s.id)
		out = appendU32(out, uint32(len(s.body)))
		out = append(out, s.body...)
	}
	return out
}

// isDebugSection reports DWARF sections, whose code offsets instrumentation
// would invalidate.
func isDebugSection(s section) bool {
	return s.id == secCustom && strings.HasPrefix(s.name, ".debug")
}
