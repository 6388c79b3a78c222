package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEveryCommandForgives: every command in commands(), including ones
// added later, answers 'help COMMAND' with its usage on stdout (exit 0),
// and an unknown flag, placed after an argument, with exactly one line
// on stderr saying what to run (exit 2).
func TestEveryCommandForgives(t *testing.T) {
	for _, c := range commands() {
		var out, errb strings.Builder
		if code := Main(context.Background(), []string{"help", c.name}, &out, &errb); code != 0 ||
			!strings.Contains(out.String(), "usage: cyclecash "+c.name) {
			t.Errorf("help %s: exit %d, stdout %q, stderr %q", c.name, code, out.String(), errb.String())
		}
		out.Reset()
		errb.Reset()
		code := Main(context.Background(), []string{c.name, "some-arg", "--no-such-flag-xyz"}, &out, &errb)
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		if code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "cyclecash: ") || !strings.Contains(lines[0], "help") {
			t.Errorf("%s with a bad flag: exit %d, stderr %q: want one line naming the help to run, exit 2", c.name, code, errb.String())
		}
	}
}

// TestNoCommandParsesItself: no command calls FlagSet.Parse itself, which
// would stop at the first argument (flags after it silently ignored) and
// print the whole usage on a mistake; flags.go's parsers are the way.
func TestNoCommandParsesItself(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	direct := regexp.MustCompile(`\.Parse\((args|os\.Args)`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "flags.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if direct.MatchString(line) {
				t.Errorf("%s:%d calls Parse itself; use parseFlags, parseInterleaved or parseHead", f, i+1)
			}
		}
	}
}

// TestInterspersed: flags before, between and after positional arguments
// all parse; "--" ends them.
func TestInterspersed(t *testing.T) {
	fs := newFlagSet("x", &strings.Builder{})
	a := fs.String("a", "", "")
	b := fs.Bool("b", false, "")
	pos, err := parseInterleaved(fs, []string{"one", "--a", "v", "two", "-b", "--", "--a", "three"})
	if err != nil || *a != "v" || !*b || !slices.Equal(pos, []string{"one", "two", "--a", "three"}) {
		t.Fatalf("pos %q a %q b %v err %v", pos, *a, *b, err)
	}
	if _, err := parseInterleaved(fs, []string{"one", "--c"}); err == nil || err.Error() != "x: unknown flag --c; run 'cyclecash help x'" {
		t.Fatalf("unknown flag: %v", err)
	}
	if got := subcommandFirst([]string{"--data", "D", "status", "J"}, "status"); !slices.Equal(got, []string{"status", "--data", "D", "J"}) {
		t.Fatalf("subcommandFirst: %q", got)
	}
}
