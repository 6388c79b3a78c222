package tor

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/cretz/bine/process"
)

// ownedProc is the tor child we start through bine. Unlike bine's default
// creator it sends tor's stdout and stderr to a file in tor's directory,
// asks the kernel to kill tor when we die, and is not bound to the start
// context (a bootstrap deadline must not kill a running tor). Wait may be
// called any number of times.
type ownedProc struct {
	cmd     *exec.Cmd
	outPath string
	done    chan struct{}
	once    sync.Once
	err     error
	killed  bool // set before our SIGKILL, read after done
}

// creator hands bine an ownedProc; it keeps the last one so Start can
// watch it.
type creator struct {
	bin, outPath string
	proc         *ownedProc
}

var (
	_ process.Creator = (*creator)(nil)
	_ process.Process = (*ownedProc)(nil)
)

func (c *creator) New(_ context.Context, args ...string) (process.Process, error) {
	cmd := exec.Command(c.bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	c.proc = &ownedProc{cmd: cmd, outPath: c.outPath, done: make(chan struct{})}
	return c.proc, nil
}

func (p *ownedProc) Start() error {
	out, err := os.OpenFile(p.outPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	p.cmd.Stdout, p.cmd.Stderr = out, out
	if err := p.cmd.Start(); err != nil {
		return err
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return nil
}

func (p *ownedProc) Wait() error {
	<-p.done
	return p.err
}

func (p *ownedProc) EmbeddedControlConn() (net.Conn, error) {
	return nil, process.ErrControlConnUnsupported
}

func (p *ownedProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitedOnItsOwn: the process ended without our SIGKILL (a torrc error,
// a crash, someone else's signal).
func (p *ownedProc) exitedOnItsOwn() bool {
	if !p.exited() || p.cmd.ProcessState == nil {
		return false
	}
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL || !p.killed
}

// kill stops tor for good: it waits up to grace for a requested exit,
// then sends SIGKILL and waits for the process to be reaped.
func (p *ownedProc) kill(grace time.Duration) {
	if p == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.done:
		return
	case <-time.After(grace):
	}
	p.once.Do(func() {
		p.killed = true
		_ = p.cmd.Process.Kill()
	})
	<-p.done
}

func stdoutPath(dir string) string { return filepath.Join(dir, "stdout.log") }
