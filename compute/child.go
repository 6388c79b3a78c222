package compute

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// ChildCommand is the hidden subcommand under which the cyclecash binary
// must call ChildMain:
//
//	case compute.ChildCommand:
//		if err := compute.ChildMain(os.Stdin, os.Stdout); err != nil {
//			os.Exit(1)
//		}
const ChildCommand = "__task"

// childVersion guards the parent-child protocol against a stale binary.
const childVersion = 2

// maxChildFrame bounds what either side decodes from the other.
const maxChildFrame = 256 << 20

// childRequest is what the parent writes to the child's stdin (gob).
type childRequest struct {
	Version  int
	Task     Task
	CacheDir string
	Memory   uint32
	Output   int
	Timeout  time.Duration // for RLIMIT_CPU
}

// childResponse is what the child writes to its stdout (gob).
type childResponse struct {
	Version int
	Result  Result
	Err     string
}

// ChildRunner runs each task in a fresh child process and kills it at the
// deadline: wazero's own context cancellation slows loops 6-10x, a kill
// costs nothing until it is needed. A task that dies any other way ends as
// StatusCrashed; either way the parent keeps serving.
type ChildRunner struct {
	// Path is the executable; "" means the running binary.
	Path string
	// Args select the child entry point; nil means {ChildCommand}.
	Args []string
	// Env is the child's environment; nil means the parent's.
	Env []string
	// Sandbox configures the sandbox inside the child (its Logger is unused).
	Sandbox SandboxConfig
}

// Run executes t in a child process, killing it after timeout. The error is
// reserved for the runner's own faults and for ctx being cancelled.
func (c *ChildRunner) Run(ctx context.Context, t Task, timeout time.Duration) (Result, error) {
	cmd, err := c.command(ctx, timeout)
	if err != nil {
		return Result{}, err
	}
	defer cmd.cancel()
	var in, out bytes.Buffer
	stderr := &cappedWriter{max: maxStderr, truncate: true}
	req := childRequest{Version: childVersion, Task: t, CacheDir: c.Sandbox.CacheDir,
		Memory: c.Sandbox.MemoryPages, Output: c.Sandbox.MaxOutput, Timeout: timeout}
	if err := gob.NewEncoder(&in).Encode(&req); err != nil {
		return Result{}, fmt.Errorf("%w: encode: %v", ErrChild, err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = &in, &out, stderr
	runErr := cmd.Run()
	rss := int64(0)
	if cmd.ProcessState != nil {
		rss = peakRSS(cmd.ProcessState.SysUsage())
	}
	res, err := c.outcome(ctx, cmd, runErr, timeout, stderr, &out)
	if res.PeakRSS == 0 { // the child died before answering
		res.PeakRSS = rss
	}
	return res, err
}

func (c *ChildRunner) outcome(ctx context.Context, cmd *childCmd, runErr error, timeout time.Duration,
	stderr *cappedWriter, out *bytes.Buffer) (Result, error) {
	switch {
	case ctx.Err() != nil:
		return Result{}, ctx.Err()
	case cmd.ctx.Err() != nil:
		return Result{Status: StatusDeadline, Detail: fmt.Sprintf("compute: killed after %v", timeout)}, nil
	case runErr != nil:
		return Result{Status: StatusCrashed, Detail: fmt.Sprintf("compute: child: %v: %s", runErr, firstLine(stderr.buf.String()))}, nil
	}
	return decodeResponse(out)
}

type childCmd struct {
	*exec.Cmd
	ctx    context.Context
	cancel context.CancelFunc
}

func (c *ChildRunner) command(ctx context.Context, timeout time.Duration) (*childCmd, error) {
	path := c.Path
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrChild, err)
		}
		path = exe
	}
	args := c.Args
	if args == nil {
		args = []string{ChildCommand}
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	cmd := exec.CommandContext(tctx, path, args...)
	cmd.Env = c.Env
	cmd.WaitDelay = time.Second
	cmd.SysProcAttr = childSysProcAttr()
	return &childCmd{Cmd: cmd, ctx: tctx, cancel: cancel}, nil
}

func decodeResponse(r io.Reader) (Result, error) {
	var resp childResponse
	if err := gob.NewDecoder(io.LimitReader(r, maxChildFrame)).Decode(&resp); err != nil {
		return Result{}, fmt.Errorf("%w: decode: %v", ErrChild, err)
	}
	if resp.Version != childVersion {
		return Result{}, fmt.Errorf("%w: protocol version %d, want %d", ErrChild, resp.Version, childVersion)
	}
	if resp.Err != "" {
		return Result{}, fmt.Errorf("%w: %s", ErrChild, resp.Err)
	}
	return resp.Result, nil
}

// ChildMain is the child side: it reads one task from stdin, runs it in an
// in-process Sandbox and writes the result to stdout. The cyclecash binary
// exposes it as the hidden subcommand ChildCommand.
func ChildMain(stdin io.Reader, stdout io.Writer) error {
	var req childRequest
	resp := childResponse{Version: childVersion}
	err := gob.NewDecoder(io.LimitReader(stdin, maxChildFrame)).Decode(&req)
	if err == nil && req.Version != childVersion {
		err = fmt.Errorf("protocol version %d, want %d", req.Version, childVersion)
	}
	if err == nil {
		resp.Result, err = runOnce(req)
		resp.Result.PeakRSS = selfPeakRSS()
	}
	if err != nil {
		resp.Err = err.Error()
	}
	return errors.Join(err, gob.NewEncoder(stdout).Encode(&resp))
}

func runOnce(req childRequest) (Result, error) {
	ctx := context.Background()
	pages := req.Memory
	if pages == 0 {
		pages = DefaultMemoryPages
	}
	if req.Timeout <= 0 {
		req.Timeout = time.Hour
	}
	if err := limitChild(pages, req.Timeout); err != nil {
		return Result{}, fmt.Errorf("rlimit: %w", err)
	}
	box, err := NewSandbox(ctx, SandboxConfig{CacheDir: req.CacheDir, MemoryPages: req.Memory, MaxOutput: req.Output})
	if err != nil {
		return Result{}, err
	}
	defer box.Close(ctx)
	return box.Run(ctx, req.Task)
}
