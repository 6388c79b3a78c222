package compute

import "errors"

// Sentinel errors callers branch on. Errors returned by this package wrap one
// of these with %w and add context.
var (
	// ErrManifest reports a manifest that is malformed, oversize or invalid.
	ErrManifest = errors.New("compute: invalid manifest")
	// ErrNotWasm reports bytes that are not a WebAssembly binary module.
	ErrNotWasm = errors.New("compute: not a wasm module")
	// ErrMalformed reports a wasm module this package cannot decode.
	ErrMalformed = errors.New("compute: malformed wasm module")
	// ErrUnsupported reports a wasm feature the instrumenter does not handle
	// (SIMD, threads, exceptions, tail calls, multiple memories).
	ErrUnsupported = errors.New("compute: unsupported wasm feature")
	// ErrInstrumented reports a module that already exports the fuel global.
	ErrInstrumented = errors.New("compute: module already instrumented")
	// ErrImportDenied reports a module importing something outside the
	// WASI allow-list.
	ErrImportDenied = errors.New("compute: import not allowed")
	// ErrNoStart reports a module without an exported _start function.
	ErrNoStart = errors.New("compute: missing _start export")
	// ErrChild reports a failure of the child process protocol (not of the task).
	ErrChild = errors.New("compute: child process failed")
	// ErrNotFound reports an unknown job, task or lease.
	ErrNotFound = errors.New("compute: not found")
	// ErrLeaseExpired reports a result delivered on a lease that has expired
	// or was never granted.
	ErrLeaseExpired = errors.New("compute: lease expired")
	// ErrDuplicate reports a job ID that is already queued.
	ErrDuplicate = errors.New("compute: duplicate job")
)

// Errors of instrumentation.
var (
	// ErrInvalid reports a module that fails WebAssembly validation; it is
	// refused before instrumentation, which could otherwise make it valid.
	ErrInvalid = errors.New("compute: invalid wasm module")
	// ErrLimit reports a module that exceeds a sandbox limit it declares
	// up front (for example a table larger than MaxTableElements).
	ErrLimit = errors.New("compute: module exceeds a sandbox limit")
)
