package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"cyclecash/node"
	"cyclecash/overlay/tor/tortest"
)

// The Tor part (Options.Tor): a private Tor network on 127.0.0.1 (three
// directory authorities, a middle relay and two exits, the same one the
// tests use), and stealth workers whose links to their guards go through
// it, so even a guard sees a Tor exit's address, never the worker's.

// ErrNoTor: --tor was asked for on a machine without tor and tor-gencert.
var ErrNoTor = errors.New("demo: --tor needs Debian's tor (apt-get install tor)")

// startTor starts the private Tor network under the demo's directory.
func (d *Demo) startTor(ctx context.Context) error {
	d.progress("starting a private Tor network on 127.0.0.1 (3 authorities, 3 relays; about a minute to its first consensus)")
	dir := filepath.Join(d.opts.Dir, "tor-network")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	wait, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	tn, err := tortest.Start(wait, dir)
	if errors.Is(err, tortest.ErrNoTor) {
		return ErrNoTor
	}
	if err != nil {
		return fmt.Errorf("demo: private tor network: %w", err)
	}
	d.tor = tn
	d.progress("the private Tor network has a consensus after %v", tn.Ready.Round(time.Second))
	return nil
}

// torWorker makes a stealth worker dial its bootstrap peers and guards
// through a tor of its own on the private network; never directly.
func (d *Demo) torWorker(c *node.Config) {
	c.Tor = node.TorConfig{Enabled: true, DialGuards: true, Torrc: d.tor.ClientTorrc(), BootstrapTimeout: 2 * time.Minute}
}

// TorView is what the Tor part established about the stealth workers'
// links: who owns the far end of each link other nodes hold to them.
type TorView struct {
	Links     int `json:"links"`      // links other nodes hold to a stealth worker
	FromExits int `json:"from_exits"` // of those, arriving from a Tor exit's socket
	FromUs    int `json:"from_us"`    // arriving from this process (a direct dial)
	Other     int `json:"other"`      // from any other process
	Ready     int `json:"tor_ready"`  // stealth workers whose tor is bootstrapped
}

// torView reads every link to each stealth worker and looks up, in the
// process table, which process owns the socket it came from.
func (d *Demo) torView() (TorView, Check) {
	var v TorView
	var exits []int
	for _, r := range d.tor.Exits() {
		exits = append(exits, r.PID())
	}
	for _, w := range d.stealth {
		if st := w.Status().Tor; st != nil && st.Phase == "ready" && st.Percent == 100 {
			v.Ready++
		}
		for _, l := range d.net.LinkSources(w) {
			v.Links++
			switch owner := tortest.SocketOwner(l.From, l.To); {
			case owner == os.Getpid():
				v.FromUs++
			case slices.Contains(exits, owner):
				v.FromExits++
			default:
				v.Other++
			}
		}
	}
	ok := v.Links > 0 && v.FromExits == v.Links && v.Ready == len(d.stealth)
	return v, Check{"stealth workers' guards see only Tor exits", ok,
		fmt.Sprintf("%d links to %d stealth workers: %d from Tor exits, %d direct, %d other; %d tors bootstrapped",
			v.Links, len(d.stealth), v.FromExits, v.FromUs, v.Other, v.Ready)}
}
