package compute

// Fuel weights per instruction. An instruction costs weight fuel; bulk
// operations and host calls cost by size on top (bytesWeight and friends,
// in 1/16 fuel per unit moved). The figures were calibrated on the
// development machine with BenchmarkFuelKernels so that fuel per second
// stays within 2x across integer, division, float, memory and call heavy
// code (see the benchmark for the measured spread).
const (
	weightDefault    = 1
	weightDiv        = 20 // integer division and remainder
	weightFloatSlow  = 12 // float division and square root
	weightFloat      = 6  // other float arithmetic, conversions
	weightMemory     = 10 // loads and stores
	weightCall       = 34 // direct call
	weightCallIndir  = 38 // call_indirect
	weightHostCall   = 60 // call of an imported (WASI) function
	weightMemoryGrow = 32

	bytesWeight = 4    // bulk memory: 1/4 fuel per byte
	elemWeight  = 32   // bulk table: 2 fuel per element
	pageWeight  = 4096 // memory.grow: 256 fuel per page
	ioWeight    = 8    // host I/O and random_get: 1/2 fuel per byte
)

// opWeight returns the weight of a one-byte opcode (0xfc-prefixed bulk
// operations are weighed by fcWeight).
func opWeight(op byte, callsImport bool) int64 {
	switch {
	case op == 0x10 && callsImport:
		return weightHostCall
	case op == 0x10:
		return weightCall
	case op == 0x11:
		return weightCallIndir
	case op >= 0x28 && op <= 0x3e:
		return weightMemory
	case op == 0x40:
		return weightMemoryGrow
	case op >= 0x6d && op <= 0x70, op >= 0x7f && op <= 0x82: // i32/i64 div, rem
		return weightDiv
	case op == 0x91 || op == 0x95 || op == 0x9f || op == 0xa3: // sqrt, div
		return weightFloatSlow
	case op >= 0x8b && op <= 0xa6, op >= 0xa8 && op <= 0xab, op >= 0xae && op <= 0xbb: // float ops, conversions
		return weightFloat
	}
	return weightDefault
}

// bulkWeight returns the per-unit weight (1/16 fuel) charged on the size
// operand of a 0xfc-prefixed instruction, or 0 if it has none.
func bulkWeight(sub uint32) int64 {
	switch sub {
	case 8, 10, 11: // memory.init, memory.copy, memory.fill
		return bytesWeight
	case 12, 14, 15, 17: // table.init, table.copy, table.grow, table.fill
		return elemWeight
	}
	return 0
}
