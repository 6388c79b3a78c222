package compute

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The attacker here is a buyer (or anyone who can submit a module) trying
// to get work done without paying for it in fuel, or to take the worker's
// machine past its caps.

// TestFuelRewriteRefused: a module that writes global 0 while declaring
// no globals is invalid; instrumentation would make global 0 the fuel
// counter, so it must be refused before instrumentation.
func TestFuelRewriteRefused(t *testing.T) {
	t.Parallel()
	_, err := Instrument(watModule(t, "fuelrewrite"))
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Instrument(fuelrewrite) err = %v, want ErrInvalid", err)
	}
}

// TestBulkOperationsCharged: memory.fill, memory.copy and random_get are
// charged by the bytes they move, so a budget far below the bytes moved
// runs out of fuel, and an ample one is charged at least bytes/64.
func TestBulkOperationsCharged(t *testing.T) {
	t.Parallel()
	box := testSandbox(t)
	tests := []struct {
		name  string
		bytes int64
	}{
		{"memfill", 100000 * 65536},
		{"memcopy", 100000 * 32768},
		{"randomget", 20000 * 65536},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mod, err := Instrument(watModule(t, tt.name))
			if err != nil {
				t.Fatal(err)
			}
			res, err := box.Run(context.Background(), Task{Module: mod, Fuel: tt.bytes / 64})
			if err != nil || res.Status != StatusOutOfFuel {
				t.Fatalf("budget bytes/64: %v %v fuel %d, want out of fuel", err, res.Status, res.FuelUsed)
			}
			if testing.Short() {
				return
			}
			res, err = box.Run(context.Background(), Task{Module: mod, Fuel: 1 << 50})
			if err != nil || res.Status != StatusOK {
				t.Fatalf("ample budget: %v %+v", err, res)
			}
			if res.FuelUsed < tt.bytes/64 {
				t.Fatalf("%d bytes charged %d fuel, want >= %d", tt.bytes, res.FuelUsed, tt.bytes/64)
			}
		})
	}
}

// TestTableCaps: a table declared beyond the cap is refused, and growing
// a table by 2^28 fails inside the guest (it exits 3) instead of taking
// the worker's memory; in a child process the peak RSS stays under the
// memory cap plus the runtime's own use.
func TestTableCaps(t *testing.T) {
	t.Parallel()
	if _, err := Instrument(watModule(t, "bigtable")); !errors.Is(err, ErrLimit) {
		t.Fatalf("bigtable: err = %v, want ErrLimit", err)
	}
	mod, err := Instrument(watModule(t, "tablegrow"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := testSandbox(t).Run(context.Background(), Task{Module: mod, Fuel: 1 << 40})
	if err != nil || res.Status != StatusExit || res.ExitCode != 3 {
		t.Fatalf("in process: %v %+v, want exit 3 (grow refused)", err, res)
	}
	runner := testChild()
	res, err = runner.Run(context.Background(), Task{Module: mod, Fuel: 1 << 40}, time.Minute)
	if err != nil || res.Status != StatusExit || res.ExitCode != 3 {
		t.Fatalf("child: %v %+v, want exit 3", err, res)
	}
	limit := int64(runner.Sandbox.MemoryPages)<<16 + childRuntimeRSS
	if raceEnabled { // the race detector's shadow memory counts in the child's RSS
		limit += 1 << 30
	}
	if res.PeakRSS == 0 || res.PeakRSS > limit {
		t.Fatalf("child peak RSS %d MiB, want (0, %d MiB]", res.PeakRSS>>20, limit>>20)
	}
}

// childRuntimeRSS is what the child may use beyond the linear memory cap:
// the Go runtime, wazero and the compiled module.
const childRuntimeRSS = 128 << 20

// TestStartSectionRunsMetered: the start function runs after the fuel is
// set (it used to trap at instantiation with fuel 0) and is charged.
func TestStartSectionRunsMetered(t *testing.T) {
	t.Parallel()
	mod, err := Instrument(watModule(t, "startsection"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := testSandbox(t).Run(context.Background(), Task{Module: mod, Fuel: 1 << 30})
	if err != nil || res.Status != StatusOK || string(res.Output) != "A" {
		t.Fatalf("%v %+v, want ok \"A\"", err, res)
	}
	if res.FuelUsed < 1000 {
		t.Fatalf("start loop of 1000 iterations charged %d fuel", res.FuelUsed)
	}
	res, err = testSandbox(t).Run(context.Background(), Task{Module: mod, Fuel: 100})
	if err != nil || res.Status != StatusOutOfFuel {
		t.Fatalf("budget 100: %v %+v, want out of fuel in the start function", err, res)
	}
}
