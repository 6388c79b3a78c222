package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"cyclecash/node"
)

const workerUsage = `usage: cyclecash worker --data DIR [flags] statement

commands:
  statement   the open worker's account at its gateway, by week:
              units earned, taken back, paid out, and what is owed

flags:`

// cmdWorker is the open worker's own view of its pay.
func cmdWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("worker", stderr)
	data := fs.String("data", "", "the worker node's data directory (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = func() { fmt.Fprintln(stderr, workerUsage); fs.PrintDefaults() }
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) != 1 || rest[0] != "statement":
		return usageErrorf("worker", "worker: want 'worker statement --data DIR' (got %q)", strings.Join(rest, " "))
	case *data == "":
		return usageErrorf("worker", "worker: --data DIR is required: the open worker node's data directory")
	}
	var st statement
	if err := controlCall(ctx, "worker", *data, http.MethodGet, "/v1/worker/statement", nil, &st); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, st)
	}
	printStatement(stdout, st)
	return nil
}

// statement and week are the gateway's account of an open worker as the
// control API answers it (node/work's Statement; cmd reads only its JSON).
type statement struct {
	Worker string `json:"worker"`
	Owed   uint64 `json:"owed"`
	Weeks  []week `json:"weeks"`
}

type week struct {
	Week   string `json:"week"`
	Tasks  int    `json:"tasks"`
	Earned uint64 `json:"earned"`
	Clawed uint64 `json:"clawed"`
	Paid   uint64 `json:"paid"`
}

// cashPayout is the body of POST /v1/gateway/payout.
type cashPayout struct {
	ID     string `json:"id"`
	Worker string `json:"worker"`
	Units  uint64 `json:"units"`
}

// printStatement prints one worker's statement as a table.
func printStatement(w io.Writer, st statement) {
	fmt.Fprintf(w, "worker %s: %d units owed\n", st.Worker, st.Owed)
	fmt.Fprintf(w, "%-10s %6s %8s %8s %8s\n", "week", "tasks", "earned", "clawed", "paid")
	for _, wk := range st.Weeks {
		fmt.Fprintf(w, "%-10s %6d %8d %8d %8d\n", wk.Week, wk.Tasks, wk.Earned, wk.Clawed, wk.Paid)
	}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// controlCall is one round trip to the control API of the node running
// in dataDir (its api.addr, and on TCP its api.token); cmd names the
// command in the error when dataDir cannot be a data directory.
func controlCall(ctx context.Context, cmd, dataDir, method, path string, in, out any) error {
	if err := runningNodeDir(cmd, dataDir); err != nil {
		return err
	}
	c, err := node.ClientOf(dataDir)
	if err != nil {
		return err
	}
	return c.Call(ctx, method, path, in, out)
}
