package compute

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
)

func TestLEB(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     []byte
		width  uint
		signed bool
		want   uint64
		ok     bool
	}{
		{[]byte{0x00}, 32, false, 0, true},
		{[]byte{0xe5, 0x8e, 0x26}, 32, false, 624485, true},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, 32, false, 0xffffffff, true},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x1f}, 32, false, 0, false},       // too large
		{[]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 32, false, 0, false}, // too long
		{[]byte{0x7f}, 32, true, ^uint64(0), true},                        // -1
		{[]byte{0xc0, 0xbb, 0x78}, 64, true, negU64(123456), true},        // spec example
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x77}, 32, true, 0, false},        // bad sign bits
		{[]byte{0xff, 0xff, 0xff, 0xff, 0x7f}, 32, true, ^uint64(0), true},
		{[]byte{0x80}, 32, false, 0, false}, // truncated
	}
	for i, tt := range tests {
		r := &reader{b: tt.in}
		got := r.leb(tt.width, tt.signed)
		if ok := r.err == nil; ok != tt.ok || ok && got != tt.want {
			t.Errorf("%d: leb(%x) = %#x, %v; want %#x ok=%v", i, tt.in, got, r.err, tt.want, tt.ok)
		}
	}
	for _, v := range []int64{0, 1, -1, 63, 64, -64, -65, 1 << 40, -1 << 63, 1<<63 - 1} {
		r := &reader{b: appendS64(nil, v)}
		if got := int64(r.leb(64, true)); got != v || r.err != nil || r.i != len(r.b) {
			t.Errorf("appendS64(%d) round trip = %d, %v", v, got, r.err)
		}
	}
}

func negU64(v int64) uint64 { return uint64(-v) }

// TestInstrumentProperties: instrumentation is deterministic, recognises
// its own output, and yields modules wazero compiles. (No golden output:
// goldens written by the code they check prove nothing; the fuel the
// output charges is checked against hand counts in TestSandboxSum.)
func TestInstrumentProperties(t *testing.T) {
	t.Parallel()
	for name, mod := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, err := Instrument(mod)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := Instrument(mod)
			if !bytes.Equal(out, again) {
				t.Fatal("instrumentation is not deterministic")
			}
			if _, err := Instrument(out); !errors.Is(err, ErrInstrumented) {
				t.Errorf("re-instrument: err = %v, want ErrInstrumented", err)
			}
			compileOK(t, out)
		})
	}
}

func TestInstrumentRejects(t *testing.T) {
	t.Parallel()
	simd := module(sec(secType, typeVoid), sec(secFunction, u(0)),
		sec(secCode, fn(noLocals, cat([]byte{0xfd, 0x0c}, make([]byte, 16), []byte{0x1a, 0x0b})...)))
	noEnd := module(sec(secType, typeVoid), sec(secFunction, u(0)), sec(secCode, fn(noLocals, 0x01)))
	unordered := module(sec(secFunction, u(0)), sec(secType, typeVoid))
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrNotWasm},
		{"text", []byte("(module)"), ErrNotWasm},
		{"truncated", fixtures["sum"][:40], ErrMalformed},
		{"simd", simd, ErrUnsupported},
		{"no end", noEnd, ErrInvalid},
		{"section order", unordered, ErrMalformed},
	}
	for _, tt := range tests {
		if _, err := Instrument(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestInstrumentAddsSections covers a module with neither a global nor an
// export section: both must be created in spec order.
func TestInstrumentAddsSections(t *testing.T) {
	t.Parallel()
	out, err := Instrument(fixtures["noexport"])
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseModule(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.exports[FuelExport] != externGlobal || m.definedGlobals != 1 {
		t.Fatalf("exports %v, globals %d", m.exports, m.definedGlobals)
	}
	compileOK(t, out)
}

var fuzzRuntime = sync.OnceValue(func() wazero.Runtime {
	return wazero.NewRuntimeWithConfig(context.Background(), wazero.NewRuntimeConfigCompiler())
})

func compileOK(t *testing.T, mod []byte) {
	t.Helper()
	cm, err := fuzzRuntime().CompileModule(context.Background(), mod)
	if err != nil {
		t.Fatalf("wazero rejects instrumented module: %v", err)
	}
	cm.Close(context.Background())
}

// checkNoNewValidity is the invariant of Instrument on any input: if it
// accepts a module, wazero accepts the raw module too (instrumentation
// never turns an invalid module valid), the output compiles, and the
// output is recognised as instrumented.
func checkNoNewValidity(t *testing.T, mod []byte) {
	t.Helper()
	out, err := Instrument(mod)
	if err != nil {
		return
	}
	cm, err := fuzzRuntime().CompileModule(context.Background(), mod)
	if err != nil {
		t.Fatalf("Instrument accepted a module wazero rejects: %v\n%x", err, mod)
	}
	cm.Close(context.Background())
	compileOK(t, out)
	if _, err := Instrument(out); !errors.Is(err, ErrInstrumented) {
		t.Fatalf("output not recognised as instrumented: %v", err)
	}
}

// TestInstrumentNeverValidates mutates the fixtures and the attack modules
// byte by byte (seeded, so a failure reproduces) and checks the invariant.
func TestInstrumentNeverValidates(t *testing.T) {
	t.Parallel()
	seeds := [][]byte{watModule(t, "fuelrewrite"), watModule(t, "startsection"), watModule(t, "memfill")}
	for _, m := range fixtures {
		seeds = append(seeds, m)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for range n {
		mod := bytes.Clone(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(3) {
			mod[8+rng.IntN(len(mod)-8)] = byte(rng.Uint32())
		}
		checkNoNewValidity(t, mod)
	}
}

// FuzzInstrument: Instrument never panics and keeps checkNoNewValidity.
func FuzzInstrument(f *testing.F) {
	for _, mod := range fixtures {
		f.Add(mod)
	}
	f.Fuzz(checkNoNewValidity)
}
