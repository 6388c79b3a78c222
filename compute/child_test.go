package compute

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// testChild runs tasks in the test binary itself (see TestMain).
func testChild() *ChildRunner {
	return &ChildRunner{
		Path: os.Args[0], Args: []string{"-test.run=^$"},
		Env:     append(os.Environ(), childEnv+"=1"),
		Sandbox: SandboxConfig{CacheDir: filepath.Join(shared.dir, "cache"), MemoryPages: 1024},
	}
}

// TestChildMalicious: every malicious module fails with its own reason, and
// the runner keeps serving honest tasks afterwards.
func TestChildMalicious(t *testing.T) {
	t.Parallel()
	runner := testChild()
	tests := []struct {
		name    string
		module  func(testing.TB) []byte
		input   string
		fuel    int64
		timeout time.Duration
		status  Status
	}{
		{"infinite loop, deadline", ex("loop"), "", 1 << 62, 3 * time.Second, StatusDeadline},
		{"infinite loop, fuel", ex("loop"), "", 1e8, time.Minute, StatusOutOfFuel},
		{"memory bomb", ex("membomb"), "", 1e11, time.Minute, StatusMemoryLimit},
		{"huge output", ex("hugeout"), "", 1e10, time.Minute, StatusOutputTooLarge},
		{"missing export", fx("noexport"), "", 1e6, time.Minute, StatusNoStart},
		{"not wasm", func(testing.TB) []byte { return []byte("#!/bin/sh\necho hi\n") }, "", 1e6, time.Minute, StatusNotWasm},
		{"trap", fx("trap"), "", 1e6, time.Minute, StatusTrap},
		{"honest after all that", ex("primes"), "1 20000", 1e9, time.Minute, StatusOK},
	}
	for _, tt := range tests {
		start := time.Now()
		res, err := runner.Run(context.Background(), Task{Module: tt.module(t), Input: []byte(tt.input), Fuel: tt.fuel}, tt.timeout)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		t.Logf("%s: %v in %v (%s)", tt.name, res.Status, time.Since(start).Round(time.Millisecond), res.Detail)
		if res.Status != tt.status {
			t.Errorf("%s: status %v (%s), want %v", tt.name, res.Status, res.Detail, tt.status)
		}
	}
}

func ex(name string) func(testing.TB) []byte {
	return func(t testing.TB) []byte { return meteredExample(t, name) }
}

func fx(name string) func(testing.TB) []byte {
	return func(t testing.TB) []byte {
		m, err := Instrument(fixture(t, name))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
}

func TestChildCrashAndCancel(t *testing.T) {
	t.Parallel()
	bad := &ChildRunner{Path: "/bin/false"}
	res, err := bad.Run(context.Background(), Task{}, time.Minute)
	if err != nil || res.Status != StatusCrashed {
		t.Errorf("crashing child: %v %v", res.Status, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := testChild().Run(ctx, Task{}, time.Minute); err == nil {
		t.Error("cancelled context: no error")
	}
}

// TestChildPeakRSSIsTheChilds: a worker that is itself large still reads
// its child's own peak. wait4's figure includes the address space the
// child had before exec, which after Go's vfork-style spawn is the
// parent's (it read 213 MiB for a 9 MiB child in a busy package run).
func TestChildPeakRSSIsTheChilds(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the child's own peak is read from /proc")
	}
	ballast := make([]byte, 384<<20)
	for i := range ballast { // resident, not merely reserved
		ballast[i] = byte(i)
	}
	mod, err := Instrument(watModule(t, "tablegrow"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := testChild().Run(context.Background(), Task{Module: mod, Fuel: 1 << 40}, time.Minute)
	if err != nil || res.Status != StatusExit {
		t.Fatalf("child: %v %+v", err, res)
	}
	runtime.KeepAlive(ballast)
	if res.PeakRSS == 0 || res.PeakRSS >= int64(len(ballast)) {
		t.Fatalf("child peak RSS %d MiB beside a %d MiB parent: the parent's memory is counted as the child's",
			res.PeakRSS>>20, len(ballast)>>20)
	}
}
