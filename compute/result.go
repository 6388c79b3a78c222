package compute

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
)

// Status is how a task run ended.
type Status uint8

// Statuses. All but StatusDeadline and StatusCrashed are deterministic:
// replicas of a task must report the same one.
const (
	StatusOK             Status = iota // exited 0; Output is the result
	StatusExit                         // exited with a non-zero code
	StatusOutOfFuel                    // the fuel budget ran out
	StatusTrap                         // a wasm trap other than out of fuel
	StatusMemoryLimit                  // memory growth past the cap was refused
	StatusOutputTooLarge               // stdout exceeded the output cap
	StatusNoStart                      // no exported _start function
	StatusNotWasm                      // the module is not WebAssembly
	StatusImportDenied                 // an import outside the allow-list
	StatusInvalid                      // the module does not decode or compile
	StatusDeadline                     // killed at the wall-clock deadline
	StatusCrashed                      // the child process died otherwise
)

var statusNames = [...]string{
	"ok", "exit", "out of fuel", "trap", "memory limit", "output too large",
	"missing _start export", "not wasm", "import denied", "invalid module",
	"deadline", "crashed",
}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// Deterministic reports whether every honest replica reports the same s, so
// that a result with status s can be compared and accepted.
func (s Status) Deterministic() bool { return s < StatusDeadline }

// Result is the outcome of one task run.
type Result struct {
	Status   Status
	ExitCode uint32 // for StatusExit
	Output   []byte // stdout; nil when StatusOutputTooLarge
	FuelUsed int64  // fuel consumed, at most the budget
	Detail   string // human-readable cause; never compared
	PeakRSS  int64  // the child process's peak resident set, bytes (ChildRunner only); never compared
}

// Digest is the value replicas are compared on: a SHA-256 over status, exit
// code, fuel used and the output canonicalized for the manifest's output
// kind. Comparison is on bytes: two outputs agree only if identical after
// canonicalization.
func (r *Result) Digest(outputKind string) Hash {
	h := sha256.New()
	var hdr [1 + 4 + 8]byte
	hdr[0] = byte(r.Status)
	binary.BigEndian.PutUint32(hdr[1:], r.ExitCode)
	binary.BigEndian.PutUint64(hdr[5:], uint64(r.FuelUsed))
	h.Write(hdr[:])
	h.Write(CanonicalOutput(r.Output, outputKind))
	var d Hash
	h.Sum(d[:0])
	return d
}

// CanonicalOutput returns out with every NaN in a float output replaced by
// the canonical quiet NaN of its width (WebAssembly allows any NaN payload
// from arithmetic, so honest replicas may differ there). A trailing partial
// element and OutputBytes outputs are returned unchanged.
func CanonicalOutput(out []byte, kind string) []byte {
	switch kind {
	case OutputF32LE:
		return canonNaN(out, 4)
	case OutputF64LE:
		return canonNaN(out, 8)
	}
	return out
}

func canonNaN(out []byte, width int) []byte {
	var c []byte
	for i := 0; i+width <= len(out); i += width {
		if !isNaN(out[i:i+width], width) {
			continue
		}
		if c == nil {
			c = append([]byte(nil), out...)
		}
		if width == 4 {
			binary.LittleEndian.PutUint32(c[i:], 0x7fc00000)
		} else {
			binary.LittleEndian.PutUint64(c[i:], 0x7ff8000000000000)
		}
	}
	if c == nil {
		return out
	}
	return c
}

func isNaN(b []byte, width int) bool {
	if width == 4 {
		f := math.Float32frombits(binary.LittleEndian.Uint32(b))
		return f != f
	}
	return math.IsNaN(math.Float64frombits(binary.LittleEndian.Uint64(b)))
}
