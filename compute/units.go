package compute

// FuelPerUnit is the fuel in one unit: the unit buyers pay and workers earn.
//
// Fuel counts statically weighted wasm instructions (see Instrument), an
// upper bound on instructions executed; Go's wasm output charges a whole
// function body per back edge, so fuel runs far ahead of real instructions.
// Calibrated once with BenchmarkPrimesMetered (examples/primes, primes below
// 3,000,000) on the development machine (2 shared cores, wazero v1.12
// compiler): 1.006e11 fuel in 2.22 s, about 4.5e10 fuel per second. One unit
// is therefore about 0.22 s of CPU there. The figure is a price, not a
// clock: it never changes with the machine that runs a task.
const FuelPerUnit = 10_000_000_000
