package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"cyclecash/internal/demo"
)

// cmdDemo runs the whole system on 127.0.0.1 in this process (see
// internal/demo), shows progress on stderr (a live bar on a terminal,
// plain lines otherwise), prints the summary (JSON with --json) and each
// node's dashboard URL on stdout, then serves the dashboards until
// interrupted, for --for DURATION, or not at all with --exit. It exits 0
// only when every check of the summary holds. A temporary directory is
// removed at the end unless --keep; a --dir is always kept.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stderr)
	dir := fs.String("dir", "", "put the nodes' data `directories` here (kept); default: a temporary directory")
	wasmFile := fs.String("wasm", "", "the sample job's module `FILE` (examples/primes for wasip1); default: build it with go")
	tasks := fs.Int("tasks", 12, "tasks in the sample job")
	keep := fs.Bool("keep", false, "keep the temporary directory")
	exit := fs.Bool("exit", false, "stop after the summary instead of serving the dashboards (same as --for 0)")
	serveFor := fs.Duration("for", 0, "serve the dashboards this `long` after the summary, then stop (default: until Ctrl-C)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	withTor := fs.Bool("tor", false, "also start a private Tor network on 127.0.0.1 and send the stealth workers' guard links through it (needs Debian's tor)")
	index := fs.String("dashboard", "", "also serve a page linking every node's dashboard on this loopback `ADDR`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *tasks < 1 || *tasks > 1000 {
		return fmt.Errorf("demo: --tasks %d, want 1..1000", *tasks)
	}
	if *serveFor < 0 {
		return usageErrorf("demo", "demo: --for %s: want a duration ≥ 0", *serveFor)
	}
	forSet := false
	fs.Visit(func(f *flag.Flag) { forSet = forSet || f.Name == "for" })
	if *exit {
		forSet, *serveFor = true, 0
	}
	root, cleanup, err := demoDir(*dir, *keep, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	wasm, err := demoModule(ctx, *wasmFile, root, stderr)
	if err != nil {
		return err
	}
	bar := newProgress(stderr)
	d, err := demo.Start(ctx, demo.Options{Dir: filepath.Join(root, "nodes"), Wasm: wasm, Tasks: *tasks, Step: bar.step, Tor: *withTor})
	if err != nil {
		bar.end()
		return interrupted(ctx, err)
	}
	defer d.Close()
	s, err := d.Run(ctx)
	bar.end()
	if s == nil {
		return interrupted(ctx, err)
	}
	if err := finishDemo(stdout, s, d.Dashboards(), *asJSON, err); err != nil {
		return err
	}
	if forSet && *serveFor == 0 {
		return nil
	}
	return serveDemo(ctx, d, *index, *serveFor, stdout, stderr)
}

// interrupted names a Ctrl-C for what it is.
func interrupted(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return errors.New("demo: interrupted; every node was stopped")
	}
	return err
}

// finishDemo prints the summary, and returns runErr: a failed check
// (demo.ErrCheckFailed) makes the demo exit 1 after the summary that
// shows which.
func finishDemo(stdout io.Writer, s *demo.Summary, dbs []demo.Dashboard, asJSON bool, runErr error) error {
	if err := printDemo(stdout, s, dbs, asJSON); err != nil {
		return err
	}
	return runErr
}

// demoJSON is the summary with the dashboards' URLs.
type demoJSON struct {
	*demo.Summary
	Dashboards []demo.Dashboard `json:"dashboards"`
}

func printDemo(w io.Writer, s *demo.Summary, dbs []demo.Dashboard, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(demoJSON{s, dbs})
	}
	s.Print(w)
	for _, db := range dbs {
		fmt.Fprintf(w, "%-27s %s\n", "dashboard "+db.Name+":", db.URL)
	}
	return nil
}

// demoDir returns the directory for the demo and what removes it.
func demoDir(dir string, keep bool, stderr io.Writer) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", nil, fmt.Errorf("demo: --dir: %w", err)
		}
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "cyclecash-demo-")
	if err != nil {
		return "", nil, fmt.Errorf("demo: %w", err)
	}
	if keep {
		return tmp, func() { fmt.Fprintf(stderr, "demo: kept %s\n", tmp) }, nil
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

// demoModule reads --wasm, or builds examples/primes from the checkout.
func demoModule(ctx context.Context, file, dir string, stderr io.Writer) ([]byte, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("demo: --wasm: %w", err)
		}
		return b, nil
	}
	fmt.Fprintln(stderr, "demo: building examples/primes for wasip1 with go build")
	return demo.BuildPrimes(ctx, filepath.Join(dir, "primes.wasm"))
}

// serveDemo keeps the network up for its dashboards until ctx ends,
// serving the index page on addr when asked.
func serveDemo(ctx context.Context, d *demo.Demo, addr string, serveFor time.Duration, stdout, stderr io.Writer) error {
	if addr != "" {
		host, _, err := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("demo: --dashboard %q: want a loopback HOST:PORT", addr)
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("demo: --dashboard: %w", err)
		}
		srv := &http.Server{Handler: d.IndexHandler(), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintf(stderr, "demo: index page stopped: %v\n", err)
			}
		}()
		defer srv.Close()
		fmt.Fprintf(stdout, "%-27s %s\n", "dashboards:", "http://"+l.Addr().String()+"/")
	}
	if serveFor > 0 {
		fmt.Fprintf(stderr, "demo: serving the dashboards for %s; Ctrl-C stops sooner\n", serveFor)
		select {
		case <-ctx.Done():
		case <-time.After(serveFor):
		}
		return nil
	}
	fmt.Fprintln(stderr, "demo: serving the dashboards; Ctrl-C stops")
	<-ctx.Done()
	return nil
}
