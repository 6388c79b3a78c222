package compute

// FuelPerUnit is the fuel in one unit: the unit buyers pay and workers earn.
//
// Fuel counts statically weighted wasm instructions (see meter.go). It was
// calibrated once, with the primes example (examples/primes) on the
// development machine (2 shared cores, wazero v1.12 compiler): metered Go
// wasm code burns about CALIBRATE fuel per second, so one unit is roughly
// CALIBRATE of CPU there. The figure is a price, not a clock: it never changes
// with the machine that runs a task.
const FuelPerUnit = 1_000_000
