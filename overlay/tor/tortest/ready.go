package tortest

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// waitReady polls the first authority's current microdescriptor consensus
// until it lists every relay Running and every exit as Exit, or a tor dies,
// or ctx ends.
func (n *Network) waitReady(ctx context.Context) error {
	auth := n.Relays[0]
	url := fmt.Sprintf("http://127.0.0.1:%d/tor/status-vote/current/consensus-microdesc", auth.DirPort)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		missing := n.consensusMissing(ctx, url)
		if missing == "" {
			missing = n.relaysBootstrapping()
		}
		if missing == "" {
			return nil
		}
		for _, r := range n.Relays {
			if r.PID() == 0 {
				return fmt.Errorf("%w: %s: %s", errEarlyExit, r.Name, r.LastLog())
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("tortest: network not ready: %w (consensus lacks %s; %s: %s)", ctx.Err(), missing, auth.Name, auth.LastLog())
		case <-tick.C:
		}
	}
}

// consensusMissing names what the served consensus still lacks ("" when
// it is complete).
func (n *Network) consensusMissing(ctx context.Context, url string) string {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "everything (no answer)"
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "everything (" + resp.Status + ")"
	}
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "deflate" { // tor answers zlib whatever we ask
		z, err := zlib.NewReader(resp.Body)
		if err != nil {
			return "everything (bad deflate)"
		}
		body = z
	}
	flags := parseFlags(io.LimitReader(body, 1<<20))
	for _, r := range n.Relays {
		f, ok := flags[r.Name]
		switch {
		case !ok:
			return r.Name
		case !strings.Contains(f, " Running "):
			return r.Name + " Running"
		case r.Exit && !strings.Contains(f, " Exit "):
			return r.Name + " Exit"
		case !strings.Contains(f, " HSDir "):
			return r.Name + " HSDir"
		}
	}
	return ""
}

// parseFlags maps each router nickname of a consensus to its "s" line.
func parseFlags(r io.Reader) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	name := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "r "):
			if f := strings.Fields(line); len(f) > 1 {
				name = f[1]
			}
		case strings.HasPrefix(line, "s ") && name != "":
			out[name] = line[1:] + " "
			name = ""
		}
	}
	return out
}

// relaysBootstrapping names a relay that has not itself bootstrapped yet
// (an exit that has not cannot carry streams), or "".
func (n *Network) relaysBootstrapping() string {
	for _, r := range n.Relays {
		b, _ := os.ReadFile(filepath.Join(r.dir, "notice.log"))
		if !bytes.Contains(b, []byte("Bootstrapped 100%")) {
			return r.Name + "'s own bootstrap"
		}
	}
	return ""
}
