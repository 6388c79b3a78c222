// Command cyclecash runs a node of the cyclecash anonymous compute network
// and talks to running nodes. Every role (relay, gateway, market, worker) is
// the same binary with a different configuration.
//
// Output rules, for every subcommand:
//   - stdout carries results only (what a script would parse: peer IDs,
//     addresses, status, JSON with --json);
//   - stderr carries logs (log/slog text) and progress;
//   - an error is one line "cyclecash: <what went wrong>" on stderr and exit
//     status 1; a usage mistake is one such line saying what to run for
//     help, and exit status 2; help (-h, help COMMAND) goes to stdout with
//     exit status 0 when asked for by "help";
//   - flags may come anywhere among the arguments (flags.go);
//   - nothing the CLI prints names a peer's network address unless the user
//     asked for that node's own addresses.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"cyclecash/compute"
)

// command is one subcommand: it parses its own flags from args.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"init", "write a new identity, onion key and a commented node.toml", cmdInit},
		{"run", "start a node", cmdRun},
		{"status", "show a running node's state", cmdStatus},
		{"probe", "build circuits and measure build time, round trip and throughput", cmdProbe},
		{"wallet", "buy, mint, send, receive and check units (e-cash) at a gateway", cmdWallet},
		{"ledger", "a gateway operator's ledger: record cash sales, report the supply", cmdLedger},
		{"worker", "an open worker's statement: units earned and paid by week", cmdWorker},
		{"job", "submit a compute job paid in units, follow it, fetch its results", cmdJob},
		{"market", "company B's operator: disputes, cash-out requests and offers, totals", cmdMarket},
		{"hs", "hidden services: print a service's .mesh address; connect stdin/stdout to one", cmdHS},
		{"demo", "run the whole system on 127.0.0.1 with a sample job and dashboards", cmdDemo},
		{"bench", "measure the core figures beside same-run baselines, in one table", cmdBench},
		{"completion", "print a bash or zsh completion script", cmdCompletion},
		{"version", "print this build's version", cmdVersion},
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == compute.ChildCommand {
		// A worker re-executes itself to run one task in a child it can kill.
		if err := compute.ChildMain(os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Main runs the CLI with args (without the program name) and returns the
// process exit status. Tests call it in-process.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "cyclecash: no command given; to see the whole system run, start with 'cyclecash demo'; to set up a node, 'cyclecash init --data DIR'; 'cyclecash help' lists every command")
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		return help(ctx, args[1:], stdout, stderr)
	case "--version", "-version":
		fmt.Fprintln(stdout, versionLine())
		return 0
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "cyclecash: unknown command %q; run 'cyclecash help' for the list\n", args[0])
		return 2
	}
	return exitCode(c.run(ctx, args[1:], stdout, stderr), stderr)
}

// exitCode prints err in one line and returns the exit status: 0, 1 for
// a failure, 2 for a usage mistake.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "cyclecash: %s\n", ue.msg)
		return 2
	case errors.Is(err, errUsage):
		return 2 // the command printed why
	}
	fmt.Fprintf(stderr, "cyclecash: %s\n", oneLine(err))
	return 1
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// help prints the command list, or one command's usage and flags on
// stdout: "help job submit" is "job submit -h".
func help(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return 0
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "cyclecash: help: unknown command %q; run 'cyclecash help' for the list\n", args[0])
		return 2
	}
	return exitCode(c.run(ctx, append(args[1:len(args):len(args)], "-h"), stdout, stdout), stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: cyclecash <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
new here? 'cyclecash demo' runs every role on this machine in a minute.
'cyclecash help <command>' shows a command's flags; flags may come
anywhere among the arguments; 'cyclecash --version' names this build.`)
}
