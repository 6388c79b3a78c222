package compute

import (
	"errors"
	"io"

	"github.com/tetratelabs/wazero/api"
)

// hostMeter charges host calls for the bytes they move, in the task's own
// fuel: a WASI call that would move more bytes than the fuel left pays
// for, moves none and leaves the fuel negative, so the task ends out of
// fuel at its next metering point.
type hostMeter struct {
	fuel api.MutableGlobal // nil until the module is instantiated
}

var errHostFuel = errors.New("compute: out of fuel in a host call")

// charge subtracts the cost of n bytes and reports whether fuel remains.
func (m *hostMeter) charge(n int) bool {
	if m.fuel == nil || n <= 0 {
		return true
	}
	cost := (int64(n)*ioWeight + 15) / 16
	left := int64(m.fuel.Get()) - cost
	m.fuel.Set(uint64(left))
	return left >= 0
}

// meteredReader charges every read: before it for a source whose reads
// cost their whole buffer (random_get), after it for stdin, whose reads
// are bounded by the input.
type meteredReader struct {
	r     io.Reader
	m     *hostMeter
	after bool
}

func (r *meteredReader) Read(p []byte) (int, error) {
	if r.after {
		n, err := r.r.Read(p)
		if !r.m.charge(n) {
			return n, errHostFuel
		}
		return n, err
	}
	if !r.m.charge(len(p)) {
		return 0, errHostFuel
	}
	return r.r.Read(p)
}

// meteredWriter charges every write before it.
type meteredWriter struct {
	w io.Writer
	m *hostMeter
}

func (w *meteredWriter) Write(p []byte) (int, error) {
	if !w.m.charge(len(p)) {
		return 0, errHostFuel
	}
	return w.w.Write(p)
}
