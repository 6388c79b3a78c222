package hs

import (
	"testing"
)

func TestPoWSolveVerify(t *testing.T) {
	ch := PoWChallenge{Period: 5}
	ch.Seed[0] = 1
	sol, ok := ch.Solve(6, testRand(1), 0)
	if !ok || !ch.Verify(sol) {
		t.Fatal("solution does not verify")
	}
	if leadingZeroBits(powHash(sol.Nonce[:], ch.salt())) < 6 {
		t.Fatal("solution below its effort")
	}
	for name, mut := range map[string]func(*PoWChallenge, *PoWSolution){
		"other period":      func(c *PoWChallenge, _ *PoWSolution) { c.Period++ },
		"other service":     func(c *PoWChallenge, _ *PoWSolution) { c.Blinded[0] ^= 1 },
		"other seed":        func(c *PoWChallenge, _ *PoWSolution) { c.Seed[9] ^= 1 },
		"other handshake":   func(c *PoWChallenge, _ *PoWSolution) { c.Ephemeral[0] ^= 1 },
		"other intro point": func(c *PoWChallenge, _ *PoWSolution) { c.AuthKey[0] ^= 1 },
		"other time":        func(c *PoWChallenge, _ *PoWSolution) { c.Time += 600 },
		"higher claim":      func(_ *PoWChallenge, s *PoWSolution) { s.Effort = 20 },
		"wrong seed head":   func(_ *PoWChallenge, s *PoWSolution) { s.SeedHead[0] ^= 1 },
	} {
		c, s := ch, sol
		mut(&c, &s)
		if c.Verify(s) {
			t.Errorf("%s: still verifies", name)
		}
	}
	if _, ok := ch.Solve(30, testRand(1), 4); ok {
		t.Fatal("effort 30 solved in 4 tries")
	}
}

func TestLeadingZeroBits(t *testing.T) {
	for _, c := range []struct {
		b    []byte
		want int
	}{{[]byte{0x80}, 0}, {[]byte{0x01}, 7}, {[]byte{0, 0x10}, 11}, {[]byte{0, 0}, 16}} {
		if got := leadingZeroBits(c.b); got != c.want {
			t.Errorf("%x: %d, want %d", c.b, got, c.want)
		}
	}
}

func BenchmarkPoWVerify(b *testing.B) {
	ch := PoWChallenge{}
	sol, _ := ch.Solve(0, testRand(1), 1)
	for b.Loop() {
		ch.Verify(sol)
	}
}

func BenchmarkPoWSolve(b *testing.B) {
	for _, effort := range []uint8{0, 4, 8, 10} {
		b.Run("effort="+string(rune('0'+effort/10))+string(rune('0'+effort%10)), func(b *testing.B) {
			ch := PoWChallenge{}
			n := uint64(0)
			for b.Loop() {
				n++
				ch.Ephemeral[0], ch.Ephemeral[1] = byte(n), byte(n>>8)
				if _, ok := ch.Solve(effort, testRand(n), 0); !ok {
					b.Fatal("no solution")
				}
			}
		})
	}
}
