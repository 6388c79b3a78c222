package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"cyclecash/node"
)

// cmdJob is the buyer's side of the compute market. Every subcommand goes
// through the buyer's own running node, which reaches a gateway over a
// circuit.
func cmdJob(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprint(stderr, `usage: cyclecash job <command> --api ADDR|--data DIR [flags]

commands:
  submit  --wasm F --inputs DIR --budget UNITS_PER_TASK --pay TOKEN... [--replication N] [--wait]
  status  JOBID
  results JOBID --out DIR
  cancel  JOBID
`)
	}
	if len(args) == 0 {
		usage()
		return errUsage
	}
	switch args[0] {
	case "submit":
		return jobSubmit(ctx, args[1:], stdout, stderr)
	case "status", "results", "cancel":
		return jobByID(ctx, args[0], args[1:], stdout, stderr)
	case "-h", "--help", "help":
		usage()
		return nil
	}
	fmt.Fprintf(stderr, "cyclecash job: unknown command %q\n", args[0])
	usage()
	return errUsage
}

func jobSubmit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("job submit", stderr)
	var api apiFlags
	api.register(fs)
	var pay listFlag
	wasm := fs.String("wasm", "", "WebAssembly module (WASI preview 1) to run")
	inputs := fs.String("inputs", "", "directory of input files: one task per file, in name order")
	budget := fs.Uint64("budget", 0, "unit budget per task")
	repl := fs.Int("replication", 2, "distinct workers that must agree on each result")
	timeout := fs.Duration("task-timeout", time.Minute, "wall-clock limit of one run of one task")
	wait := fs.Bool("wait", false, "wait for the job to finish, showing progress on stderr")
	fs.Var(&pay, "pay", "payment token (cashuB…); repeat, or list tokens after the flags")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	pay = append(pay, fs.Args()...)
	if *wasm == "" || *inputs == "" || *budget == 0 || len(pay) == 0 {
		fmt.Fprintln(stderr, "job submit: --wasm, --inputs, --budget and --pay are required")
		fs.Usage()
		return errUsage
	}
	c, err := api.client("job")
	if err != nil {
		return err
	}
	req, err := readJob(*wasm, *inputs)
	if err != nil {
		return err
	}
	req.UnitsPerTask, req.Replication, req.TaskTimeoutMS, req.Tokens = *budget, *repl, timeout.Milliseconds(), pay
	id, err := c.SubmitJob(ctx, req)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, id)
	if !*wait {
		return nil
	}
	return waitJob(ctx, c, id, stderr)
}

// readJob reads the module and one input per regular file in dir.
func readJob(wasm, dir string) (*node.JobRequest, error) {
	mod, err := os.ReadFile(wasm)
	if err != nil {
		return nil, fmt.Errorf("job: module: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("job: inputs: %w", err)
	}
	req := &node.JobRequest{Module: mod}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("job: inputs: %w", err)
		}
		req.Inputs = append(req.Inputs, b)
	}
	if len(req.Inputs) == 0 {
		return nil, fmt.Errorf("job: inputs: %s holds no files", dir)
	}
	return req, nil
}

// waitJob polls the job until it stops running and its escrow is settled.
func waitJob(ctx context.Context, c *node.Client, id string, stderr io.Writer) error {
	last := ""
	for {
		st, err := c.JobStatus(ctx, id)
		if err != nil {
			return err
		}
		line := fmt.Sprintf("job %s: %s, %d/%d accepted, %d failed, %d units used", id, st.State, st.Accepted, st.Tasks, st.Failed, st.Used)
		if line != last {
			fmt.Fprintln(stderr, line)
			last = line
		}
		if st.State != "running" && st.Settled {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func jobByID(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("job "+cmd, stderr)
	var api apiFlags
	api.register(fs)
	out := fs.String("out", "", "directory to write results into (results)")
	// Accept JOBID before or after the flags.
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if fs.NArg() > 0 || id == "" || (cmd == "results" && *out == "") {
		fmt.Fprintf(stderr, "usage: cyclecash job %s JOBID --api ADDR|--data DIR%s\n", cmd, map[bool]string{true: " --out DIR"}[cmd == "results"])
		return errUsage
	}
	c, err := api.client("job")
	if err != nil {
		return err
	}
	switch cmd {
	case "status":
		st, err := c.JobStatus(ctx, id)
		if err == nil {
			printJob(stdout, st)
		}
		return err
	case "cancel":
		st, err := c.CancelJob(ctx, id)
		if err == nil {
			printJob(stdout, st)
		}
		return err
	}
	res, err := c.JobResults(ctx, id)
	if err != nil {
		return err
	}
	return writeResults(stdout, res, *out)
}

func printJob(w io.Writer, st *node.JobStatus) {
	fmt.Fprintf(w, "job       %s\nstate     %s\ntasks     %d (%d accepted, %d failed)\nreserved  %d units\nused      %d units\nsettled   %v\n",
		st.ID, st.State, st.Tasks, st.Accepted, st.Failed, st.Reserved, st.Used, st.Settled)
	if st.Change != "" {
		fmt.Fprintf(w, "change    %d units (in the results directory)\n", st.Reserved-st.Used)
	}
}

// writeResults writes task-NNNNN.out for each accepted task, and change.token
// once the escrow is settled; it prints a summary.
func writeResults(w io.Writer, res *node.JobResults, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("job: results: %w", err)
	}
	written := 0
	for _, t := range res.Results {
		if t.State != "accepted" {
			continue
		}
		name := fmt.Sprintf("task-%05d.out", t.Index)
		if t.Status != "ok" {
			name = fmt.Sprintf("task-%05d.%s", t.Index, strings.ReplaceAll(t.Status, " ", "-"))
		}
		if err := os.WriteFile(filepath.Join(dir, name), t.Output, 0o600); err != nil {
			return fmt.Errorf("job: results: %w", err)
		}
		written++
	}
	if res.Change != "" {
		if err := os.WriteFile(filepath.Join(dir, "change.token"), []byte(res.Change+"\n"), 0o600); err != nil {
			return fmt.Errorf("job: results: %w", err)
		}
	}
	failed := slices.IndexFunc(res.Results, func(t node.TaskResult) bool { return t.State == "failed" }) >= 0
	fmt.Fprintf(w, "%d results written to %s; job %s, %d units used of %d reserved\n", written, dir, res.State, res.Used, res.Reserved)
	if failed {
		fmt.Fprintf(w, "%d tasks failed\n", res.Failed)
	}
	return nil
}
