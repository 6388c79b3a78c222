package compute

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

// ManifestVersion is the only manifest version this package understands.
const ManifestVersion = 1

// Manifest limits. A manifest outside them is rejected by ParseManifest.
const (
	MaxManifestSize = 64 << 20  // bytes of encoded manifest
	MaxTasks        = 10_000    // inputs per job
	MaxInputSize    = 1 << 20   // bytes per input
	MaxUnitsPerTask = 1_000_000 // unit budget per task
	MinReplication  = 2         // results that must agree (BOINC min_quorum)
	MaxReplication  = 5         //
	MaxTaskTimeout  = 3_600_000 // ms: per-task wall-clock backstop
	maxDeadlineUnix = 1<<40 - 1 // sanity bound on the job deadline
)

// Output kinds: how result bytes are compared.
const (
	OutputBytes = ""      // raw bytes
	OutputF32LE = "f32le" // little-endian float32 array; NaNs canonicalized
	OutputF64LE = "f64le" // little-endian float64 array; NaNs canonicalized
)

// Hash is a SHA-256 digest, hex-encoded in JSON.
type Hash [32]byte

// ModuleHash returns the SHA-256 of a wasm module as carried in manifests.
func ModuleHash(module []byte) Hash { return sha256.Sum256(module) }

// MarshalText implements encoding.TextMarshaler.
func (h Hash) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h[:])), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it wants 64 hex digits.
func (h *Hash) UnmarshalText(b []byte) error {
	if len(b) != 2*len(h) {
		return fmt.Errorf("%w: hash must be %d hex digits", ErrManifest, 2*len(h))
	}
	_, err := hex.Decode(h[:], b)
	if err != nil {
		return fmt.Errorf("%w: hash: %v", ErrManifest, err)
	}
	return nil
}

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Manifest describes a job: one module, one task per input.
type Manifest struct {
	Version int `json:"version"`
	// Module is the SHA-256 of the uninstrumented module the buyer submits.
	Module Hash `json:"module_sha256"`
	// Inputs are the tasks' stdin, one task each (base64 in JSON).
	Inputs [][]byte `json:"inputs"`
	// UnitsPerTask is the fuel budget of each task, in units (see FuelPerUnit).
	UnitsPerTask uint64 `json:"units_per_task"`
	// Replication is how many distinct workers must agree on a result.
	Replication int `json:"replication"`
	// TaskTimeoutMS is the wall-clock backstop for one run of one task.
	TaskTimeoutMS int64 `json:"task_timeout_ms"`
	// DeadlineUnix is when the gateway gives up on the job (Unix seconds).
	DeadlineUnix int64 `json:"deadline_unix"`
	// Output says how to compare results: OutputBytes or a float kind.
	Output string `json:"output,omitempty"`
}

// ParseManifest decodes and validates an encoded manifest.
func ParseManifest(b []byte) (*Manifest, error) {
	if len(b) > MaxManifestSize {
		return nil, fmt.Errorf("%w: %d bytes exceeds %d", ErrManifest, len(b), MaxManifestSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	m := new(Manifest)
	if err := dec.Decode(m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrManifest, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data after manifest", ErrManifest)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// ReadManifest reads at most MaxManifestSize+1 bytes from r and parses them.
func ReadManifest(r io.Reader) (*Manifest, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("compute: read manifest: %w", err)
	}
	return ParseManifest(b)
}

// Marshal encodes m canonically (field order fixed, no indentation).
func (m *Manifest) Marshal() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// Validate checks every field against the limits; errors name the field.
func (m *Manifest) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrManifest, field, fmt.Sprintf(format, args...))
	}
	switch {
	case m.Version != ManifestVersion:
		return bad("version", "got %d, want %d", m.Version, ManifestVersion)
	case m.Module == Hash{}:
		return bad("module_sha256", "missing")
	case len(m.Inputs) == 0 || len(m.Inputs) > MaxTasks:
		return bad("inputs", "%d tasks, want 1..%d", len(m.Inputs), MaxTasks)
	case m.UnitsPerTask == 0 || m.UnitsPerTask > MaxUnitsPerTask:
		return bad("units_per_task", "%d, want 1..%d", m.UnitsPerTask, MaxUnitsPerTask)
	case m.Replication < MinReplication || m.Replication > MaxReplication:
		return bad("replication", "%d, want %d..%d", m.Replication, MinReplication, MaxReplication)
	case m.TaskTimeoutMS <= 0 || m.TaskTimeoutMS > MaxTaskTimeout:
		return bad("task_timeout_ms", "%d, want 1..%d", m.TaskTimeoutMS, MaxTaskTimeout)
	case m.DeadlineUnix <= 0 || m.DeadlineUnix > maxDeadlineUnix:
		return bad("deadline_unix", "%d out of range", m.DeadlineUnix)
	case m.Output != OutputBytes && m.Output != OutputF32LE && m.Output != OutputF64LE:
		return bad("output", "unknown kind %q", m.Output)
	}
	for i, in := range m.Inputs {
		if len(in) > MaxInputSize {
			return bad(fmt.Sprintf("inputs[%d]", i), "%d bytes exceeds %d", len(in), MaxInputSize)
		}
	}
	return nil
}

// Budget is the total unit budget of the job: what the buyer reserves.
func (m *Manifest) Budget() uint64 { return m.UnitsPerTask * uint64(len(m.Inputs)) }

// FuelBudget is the per-task fuel budget handed to the sandbox.
func (m *Manifest) FuelBudget() int64 { return int64(m.UnitsPerTask) * FuelPerUnit }
