package compute

// meterRegion is one metering point: where its code goes in the function
// body and how much fuel it charges.
type meterRegion struct {
	at   int
	cost int64
}

// meterFunc instruments one function body (locals then expression).
func meterFunc(fn []byte, fuel uint32) ([]byte, error) {
	r := &reader{b: fn}
	groups := r.count(2)
	for i := uint32(0); i < groups; i++ {
		r.u32()
		r.valType()
	}
	regions, err := scanRegions(r)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(fn)+len(regions)*24)
	prev := 0
	for _, g := range regions {
		out = append(out, fn[prev:g.at]...)
		out = appendMeter(out, fuel, g.cost)
		prev = g.at
	}
	return append(out, fn[prev:]...), nil
}

// scanRegions walks the expression at r and returns the function-entry
// region followed by one region per loop, in body order.
func scanRegions(r *reader) ([]meterRegion, error) {
	regions := []meterRegion{{at: r.i}}
	open := []int{0}        // region index of each enclosing loop, innermost last
	isLoop := []bool{false} // one per open block; the function body is the first
	for len(isLoop) > 0 && !r.done() {
		op := r.instr()
		regions[open[len(open)-1]].cost++
		switch op {
		case opBlock, opIf:
			isLoop = append(isLoop, false)
		case opLoop:
			isLoop = append(isLoop, true)
			open = append(open, len(regions))
			regions = append(regions, meterRegion{at: r.i})
		case opEnd:
			if isLoop[len(isLoop)-1] {
				open = open[:len(open)-1]
			}
			isLoop = isLoop[:len(isLoop)-1]
		}
	}
	switch {
	case r.err != nil:
		return nil, r.err
	case len(isLoop) > 0:
		r.fail(ErrMalformed, "function body without end")
	case r.i != len(r.b):
		r.fail(ErrMalformed, "bytes after function end")
	}
	return regions, r.err
}

// appendMeter emits the charge-and-check sequence documented on Instrument.
func appendMeter(out []byte, fuel uint32, cost int64) []byte {
	out = append(out, opGlobalGet)
	out = appendU32(out, fuel)
	out = append(out, opI64Const)
	out = appendS64(out, cost)
	out = append(out, opI64Sub, opGlobalSet)
	out = appendU32(out, fuel)
	out = append(out, opGlobalGet)
	out = appendU32(out, fuel)
	return append(out, opI64Const, 0x00, opI64LtS, opIf, 0x40, opUnreachable, opEnd)
}
