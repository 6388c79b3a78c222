package compute

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestNaNCanonical: every NaN the nan module computes is written with the
// canonical bits (f64 0x7ff8000000000000, f32 0x7fc00000), whatever sign
// and payload the CPU produced.
func TestNaNCanonical(t *testing.T) {
	t.Parallel()
	mod, err := Instrument(watModule(t, "nan"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := testSandbox(t).Run(context.Background(), Task{Module: mod, Fuel: 1 << 30})
	if err != nil || res.Status != StatusOK || len(res.Output) != 56 {
		t.Fatalf("%v %+v", err, res)
	}
	want := make([]byte, 0, 56)
	for range 4 { // div, sqrt, add, mul
		want = binary.LittleEndian.AppendUint64(want, 0x7ff8000000000000)
	}
	want = binary.LittleEndian.AppendUint32(want, 0x7fc00000)         // f32 div
	want = binary.LittleEndian.AppendUint32(want, 0x7fc00000)         // demote
	want = binary.LittleEndian.AppendUint64(want, 0x7ff8000000000000) // promote
	want = binary.LittleEndian.AppendUint64(want, 0x7ff8000000000000) // min
	if !bytes.Equal(res.Output, want) {
		t.Fatalf("NaN bits\n got %x\nwant %x", res.Output, want)
	}
}

// TestCrossArchAgreement runs the task child built for arm64 under
// qemu-aarch64 and compares status, output and fuel with amd64 on the
// example jobs and the NaN module: replicas on different machines must
// agree exactly. It is skipped only when qemu-aarch64 is missing outside
// CI.
func TestCrossArchAgreement(t *testing.T) {
	t.Parallel()
	qemu, err := exec.LookPath("qemu-aarch64")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("qemu-aarch64 (Debian qemu-user) is required under CI")
		}
		t.Skip("qemu-aarch64 not installed")
	}
	bin := filepath.Join(t.TempDir(), "compute-arm64.test")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the arm64 child: %v\n%s", err, out)
	}
	arm := &ChildRunner{Path: qemu, Args: []string{bin, "-test.run=^$"},
		Env:     append(os.Environ(), childEnv+"=1"),
		Sandbox: SandboxConfig{CacheDir: filepath.Join(t.TempDir(), "cache"), MemoryPages: 1024}}
	cases := []struct {
		name  string
		mod   func(testing.TB) []byte
		input string
		fuel  int64
	}{
		{"nan", func(t testing.TB) []byte { return watModule(t, "nan") }, "", 1 << 30},
		{"kernels float", func(t testing.TB) []byte { return watModule(t, "kernels") }, "f", 1 << 40},
		{"sum", func(t testing.TB) []byte { return fixture(t, "sum") }, "", 1 << 30},
		{"primes", rawExample("primes"), "1 20000", 5e9},
		{"primes out of fuel", rawExample("primes"), "1 200000", 1e9},
		{"fold", rawExample("fold"), "HPHPPHHPHPPHPHHPPHPH 2000", 5e9},
	}
	if testing.Short() {
		cases = cases[:3] // the Go examples take minutes to compile under emulation
	}
	for _, c := range cases {
		name := c.name
		mod, err := Instrument(c.mod(t))
		if err != nil {
			t.Fatal(err)
		}
		task := Task{Module: mod, Input: []byte(c.input), Fuel: c.fuel, Seed: Seed("x", 1)}
		want, err := testSandbox(t).Run(context.Background(), task)
		if err != nil {
			t.Fatal(err)
		}
		got, err := arm.Run(context.Background(), task, 10*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != want.Status || got.FuelUsed != want.FuelUsed || !bytes.Equal(got.Output, want.Output) {
			t.Errorf("%s: arm64 %v fuel %d %q (%s), amd64 %v fuel %d %q", name,
				got.Status, got.FuelUsed, got.Output, got.Detail, want.Status, want.FuelUsed, want.Output)
		}
	}
}

func rawExample(name string) func(testing.TB) []byte {
	return func(t testing.TB) []byte { return exampleWasm(t, name) }
}
