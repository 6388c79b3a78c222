package work

import (
	"strings"
	"testing"
)

func TestComputeConfig(t *testing.T) {
	t.Parallel()
	if c := (Config{}).WithDefaults(true); c.Mode != WorkerStealth || c.Concurrency != 1 || c.CPUShare != 1 {
		t.Fatalf("client-only defaults %+v", c)
	}
	if c := (Config{}).WithDefaults(false); c.Mode != WorkerOpen {
		t.Fatalf("defaults %+v", c)
	}
	for _, c := range []Config{{Mode: "loud"}, {Concurrency: -1}, {CPUShare: 1.5}, {YieldLoad: -1}} {
		if err := c.Validate(false); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if err := (Config{Mode: WorkerOpen}).Validate(true); err == nil || !strings.Contains(err.Error(), "compute.mode") {
		t.Fatalf("open client-only worker: %v", err)
	}
}
