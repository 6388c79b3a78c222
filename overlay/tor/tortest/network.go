// Package tortest brings up a private Tor network on 127.0.0.1 for tests:
// three directory authorities (which also relay), one middle relay and two
// exits whose exit policy accepts loopback, all with TestingTorNetwork 1 and
// authority keys from tor-gencert. A test package starts one Network in
// TestMain and points its tor clients at it with ClientTorrc.
//
// Policy: every process it starts is its own child, dies with the test
// binary (parent-death signal and __OwningControllerProcess) and is killed
// by PID on Close; nothing is written outside the directory it is given.
// It never touches the public Tor network: every tor it starts, and every
// client configured with ClientTorrc, knows only these authorities.
package tortest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoTor: the tor or tor-gencert binary is not installed.
var ErrNoTor = errors.New("tortest: tor or tor-gencert not installed (apt-get install tor)")

// Relay is one tor process of the network.
type Relay struct {
	Name        string
	Fingerprint string // 40 upper-case hex digits (RSA identity)
	ORPort      int
	DirPort     int  // authorities only
	Exit        bool // its exit policy accepts 127.0.0.0/8
	dir         string
	proc        *proc
}

// PID is the relay's process id (0 once it has exited).
func (r *Relay) PID() int { return r.proc.pid() }

// Network is a running private Tor network.
type Network struct {
	Dir      string   // everything lives under here (the directory given to Start)
	Relays   []*Relay // authorities first
	Ready    time.Duration
	dirAuths []string // DirAuthority lines
}

// names of the network's tor processes; a* are authorities, x* exits.
var names = []string{"a0", "a1", "a2", "m3", "x4", "x5"}

// Start generates keys, writes every torrc, launches the network and waits
// until every relay has bootstrapped and an authority serves a consensus
// that lists every relay as Running and HSDir and the exits as Exit (so a
// client that bootstraps afterwards can use the whole network at once). A
// relay exiting early (a port taken before tor bound it) restarts the
// network with new ports, at most three times. On error nothing is left
// running.
func Start(ctx context.Context, dir string) (*Network, error) {
	t0 := time.Now()
	if err := findBinaries(); err != nil {
		return nil, err
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var n *Network
		n, err = start(ctx, filepath.Join(dir, fmt.Sprintf("try%d", attempt)))
		if err == nil {
			n.Dir, n.Ready = dir, time.Since(t0)
			return n, nil
		}
		if !errors.Is(err, errEarlyExit) {
			break
		}
		// A port picked free was taken before tor bound it (another process's
		// connection or listener): try again with new ports.
	}
	return nil, err
}

// errEarlyExit: a relay exited while the network was coming up.
var errEarlyExit = errors.New("tortest: a relay exited during start")

func start(ctx context.Context, dir string) (*Network, error) {
	n := &Network{Dir: dir}
	if err := n.prepare(); err != nil {
		return nil, err
	}
	for _, r := range n.Relays {
		p, err := startTor(filepath.Join(r.dir, "torrc"), r.dir)
		if err != nil {
			n.Close()
			return nil, fmt.Errorf("tortest: start %s: %w", r.Name, err)
		}
		r.proc = p
	}
	if err := n.waitReady(ctx); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// prepare picks ports, makes keys and writes the torrc files.
func (n *Network) prepare() error {
	ports, err := FreePorts(len(names) + 3)
	if err != nil {
		return err
	}
	for i, name := range names {
		r := &Relay{Name: name, ORPort: ports[i], Exit: name[0] == 'x', dir: filepath.Join(n.Dir, name)}
		if name[0] == 'a' {
			r.DirPort = ports[len(names)+i]
		}
		if err := os.MkdirAll(r.dir, 0o700); err != nil {
			return fmt.Errorf("tortest: %w", err)
		}
		n.Relays = append(n.Relays, r)
	}
	if err := n.makeKeys(); err != nil {
		return err
	}
	return n.writeTorrcs()
}

// ClientTorrc returns the torrc lines a client of this network needs.
func (n *Network) ClientTorrc() []string {
	return append([]string{"TestingTorNetwork 1", "PathsNeededToBuildCircuits 0.67"}, n.dirAuths...)
}

// Exits returns the exit relays.
func (n *Network) Exits() []*Relay {
	var out []*Relay
	for _, r := range n.Relays {
		if r.Exit {
			out = append(out, r)
		}
	}
	return out
}

// Close kills every tor of the network by PID and waits for it.
func (n *Network) Close() {
	for _, r := range n.Relays {
		if r.proc != nil {
			r.proc.stop()
		}
	}
}

// LastLog returns the last line tor wrote (notice log, else its stdout),
// for error messages.
func (r *Relay) LastLog() string {
	for _, f := range []string{"notice.log", "stdout.log"} {
		b, _ := os.ReadFile(filepath.Join(r.dir, f))
		if s := strings.TrimSpace(string(b)); s != "" {
			lines := strings.Split(s, "\n")
			return lines[len(lines)-1]
		}
	}
	return "(no log)"
}
