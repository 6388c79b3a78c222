// Package examples holds sample compute jobs: Go programs built with
// GOOS=wasip1 GOARCH=wasm and run by cyclecash/compute. Each reads its task
// input from stdin and writes its result to stdout.
//
//   - primes: counts primes in a range ("lo hi" on stdin).
//   - fold: minimises the energy of an HP lattice protein (sequence on stdin).
//   - malicious/*: modules that must fail cleanly (infinite loop, memory
//     bomb, huge output); they exist for the sandbox tests.
//
// The programs also build for the host, so `go vet ./...` covers them; the
// prime kernel is a package of its own so benchmarks can run it natively.
package examples
