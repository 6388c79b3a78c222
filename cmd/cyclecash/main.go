// Command cyclecash runs a node of the cyclecash anonymous compute network
// and talks to running nodes. Every role (relay, gateway, market, worker) is
// the same binary with a different configuration.
//
// Output rules, for every subcommand:
//   - stdout carries results only (what a script would parse: peer IDs,
//     addresses, status, JSON with --json);
//   - stderr carries logs (log/slog text) and progress;
//   - an error is one line "cyclecash: <what went wrong>" on stderr and exit
//     status 1; a usage mistake prints the usage and exits 2;
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
		{"demo", "run the whole system on 127.0.0.1 with a sample job and dashboards", cmdDemo},
	}
}

// errUsage marks a usage mistake (exit 2); the flag package already printed why.
var errUsage = errors.New("usage")

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
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
			return 2
		default:
			fmt.Fprintf(stderr, "cyclecash: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "cyclecash: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: cyclecash <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nrun 'cyclecash <command> -h' for a command's flags")
}

// newFlagSet returns a flag set that reports errors on stderr and never exits.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("cyclecash "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and refuses stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint([]string(*l)) }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }
