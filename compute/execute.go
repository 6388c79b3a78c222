package compute

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/sys"
)

// taskEpoch is the fixed wall clock every task sees: 2024-01-01T00:00:00Z.
const taskEpoch = 1704067200

// execute instantiates cm for one task and runs its _start with the budget.
func (s *Sandbox) execute(ctx context.Context, cm wazero.CompiledModule, t Task) Result {
	stdout := &cappedWriter{max: s.cfg.MaxOutput}
	stderr := &cappedWriter{max: maxStderr, truncate: true}
	mem := &capMemory{limit: uint64(s.cfg.MemoryPages) << 16}
	hm := &hostMeter{}
	ictx := experimental.WithMemoryAllocator(ctx, mem.allocator())
	mod, err := s.rt.InstantiateModule(ictx, cm, taskConfig(t, hm, stdout, stderr))
	if err != nil {
		return Result{Status: StatusInvalid, Detail: fmt.Sprintf("compute: instantiate: %v", err)}
	}
	defer mod.Close(ctx)
	fuel, ok := mod.ExportedGlobal(FuelExport).(api.MutableGlobal)
	if !ok {
		return Result{Status: StatusInvalid, Detail: "compute: fuel global not mutable"}
	}
	fuel.Set(uint64(t.Fuel))
	hm.fuel = fuel
	if start := mod.ExportedFunction(StartExport); start != nil {
		_, err = start.Call(ctx) // the start section, now that fuel is set
	}
	if err == nil {
		_, err = mod.ExportedFunction("_start").Call(ctx)
	}
	res := classify(err, stdout, mem.refused, int64(fuel.Get()) < 0)
	res.FuelUsed = min(max(t.Fuel-int64(fuel.Get()), 0), t.Fuel)
	if res.Status != StatusOK && res.Detail == "" {
		res.Detail = strings.TrimSpace(stderr.buf.String())
	}
	s.cfg.Logger.Debug("compute: task done", "status", res.Status, "fuel", res.FuelUsed)
	return res
}

// taskConfig is the whole environment of a task: stdin, stdout, a bounded
// stderr, one argument, no environment, no filesystem, fixed clocks (the
// monotonic one advances 1 ms per reading) and a seeded random source.
// Every byte through stdin, stdout, stderr and random_get is charged to
// the task's fuel by hm before it moves.
func taskConfig(t Task, hm *hostMeter, stdout, stderr *cappedWriter) wazero.ModuleConfig {
	var ticks int64
	return wazero.NewModuleConfig().
		WithName("").
		WithStartFunctions().
		WithArgs("task").
		WithStdin(&meteredReader{r: bytes.NewReader(t.Input), m: hm, after: true}).
		WithStdout(&meteredWriter{w: stdout, m: hm}).
		WithStderr(&meteredWriter{w: stderr, m: hm}).
		WithWalltime(func() (int64, int32) { return taskEpoch, 0 }, 1).
		WithNanotime(func() int64 { ticks += 1e6; return ticks }, 1).
		WithRandSource(&meteredReader{r: rand.NewChaCha8(t.Seed), m: hm})
}

// classify turns the error of _start into a Result. The order matters: an
// output overflow or fuel exhaustion explains whatever trap followed it.
func classify(err error, stdout *cappedWriter, memRefused, outOfFuel bool) Result {
	var exit *sys.ExitError
	var res Result
	switch {
	case stdout.overflow:
		return Result{Status: StatusOutputTooLarge,
			Detail: fmt.Sprintf("compute: output exceeds %d bytes", stdout.max)}
	case outOfFuel:
		res = Result{Status: StatusOutOfFuel, Detail: "compute: out of fuel"}
	case err == nil:
		res = Result{Status: StatusOK}
	case errors.As(err, &exit) && exit.ExitCode() == 0:
		res = Result{Status: StatusOK}
	case memRefused:
		res = Result{Status: StatusMemoryLimit, Detail: "compute: memory limit reached"}
	case errors.As(err, &exit):
		res = Result{Status: StatusExit, ExitCode: exit.ExitCode()}
	default:
		res = Result{Status: StatusTrap, Detail: firstLine(err.Error())}
	}
	res.Output = stdout.buf.Bytes()
	return res
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// cappedWriter keeps at most max bytes. Past the cap it either drops the
// excess silently (truncate) or fails the write and marks the overflow.
type cappedWriter struct {
	buf      bytes.Buffer
	max      int
	truncate bool
	overflow bool
}

var errOutputCap = errors.New("compute: output cap reached")

func (w *cappedWriter) Write(p []byte) (int, error) {
	room := w.max - w.buf.Len()
	if len(p) <= room {
		return w.buf.Write(p)
	}
	if w.truncate {
		w.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	w.overflow = true
	return 0, errOutputCap
}
