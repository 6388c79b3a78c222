// Package count is the prime-counting kernel of the primes example, kept
// importable so the same code can be benchmarked natively and in the sandbox.
// It is deliberately plain trial division: a CPU-bound integer loop.
package count

// Primes returns how many primes p satisfy lo <= p < hi.
func Primes(lo, hi uint64) uint64 {
	var n uint64
	for v := max(lo, 2); v < hi; v++ {
		if IsPrime(v) {
			n++
		}
	}
	return n
}

// IsPrime reports whether v is prime, by trial division.
func IsPrime(v uint64) bool {
	if v < 2 {
		return false
	}
	if v%2 == 0 {
		return v == 2
	}
	for d := uint64(3); d*d <= v; d += 2 {
		if v%d == 0 {
			return false
		}
	}
	return true
}
