package tor

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	bine "github.com/cretz/bine/tor"
)

// Start launches a tor we own, with its data directory in cfg.Dir/tor,
// and waits until it has bootstrapped (reporting progress through
// cfg.Progress). On any error no tor process is left running.
func Start(ctx context.Context, cfg Config, logger *slog.Logger) (*Tor, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	bin, err := cfg.binary()
	if err != nil {
		return nil, err
	}
	dir := cfg.torDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tor: data directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tor: data directory: %w", err)
	}
	torrc, err := writeTorrc(cfg)
	if err != nil {
		return nil, err
	}
	cr := &creator{bin: bin, outPath: stdoutPath(dir)}
	bt, err := bine.Start(context.WithoutCancel(ctx), &bine.StartConf{
		ProcessCreator:  cr,
		DataDir:         dir,
		TorrcFile:       torrc,
		EnableNetwork:   true,
		NoAutoSocksPort: true,
		ExtraArgs:       []string{"--__OwningControllerProcess", strconv.Itoa(os.Getpid())},
	})
	if err != nil {
		err = startError(cr.proc)
		cr.proc.kill(0)
		return nil, err
	}
	t := newTor(cfg, logger, bt.Control, cr.proc)
	t.bine = bt
	t.ctlAddr = "127.0.0.1:" + strconv.Itoa(bt.ControlPort)
	err = t.takeOwnership()
	if err == nil {
		err = t.afterConnect(ctx)
	}
	if err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// startError turns bine's start failures into one of ours. A tor that
// died (a torrc error, a signal) is usually why its control port refused,
// so the process gets a moment to be reaped before we decide. bine's own
// text is dropped: it names the control port's address.
func startError(p *ownedProc) error {
	if p != nil && p.cmd.Process != nil {
		select {
		case <-p.done:
		case <-time.After(time.Second):
		}
		if p.exitedOnItsOwn() {
			return fmt.Errorf("%w during start (see tor's log)", ErrTorExited)
		}
	}
	return fmt.Errorf("%w: tor's control port did not answer (see tor's log)", ErrControlRefused)
}

// takeOwnership makes tor exit as soon as our control connection closes.
func (t *Tor) takeOwnership() error {
	if _, err := t.ctl.SendRequest("TAKEOWNERSHIP"); err != nil {
		return fmt.Errorf("tor: take ownership: %w", err)
	}
	return nil
}

// writeTorrc writes tor's torrc (0600): log to a file, SOCKS with
// per-credential isolation and extended errors, then the caller's lines.
func writeTorrc(cfg Config) (string, error) {
	lines := append([]string{
		"Log notice file " + cfg.LogPath(),
		"RunAsDaemon 0",
		"SocksPort 127.0.0.1:auto IsolateSOCKSAuth ExtendedErrors",
		"AvoidDiskWrites 1",
	}, cfg.Torrc...)
	path := filepath.Join(cfg.torDir(), "torrc")
	if err := writeFileAtomic(path, []byte(strings.Join(lines, "\n")+"\n")); err != nil {
		return "", fmt.Errorf("tor: write torrc: %w", err)
	}
	return path, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// tempFile is the part of *os.File an atomic write uses.
type tempFile interface {
	Name() string
	Chmod(os.FileMode) error
	Write([]byte) (int, error)
	Sync() error
	Close() error
}

// createTemp and rename are the file operations of an atomic write; tests
// replace them to make a chmod, write, fsync, close or rename fail.
var (
	createTemp = func(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }
	rename     = os.Rename
)

// writeFileAtomic writes data 0600 through a temporary file and a rename;
// a failed step leaves the old file and no temporary file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := createTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return rename(tmp.Name(), path)
}
