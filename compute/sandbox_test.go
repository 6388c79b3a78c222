package compute

import (
	"context"
	"encoding/binary"
	"testing"
	"time"
)

func TestSandboxFixtures(t *testing.T) {
	t.Parallel()
	box := testSandbox(t)
	tests := []struct {
		name   string
		status Status
		exit   uint32
	}{
		{"loop", StatusOutOfFuel, 0},
		{"noexport", StatusNoStart, 0},
		{"trap", StatusTrap, 0},
		{"exit7", StatusExit, 7},
		{"envimport", StatusImportDenied, 0},
		{"bigmem", StatusMemoryLimit, 0},
		{"sum", StatusOK, 0},
		{"features", StatusOK, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mod := fixture(t, tt.name)
			if m, err := Instrument(mod); err == nil {
				mod = m
			}
			res, err := box.Run(context.Background(), Task{Module: mod, Fuel: 100_000})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.status || res.ExitCode != tt.exit {
				t.Fatalf("status %v exit %d (%s), want %v exit %d", res.Status, res.ExitCode, res.Detail, tt.status, tt.exit)
			}
		})
	}
}

func TestSandboxSum(t *testing.T) {
	t.Parallel()
	mod, err := Instrument(fixture(t, "sum"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := testSandbox(t).Run(context.Background(), Task{Module: mod, Fuel: 1 << 20})
	if err != nil || res.Status != StatusOK {
		t.Fatalf("run: %v %+v", err, res)
	}
	if got := binary.LittleEndian.Uint64(res.Output); got != 999*1000/2 {
		t.Errorf("sum = %d", got)
	}
	// Counted by hand from sumLoop and meterweights.go: the loop body is 14
	// instructions of weight 1 (its end included), entered 1000 times; the
	// entry region is loop 1 + 3 × (const, get/const, store 10) 36 +
	// 4 consts + call of an import 60 + drop 1 + end 1 = 103; fd_write
	// moves 8 bytes at 1/2 fuel each, rounded up: 4.
	if want := int64(1000*14 + 103 + 4); res.FuelUsed != want {
		t.Errorf("fuel used %d, want %d", res.FuelUsed, want)
	}
}

func TestSandboxExamples(t *testing.T) {
	t.Parallel()
	box := testSandbox(t)
	tests := []struct {
		name, input string
		fuel        int64
		status      Status
		output      string
	}{
		{"primes", "1 100000", 5e9, StatusOK, "9592\n"},
		{"primes", "garbage", 1e9, StatusExit, ""},
		{"primes", "1 100000000", 1e8, StatusOutOfFuel, ""},
		{"fold", "HPHPPHHPHPPHPHHPPHPH 20000", 5e9, StatusOK, ""},
		{"loop", "", 1e8, StatusOutOfFuel, ""},
		{"membomb", "", 1e11, StatusMemoryLimit, ""},
		{"hugeout", "", 1e10, StatusOutputTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mod := meteredExample(t, tt.name)
			start := time.Now()
			res, err := box.Run(context.Background(), Task{Module: mod, Input: []byte(tt.input), Fuel: tt.fuel})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %v fuel %d in %v: %q %s", tt.name, res.Status, res.FuelUsed, time.Since(start), res.Output, res.Detail)
			if res.Status != tt.status || tt.output != "" && string(res.Output) != tt.output {
				t.Fatalf("got %v %q (%s), want %v %q", res.Status, res.Output, res.Detail, tt.status, tt.output)
			}
		})
	}
}
