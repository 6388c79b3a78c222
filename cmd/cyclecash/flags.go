package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Every command parses its flags through parseFlags or parseInterleaved,
// so every command accepts flags anywhere among its arguments (before,
// between and after the positional ones, as git, kubectl and go do; "--"
// ends the flags) and reports a mistake in one line that says what to do.

// errUsage marks a usage mistake (exit 2) whose explanation was printed.
var errUsage = errors.New("usage")

// usageError is a usage mistake explained in one line (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == errUsage }

// usageErrorf returns a usageError whose line ends with the help command
// of cmd ("job submit"), the way out of every usage mistake.
func usageErrorf(cmd, format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...) + fmt.Sprintf("; run 'cyclecash help %s'", cmd)}
}

// newFlagSet returns a flag set that reports errors on stderr and never
// exits; -h prints its usage line and flags.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("cyclecash "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: cyclecash %s [flags]\n\nflags:\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// cmdName is the command a flag set belongs to, without "cyclecash ".
func cmdName(fs *flag.FlagSet) string { return strings.TrimPrefix(fs.Name(), "cyclecash ") }

// parseFlags parses args and refuses stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf(cmdName(fs), "%s: unexpected argument %q (this command takes flags only)", cmdName(fs), pos[0])
	}
	return nil
}

// parseInterleaved parses flags given before, between and after the
// positional arguments, which it returns in order.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseHead(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseHead parses the flags up to the first positional argument (for a
// command whose first positional argument is a subcommand with flags of
// its own). -h prints the usage and returns flag.ErrHelp; any other
// mistake is one usageError line.
func parseHead(fs *flag.FlagSet, args []string) error {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return flag.ErrHelp
	}
	msg := err.Error()
	if s, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		msg = "unknown flag " + s
	}
	// The flag package names a flag "-name"; users type --name.
	msg = strings.Replace(msg, "flag -", "flag --", 1)
	return usageErrorf(cmdName(fs), "%s: %s", cmdName(fs), msg)
}

// subcommandFirst moves the first of args naming one of subs to the
// front when flags come before it ("job --data D status J"), so the
// subcommand, which owns the flags, parses all of them.
func subcommandFirst(args []string, subs ...string) []string {
	if len(args) == 0 || !strings.HasPrefix(args[0], "-") {
		return args
	}
	for i, a := range args {
		if a == "--" {
			break
		}
		for _, s := range subs {
			if a == s {
				return append(append([]string{a}, args[:i]...), args[i+1:]...)
			}
		}
	}
	return args
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint([]string(*l)) }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }
