package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"cyclecash/node"
)

// cmdJob is the buyer's side of the compute market. Every subcommand goes
// through the buyer's own running node, which reaches a gateway over a
// circuit.
func cmdJob(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func(w io.Writer) {
		fmt.Fprint(w, `usage: cyclecash job <command> --api ADDR|--data DIR [flags]

commands:
  submit  --wasm F --inputs DIR --budget UNITS_PER_TASK --pay TOKEN... [--replication N] [--wait]
  status  JOBID
  results JOBID --out DIR [--inputs DIR]
  cancel  JOBID

Flags may come before or after JOBID. 'cyclecash help job submit' shows
a command's flags.
`)
	}
	args = subcommandFirst(args, "submit", "status", "results", "cancel")
	if len(args) == 0 {
		return usageErrorf("job", "job: name a command: submit, status, results or cancel")
	}
	switch args[0] {
	case "submit":
		return jobSubmit(ctx, args[1:], stdout, stderr)
	case "status", "results", "cancel":
		return jobByID(ctx, args[0], args[1:], stdout, stderr)
	case "-h", "--help", "help":
		usage(stdout)
		return flag.ErrHelp
	}
	return usageErrorf("job", "job: unknown command %q (want submit, status, results or cancel)", args[0])
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
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	pay = append(pay, rest...)
	if *wasm == "" || *inputs == "" || *budget == 0 || len(pay) == 0 {
		return usageErrorf("job submit", "job submit: --wasm, --inputs, --budget and --pay are required")
	}
	c, err := api.client("job")
	if err != nil {
		return err
	}
	req, names, err := readJob(*wasm, *inputs)
	if err != nil {
		return err
	}
	req.UnitsPerTask, req.Replication, req.TaskTimeoutMS, req.Tokens = *budget, *repl, timeout.Milliseconds(), pay
	id, err := c.SubmitJob(ctx, req)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, id)
	if err := saveJobNames(api.data, id, names); err != nil {
		fmt.Fprintf(stderr, "cyclecash: warning: could not record the input names (%v); name the results with 'job results --inputs %s'\n", oneLine(err), *inputs)
	}
	if !*wait {
		return nil
	}
	return waitJob(ctx, c, id, stderr)
}

// readJob reads the module and one input per regular file in dir, in
// name order, and returns the files' names beside the request.
func readJob(wasm, dir string) (*node.JobRequest, []string, error) {
	mod, err := os.ReadFile(wasm)
	if err != nil {
		return nil, nil, fmt.Errorf("job: module: %w", err)
	}
	names, err := inputNames(dir)
	if err != nil {
		return nil, nil, err
	}
	req := &node.JobRequest{Module: mod}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, nil, fmt.Errorf("job: inputs: %w", err)
		}
		req.Inputs = append(req.Inputs, b)
	}
	return req, names, nil
}

// inputNames lists the regular files of dir in name order: one task each.
func inputNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("job: inputs: %w", err)
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("job: inputs: %s holds no files", dir)
	}
	return names, nil
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
	var out, inputs *string
	if cmd == "results" {
		out = fs.String("out", "", "directory to write results into (required)")
		inputs = fs.String("inputs", "", "the job's inputs directory, to name the results after its files (default: the names recorded at submit)")
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: cyclecash job %s JOBID --api ADDR|--data DIR [flags]\n\nflags:\n", cmd)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usageErrorf("job "+cmd, "job %s: give the job's ID (what job submit printed)", cmd)
	case len(pos) > 1:
		return usageErrorf("job "+cmd, "job %s: one job ID, not %d arguments", cmd, len(pos))
	case cmd == "results" && *out == "":
		return usageErrorf("job "+cmd, "job results: give --out DIR, the directory to write the results into")
	}
	id := pos[0]
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
	names, err := resultInputs(api.data, id, *inputs)
	if err != nil {
		return err
	}
	res, err := c.JobResults(ctx, id)
	if err != nil {
		return err
	}
	return writeResults(stdout, res, *out, names)
}

// resultInputs are the input names to name job id's results after: those
// of --inputs DIR when given, else the ones recorded at submit.
func resultInputs(data, id, dir string) ([]string, error) {
	if dir != "" {
		return inputNames(dir)
	}
	return loadJobNames(data, id)
}

func printJob(w io.Writer, st *node.JobStatus) {
	fmt.Fprintf(w, "job       %s\nstate     %s\ntasks     %d (%d accepted, %d failed)\nreserved  %d units\nused      %d units\nsettled   %v\n",
		st.ID, st.State, st.Tasks, st.Accepted, st.Failed, st.Reserved, st.Used, st.Settled)
	if st.Change != "" {
		fmt.Fprintf(w, "change    %d units (in the results directory)\n", st.Reserved-st.Used)
	}
}

// writeResults writes a file for each accepted task, named after its
// input (resultNames), and change.token once the escrow is settled; it
// prints a summary.
func writeResults(w io.Writer, res *node.JobResults, dir string, inputs []string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("job: results: %w", err)
	}
	written := 0
	names := resultNames(res.Results, inputs)
	for _, t := range res.Results {
		name, ok := names[t.Index]
		if !ok {
			continue
		}
		if err := node.WriteFileAtomic(filepath.Join(dir, name), t.Output, 0o600); err != nil {
			return fmt.Errorf("job: results: %w", err)
		}
		written++
	}
	if res.Change != "" {
		// The change is a bearer token: a torn or lost file loses units.
		if err := node.WriteFileAtomic(filepath.Join(dir, "change.token"), []byte(res.Change+"\n"), 0o600); err != nil {
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
