package tor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// bootstrapPoll is how often the bootstrap phase is read.
const bootstrapPoll = 200 * time.Millisecond

// Bootstrap is one reading of tor's status/bootstrap-phase.
type Bootstrap struct {
	Percent int
	Tag     string
	Summary string
	Warning string // set when tor reports a bootstrap problem
}

// parseBootstrap parses a status/bootstrap-phase value, e.g.
// `NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"` (control-spec
// section 5.4, "BOOTSTRAP" status event arguments).
func parseBootstrap(s string) (Bootstrap, error) {
	f := splitQuoted(s)
	if len(f) < 3 || f[1] != "BOOTSTRAP" {
		return Bootstrap{}, fmt.Errorf("tor: malformed bootstrap phase")
	}
	var b Bootstrap
	seen := false
	for _, kv := range f[2:] {
		k, v, _ := strings.Cut(kv, "=")
		v = strings.Trim(v, `"`)
		switch k {
		case "PROGRESS":
			p, err := strconv.Atoi(v)
			if err != nil || p < 0 || p > 100 {
				return Bootstrap{}, fmt.Errorf("tor: malformed bootstrap progress")
			}
			b.Percent, seen = p, true
		case "TAG":
			b.Tag = v
		case "SUMMARY":
			b.Summary = v
		case "WARNING":
			b.Warning = v
		}
	}
	if !seen {
		return Bootstrap{}, fmt.Errorf("tor: bootstrap phase without progress")
	}
	return b, nil
}

// splitQuoted splits on spaces outside double quotes.
func splitQuoted(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// waitBootstrap polls the bootstrap phase until 100%, reporting each
// change, and fails with ErrBootstrapTimeout or ErrTorExited.
func (t *Tor) waitBootstrap(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.bootstrapTimeout())
	defer cancel()
	tick := time.NewTicker(bootstrapPoll)
	defer tick.Stop()
	last := Bootstrap{Percent: -1}
	for {
		v, err := t.getInfo("status/bootstrap-phase")
		if err != nil {
			return err
		}
		b, err := parseBootstrap(v)
		if err != nil {
			return err
		}
		if b.Percent != last.Percent || b.Warning != last.Warning {
			t.report(b)
			last = b
		}
		if b.Percent == 100 {
			return nil
		}
		select {
		case <-ctx.Done():
			return bootstrapError(ctx, last)
		case <-t.dead:
			return t.Err()
		case <-tick.C:
		}
	}
}

func (t *Tor) report(b Bootstrap) {
	t.log.Info("tor: bootstrap", "percent", b.Percent, "summary", b.Summary, "warning", b.Warning)
	if t.cfg.Progress != nil {
		t.cfg.Progress(b.Percent, b.Summary)
	}
}

func bootstrapError(ctx context.Context, b Bootstrap) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("tor: bootstrap: %w", ctx.Err())
	}
	warn := ""
	if b.Warning != "" {
		warn = "; tor warns: " + b.Warning
	}
	return fmt.Errorf("%w at %d%% (%s)%s", ErrBootstrapTimeout, b.Percent, b.Summary, warn)
}
