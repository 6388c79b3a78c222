package compute

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Sandbox defaults, used when a SandboxConfig field is zero.
const (
	DefaultMemoryPages   = 2048      // 128 MiB of linear memory
	DefaultMaxOutput     = 1 << 20   // bytes of stdout
	maxStderr            = 4 << 10   // bytes of stderr kept for Detail
	DefaultCompiledCache = 256 << 20 // bytes of module kept compiled in memory
	wasmMaxPages         = 65536
)

// SandboxConfig configures a Sandbox. The zero value is a safe default.
type SandboxConfig struct {
	// CacheDir holds wazero's on-disk compilation cache; "" keeps compiled
	// code in memory only.
	CacheDir string
	// MemoryPages caps each task's linear memory, in 64 KiB pages.
	MemoryPages uint32
	// MaxOutput caps each task's stdout, in bytes.
	MaxOutput int
	// CompiledCache bounds the compiled modules kept in memory by the
	// total size of their wasm bytes; the least recently used go first.
	// 0 means DefaultCompiledCache.
	CompiledCache int64
	// Logger receives debug records; nil is silent.
	Logger *slog.Logger
}

func (c *SandboxConfig) defaults() error {
	if c.MemoryPages == 0 {
		c.MemoryPages = DefaultMemoryPages
	}
	if c.MaxOutput <= 0 {
		c.MaxOutput = DefaultMaxOutput
	}
	if c.CompiledCache <= 0 {
		c.CompiledCache = DefaultCompiledCache
	}
	if c.MemoryPages > wasmMaxPages {
		return fmt.Errorf("compute: SandboxConfig.MemoryPages %d exceeds %d", c.MemoryPages, wasmMaxPages)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Task is one run request: an instrumented module, its stdin and budget.
type Task struct {
	Module []byte   // instrumented with Instrument
	Input  []byte   // stdin
	Fuel   int64    // fuel budget (Manifest.FuelBudget)
	Seed   [32]byte // random source seed; the same for every replica
}

// Sandbox runs tasks in-process with wazero's compiler. It has no
// wall-clock deadline of its own: a task ends by itself or by running out
// of fuel. Use ChildRunner where a deadline must be enforced.
type Sandbox struct {
	cfg   SandboxConfig
	rt    wazero.Runtime
	cache wazero.CompilationCache

	mu       sync.Mutex
	compiled *sizeLRU[wazero.CompiledModule]
}

// NewSandbox creates the wazero runtime and its WASI host module.
func NewSandbox(ctx context.Context, cfg SandboxConfig) (*Sandbox, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	rc := wazero.NewRuntimeConfigCompiler().
		WithMemoryLimitPages(wasmMaxPages). // the cap is enforced by capMemory
		WithDebugInfoEnabled(false).
		WithCloseOnContextDone(false) // 6-10x slower loops; the child is killed instead
	s := &Sandbox{cfg: cfg, compiled: newSizeLRU(cfg.CompiledCache, func(cm wazero.CompiledModule) {
		_ = cm.Close(context.Background())
	})}
	if cfg.CacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(cfg.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("compute: compilation cache: %w", err)
		}
		s.cache = cache
		rc = rc.WithCompilationCache(cache)
	}
	s.rt = wazero.NewRuntimeWithConfig(ctx, rc)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, s.rt); err != nil {
		s.Close(ctx)
		return nil, fmt.Errorf("compute: wasi: %w", err)
	}
	return s, nil
}

// Close releases the runtime and the compilation cache handle.
func (s *Sandbox) Close(ctx context.Context) error {
	err := s.rt.Close(ctx)
	if s.cache != nil {
		err = errors.Join(err, s.cache.Close(ctx))
	}
	return err
}

// Run executes one task and reports how it ended. Every failure of the task
// itself is a Result; the error is reserved for the sandbox's own faults.
func (s *Sandbox) Run(ctx context.Context, t Task) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("compute: sandbox panic: %v", p)
		}
	}()
	if fail, ok := s.admit(t.Module); !ok {
		return fail, nil
	}
	cm, err := s.compile(ctx, t.Module)
	if err != nil {
		return Result{Status: StatusInvalid, Detail: err.Error()}, nil
	}
	return s.execute(ctx, cm, t), nil
}

// admit checks a module before compiling it: wasm, allowed imports, a
// _start function, the fuel export, and a minimum memory within the cap.
func (s *Sandbox) admit(module []byte) (Result, bool) {
	m, err := parseModule(module)
	switch {
	case errors.Is(err, ErrNotWasm):
		return Result{Status: StatusNotWasm, Detail: err.Error()}, false
	case err != nil:
		return Result{Status: StatusInvalid, Detail: err.Error()}, false
	}
	if err := checkImports(m.imports); err != nil {
		return Result{Status: StatusImportDenied, Detail: err.Error()}, false
	}
	if kind, ok := m.exports["_start"]; !ok || kind != externFunc {
		return Result{Status: StatusNoStart, Detail: ErrNoStart.Error()}, false
	}
	if kind, ok := m.exports[FuelExport]; !ok || kind != externGlobal {
		return Result{Status: StatusInvalid, Detail: "compute: module is not instrumented"}, false
	}
	if m.memoryMin > s.cfg.MemoryPages {
		return Result{Status: StatusMemoryLimit, Detail: fmt.Sprintf(
			"compute: minimum memory %d pages exceeds cap %d", m.memoryMin, s.cfg.MemoryPages)}, false
	}
	return Result{}, true
}

// Precompile compiles module ahead of its tasks, filling the in-memory and
// on-disk caches, so the first task of a job does not pay the compile time.
func (s *Sandbox) Precompile(ctx context.Context, module []byte) error {
	if fail, ok := s.admit(module); !ok {
		return fmt.Errorf("compute: precompile: %s: %s", fail.Status, fail.Detail)
	}
	_, err := s.compile(ctx, module)
	return err
}

// compile returns the compiled module, from memory, the disk cache, or the
// compiler, in that order.
func (s *Sandbox) compile(ctx context.Context, module []byte) (wazero.CompiledModule, error) {
	h := ModuleHash(module)
	s.mu.Lock()
	defer s.mu.Unlock()
	if cm, ok := s.compiled.get(h); ok {
		return cm, nil
	}
	cm, err := s.rt.CompileModule(ctx, module)
	if err != nil {
		return nil, fmt.Errorf("compute: compile: %w", err)
	}
	s.compiled.put(h, cm, int64(len(module)))
	return cm, nil
}
