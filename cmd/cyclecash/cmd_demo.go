package main

import (
	"context"
	"errors"
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
// internal/demo), prints progress on stderr and the summary and each
// node's dashboard URL on stdout, then serves the dashboards until
// interrupted, or stops at once with --exit. A temporary directory is
// removed at the end unless --keep; a --dir is always kept.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stderr)
	dir := fs.String("dir", "", "put the nodes' data `directories` here (kept); default: a temporary directory")
	wasmFile := fs.String("wasm", "", "the sample job's module `FILE` (examples/primes for wasip1); default: build it with go")
	tasks := fs.Int("tasks", 12, "tasks in the sample job")
	keep := fs.Bool("keep", false, "keep the temporary directory")
	exit := fs.Bool("exit", false, "stop after the summary instead of serving the dashboards")
	index := fs.String("dashboard", "", "also serve a page linking every node's dashboard on this loopback `ADDR`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *tasks < 1 || *tasks > 1000 {
		return fmt.Errorf("demo: --tasks %d, want 1..1000", *tasks)
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
	d, err := demo.Start(ctx, demo.Options{Dir: filepath.Join(root, "nodes"), Wasm: wasm, Tasks: *tasks, Progress: stderr})
	if err != nil {
		return err
	}
	defer d.Close()
	s, err := d.Run(ctx)
	if err != nil {
		return err
	}
	s.Print(stdout)
	for _, db := range d.Dashboards() {
		fmt.Fprintf(stdout, "%-27s %s\n", "dashboard "+db.Name+":", db.URL)
	}
	if *exit {
		return nil
	}
	return serveDemo(ctx, d, *index, stdout, stderr)
}

// demoDir returns the directory for the demo and what removes it.
func demoDir(dir string, keep bool, stderr io.Writer) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, os.MkdirAll(dir, 0o700)
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
func serveDemo(ctx context.Context, d *demo.Demo, addr string, stdout, stderr io.Writer) error {
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
	fmt.Fprintln(stderr, "demo: serving the dashboards; Ctrl-C stops")
	<-ctx.Done()
	return nil
}
