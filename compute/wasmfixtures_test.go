package compute

import (
	"bytes"
	"context"
	"testing"
)

// Hand-assembled modules: small, readable, and each exercising one path of
// the reader, the instrumenter or the sandbox. They double as fuzz seeds.

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
func u(v uint32) []byte          { return appendU32(nil, v) }
func str(s string) []byte        { return cat(u(uint32(len(s))), []byte(s)) }
func vec(items ...[]byte) []byte { return cat(u(uint32(len(items))), cat(items...)) }
func sec(id byte, items ...[]byte) []byte {
	body := vec(items...)
	return cat([]byte{id}, u(uint32(len(body))), body)
}
func module(sections ...[]byte) []byte { return cat(wasmHeader, cat(sections...)) }

// fn encodes a function body with the given local groups and instructions.
func fn(locals []byte, instrs ...byte) []byte {
	body := cat(locals, instrs)
	return cat(u(uint32(len(body))), body)
}

var (
	noLocals    = vec()
	typeVoid    = []byte{0x60, 0, 0}       // () -> ()
	typeExit    = []byte{0x60, 1, 0x7f, 0} // (i32) -> ()
	typeFdWrite = []byte{0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f}
	wasiExit    = cat(str(wasiModule), str("proc_exit"), []byte{externFunc}, u(1))
	wasiWrite   = cat(str(wasiModule), str("fd_write"), []byte{externFunc}, u(1))
	exportStart = func(idx uint32) []byte { return cat(str("_start"), []byte{externFunc}, u(idx)) }
)

// sumLoop returns the body of a function that sums 0..n-1 into local 0 (an
// i64), stores it at memory offset 16 and writes those 8 bytes to stdout
// through fd_write (function 0) with an iovec at offset 0.
func sumLoop(n int32) []byte {
	return fn(vec(cat(u(2), []byte{0x7e})), cat(
		[]byte{0x03, 0x40}, // loop
		[]byte{0x20, 0, 0x20, 1, 0xa7, 0xac, 0x7c, 0x21, 0},           // acc += i64(i32(i))
		[]byte{0x20, 1, 0x42, 1, 0x7c, 0x22, 1},                       // i++ (tee)
		[]byte{0x42}, appendS64(nil, int64(n)), []byte{0x53, 0x0d, 0}, // br_if i < n
		[]byte{0x0b},
		[]byte{0x41, 16, 0x20, 0, 0x37, 3, 0},                     // i64.store [16] acc
		[]byte{0x41, 0, 0x41, 16, 0x36, 2, 0},                     // iov.base = 16
		[]byte{0x41, 4, 0x41, 8, 0x36, 2, 0},                      // iov.len = 8
		[]byte{0x41, 1, 0x41, 0, 0x41, 1, 0x41, 8, 0x10, 0, 0x1a}, // fd_write(1, 0, 1, 8)
		[]byte{0x0b})...)
}

var fixtures = map[string][]byte{
	// loop: _start spins forever.
	"loop": module(sec(secType, typeVoid), sec(secFunction, u(0)),
		sec(secExport, exportStart(0)), sec(secCode, fn(noLocals, 0x03, 0x40, 0x0c, 0, 0x0b, 0x0b))),
	// noexport: a valid module without _start.
	"noexport": module(sec(secType, typeVoid), sec(secFunction, u(0)),
		sec(secCode, fn(noLocals, 0x0b))),
	// trap: _start executes unreachable.
	"trap": module(sec(secType, typeVoid), sec(secFunction, u(0)),
		sec(secExport, exportStart(0)), sec(secCode, fn(noLocals, 0x00, 0x0b))),
	// exit7: _start calls proc_exit(7).
	"exit7": module(sec(secType, typeVoid, typeExit), sec(secImport, wasiExit),
		sec(secFunction, u(0)), sec(secExport, exportStart(1)),
		sec(secCode, fn(noLocals, 0x41, 7, 0x10, 0, 0x0b))),
	// envimport: imports a function from "env".
	"envimport": module(sec(secType, typeVoid), sec(secImport, cat(str("env"), str("f"), []byte{0}, u(0))),
		sec(secFunction, u(0)), sec(secExport, exportStart(1)), sec(secCode, fn(noLocals, 0x0b))),
	// bigmem: declares a minimum memory of 60000 pages.
	"bigmem": module(sec(secType, typeVoid), sec(secFunction, u(0)), sec(secMemory, cat([]byte{0}, u(60000))),
		sec(secExport, exportStart(0)), sec(secCode, fn(noLocals, 0x0b))),
	// sum: sums 0..999 and writes the i64 to stdout.
	"sum": module(sec(secType, typeVoid, typeFdWrite), sec(secImport, wasiWrite),
		sec(secFunction, u(0)), sec(secMemory, []byte{0, 1}),
		sec(secGlobal, []byte{0x7f, 0, 0x41, 0, 0x0b}),
		sec(secExport, exportStart(1), cat(str("memory"), []byte{externMemory, 0})),
		sec(secCode, sumLoop(1000)), customSection("name-ish")),
	// features: post-MVP opcodes Go emits (sign extension, saturating
	// truncation, bulk memory) plus br_table, typed select and if/else.
	"features": module(sec(secType, typeVoid), sec(secFunction, u(0)), sec(secMemory, []byte{0, 1}),
		sec(secExport, exportStart(0)), sec(secCode, fn(noLocals, featureBody()...))),
}

func customSection(name string) []byte {
	body := cat(str(name), []byte("payload"))
	return cat([]byte{secCustom}, u(uint32(len(body))), body)
}

func featureBody() []byte {
	return cat(
		[]byte{0x41, 0x7f, 0xc0, 0x1a},                         // i32.extend8_s; drop
		[]byte{0x43, 0, 0, 0x80, 0x7f, 0xfc, 0, 0x1a},          // i32.trunc_sat_f32_s(+inf); drop
		[]byte{0x41, 0, 0x41, 7, 0x41, 8, 0xfc, 11, 0},         // memory.fill
		[]byte{0x41, 8, 0x41, 0, 0x41, 8, 0xfc, 10, 0, 0},      // memory.copy
		[]byte{0x02, 0x40, 0x41, 1, 0x0e, 1, 0, 0, 0x0b},       // block br_table end
		[]byte{0x41, 1, 0x41, 2, 0x41, 0, 0x1c, 1, 0x7f, 0x1a}, // typed select; drop
		[]byte{0x41, 1, 0x04, 0x40, 0x01, 0x05, 0x01, 0x0b},    // if nop else nop end
		[]byte{0x0b})
}

// TestFixturesDecodeIndependently: the fixtures are encoded by helpers
// that share appendU32 with the code under test, so wazero, an independent
// decoder and validator, must accept every one of them as written.
func TestFixturesDecodeIndependently(t *testing.T) {
	t.Parallel()
	for name, mod := range fixtures {
		cm, err := fuzzRuntime().CompileModule(context.Background(), mod)
		if err != nil {
			t.Errorf("fixture %s: wazero rejects it: %v", name, err)
			continue
		}
		cm.Close(context.Background())
	}
}
