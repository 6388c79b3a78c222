// Package compute runs buyers' WebAssembly jobs on workers and decides which
// results to accept.
//
// It holds the cores of DESIGN.md section 6:
//
//   - manifest.go: the job manifest (module hash, one task per input, unit
//     budget, replication, deadline), parsed with hard size limits.
//   - wasm*.go, meter*.go: a small WebAssembly binary reader/writer, validation
//     of the raw module, and the fuel instrumentation (weighted instructions,
//     bulk operations by size, canonical NaNs) that turns "work done" into a
//     deterministic count; hostmeter.go charges host I/O per byte.
//   - sandbox.go, child.go: running one task in wazero with no filesystem,
//     network or environment, a fixed clock, a seeded random source, an import
//     allow-list, memory, output and fuel caps; and in a child process that the
//     parent kills at the wall-clock deadline.
//   - quorum.go, queue*.go, store.go: sans-IO result validation (BOINC-style
//     replication, secret spot checks, trust only from independent agreement,
//     re-checks of caught workers) and a leased task queue over a Store;
//     payout.go: worker identities and the split of a task's units.
//
// Policy: compute imports nothing else of this project, never dials, never
// logs on its own (a *slog.Logger may be passed in; nil means silent), and
// never reads the clock or randomness except through injected functions in
// the scheduling code. Results are compared as bytes (optionally after NaN
// canonicalization) together with the fuel used, so a worker can neither
// fake a result nor inflate its claim without being outvoted.
package compute
