package compute

// FuelPerUnit is the fuel in one unit: the unit buyers pay and workers earn.
//
// Fuel counts weighted wasm instructions plus the bytes bulk operations
// and host calls move (see Instrument and meterweights.go), an upper bound
// on the work done; Go's wasm output charges a whole function body per
// back edge, so fuel runs ahead of real instructions. Calibrated with
// BenchmarkPrimesMetered (examples/primes, primes below 3,000,000): 2.35e11
// fuel, about 2.2 s of CPU on the development machine unloaded (2 shared
// cores, wazero v1.12 compiler), so one unit is about 0.22 s of CPU there,
// as before the weights. The figure is a price, not a clock: it never
// changes with the machine that runs a task.
const FuelPerUnit = 23_000_000_000
