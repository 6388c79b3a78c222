package tor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/cretz/bine/control"
)

// Onion services whose connections carry the client's circuit ID. tor's
// ADD_ONION has no flag for HiddenServiceExportCircuitID, so these are
// configured with SETCONF instead: a HiddenServiceDir under our tor
// directory (tor keeps the key there, 0600 in a 0700 directory, so the
// address survives restarts), one HiddenServicePort and
// HiddenServiceExportCircuitID haproxy. SETCONF replaces tor's whole list
// of such services, which is why only a tor we started may have them: on
// an operator's tor it would drop the operator's own.

// exported is one PublishCircuits service.
type exported struct {
	onion  *Onion
	dir    string
	target string
}

// PublishCircuits publishes the loopback target as the v3 onion service
// name on the virtual port, like Publish, except that tor opens every
// connection with a PROXY header naming the client's circuit (serve it
// through ListenCircuits). It needs a tor we started.
func (t *Tor) PublishCircuits(ctx context.Context, name string, port int, target string) (*Onion, error) {
	if _, err := t.cfg.keyPath(name); err != nil {
		return nil, err
	}
	if err := checkTarget(target); err != nil {
		return nil, err
	}
	if port <= 0 || port > 65535 {
		return nil, fmt.Errorf("%w: bad virtual port", ErrBadAddr)
	}
	if t.proc == nil {
		return nil, fmt.Errorf("%w: circuit ids need a tor we start (not tor.control)", ErrConfig)
	}
	dir := filepath.Join(t.cfg.torDir(), "hs", name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tor: onion service directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tor: onion service directory: %w", err)
	}
	ev, err := t.eventConn(ctx)
	if err != nil {
		return nil, err
	}
	defer ev.close()
	o, err := t.setExported(name, port, target, dir)
	if err != nil {
		return nil, err
	}
	if err := ev.waitUploaded(ctx, o.ID); err != nil {
		return nil, err
	}
	t.log.Info("tor: onion service with circuit ids published", "name", name)
	return o, nil
}

// setExported adds the service to tor's configuration and reads the
// address tor derived from its key.
func (t *Tor) setExported(name string, port int, target, dir string) (*Onion, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.Err(); err != nil {
		return nil, err
	}
	if _, dup := t.onions[name]; dup {
		return nil, fmt.Errorf("%w: %q already published", ErrBadServiceName, name)
	}
	if t.exported == nil {
		t.exported = map[string]*exported{}
	}
	prev := t.exported[name]
	t.exported[name] = &exported{onion: &Onion{Name: name, Port: port}, dir: dir, target: target}
	if err := t.ctl.SetConf(t.exportedConf()...); err != nil {
		if prev != nil {
			t.exported[name] = prev
		} else {
			delete(t.exported, name)
		}
		return nil, t.ctlError("setconf onion service", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "hostname"))
	id, _ := strings.CutSuffix(strings.TrimSpace(string(b)), ".onion")
	if err != nil || !validServiceID(id) {
		return nil, fmt.Errorf("%w: tor wrote no valid hostname", ErrBadKey)
	}
	t.exported[name].onion.ID = id
	return t.exported[name].onion, nil
}

// exportedConf is every exported service as SETCONF entries, in name
// order; t.mu is held.
func (t *Tor) exportedConf() []*control.KeyVal {
	names := make([]string, 0, len(t.exported))
	for n := range t.exported {
		names = append(names, n)
	}
	sort.Strings(names)
	var kv []*control.KeyVal
	for _, n := range names {
		e := t.exported[n]
		kv = append(kv, control.NewKeyVal("HiddenServiceDir", e.dir),
			control.NewKeyVal("HiddenServicePort", strconv.Itoa(e.onion.Port)+" "+e.target),
			control.NewKeyVal("HiddenServiceExportCircuitID", "haproxy"))
	}
	return kv
}
