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

// scriptRun is one "exec cyclecash ..." of a testscript: its arguments,
// whether it must fail, and the stderr patterns checked after it.
type scriptRun struct {
	args   []string
	fails  bool
	stderr string
}

var scriptExec = regexp.MustCompile(`^(! )?exec cyclecash(.*)$`)

func scriptRuns(t *testing.T) []scriptRun {
	t.Helper()
	files, err := filepath.Glob("testdata/script/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	var runs []scriptRun
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if m := scriptExec.FindStringSubmatch(line); m != nil {
				runs = append(runs, scriptRun{args: strings.Fields(m[2]), fails: m[1] != ""})
			} else if strings.HasPrefix(line, "stderr ") && len(runs) > 0 {
				runs[len(runs)-1].stderr += line + "\n"
			}
		}
	}
	return runs
}

// TestScriptsCoverEveryCommand: for every command in commands(), the
// testscripts hold its help, an unknown flag refused in one line, a
// failing run without its data directory or with a missing config file,
// a data directory that cannot be one (when it takes --data or --dir),
// and flags after a positional argument (when it takes arguments); and
// --version is scripted. A command added later without these fails here.
func TestScriptsCoverEveryCommand(t *testing.T) {
	runs := scriptRuns(t)
	words := completionWords(context.Background())
	has := func(pred func(r scriptRun) bool) bool { return slices.IndexFunc(runs, pred) >= 0 }
	if !has(func(r scriptRun) bool { return !r.fails && slices.Equal(r.args, []string{"--version"}) }) {
		t.Error("no script runs cyclecash --version")
	}
	for _, c := range commands() {
		of := func(r scriptRun) bool { return len(r.args) > 0 && r.args[0] == c.name }
		flag := func(r scriptRun, names ...string) bool {
			return slices.ContainsFunc(r.args, func(a string) bool {
				return slices.ContainsFunc(names, func(n string) bool { return a == n || strings.HasPrefix(a, n+"=") })
			})
		}
		if !has(func(r scriptRun) bool {
			return !r.fails && len(r.args) >= 2 && r.args[0] == "help" && r.args[1] == c.name
		}) {
			t.Errorf("%s: no script runs 'cyclecash help %s'", c.name, c.name)
		}
		if !has(func(r scriptRun) bool {
			return of(r) && r.fails && strings.Contains(r.stderr, "unknown flag") && strings.Contains(r.stderr, "-count=1")
		}) {
			t.Errorf("%s: no script checks that an unknown flag is refused in one line", c.name)
		}
		takes := func(f string) bool { return slices.Contains(words[c.name], f) }
		if takes("--data") || takes("--dir") || takes("--config") {
			if !has(func(r scriptRun) bool {
				return of(r) && r.fails && (!flag(r, "--data", "--dir", "--api") || slices.Contains(r.args, "$WORK/missing.toml"))
			}) {
				t.Errorf("%s: no script runs it without its data directory or with a missing config file", c.name)
			}
		}
		if takes("--data") || takes("--dir") {
			if !has(func(r scriptRun) bool {
				return of(r) && r.fails && slices.ContainsFunc(r.args, func(a string) bool {
					return a == "$WORK/afile" || a == "$WORK/loop" || a == "$WORK/locked"
				})
			}) {
				t.Errorf("%s: no script gives it a data directory that cannot be one", c.name)
			}
		}
		if slices.ContainsFunc(words[c.name], func(w string) bool { return !strings.HasPrefix(w, "--") }) {
			if !has(func(r scriptRun) bool { return of(r) && flagAfterArgument(r.args[1:]) }) {
				t.Errorf("%s: no script puts a flag after a positional argument", c.name)
			}
		}
	}
}

// flagAfterArgument: some argument that is no flag (nor a flag's value)
// comes before a flag. A value is taken to follow a flag without "=".
func flagAfterArgument(args []string) bool {
	positional := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return false
		case strings.HasPrefix(a, "-"):
			if positional {
				return true
			}
			if !strings.Contains(a, "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && !boolFlag(a) {
				i++ // its value
			}
		default:
			positional = true
		}
	}
	return false
}

// boolFlag names the scripts' flags that take no value.
func boolFlag(a string) bool {
	return slices.Contains([]string{"--json", "--exit", "--quick", "--force", "--check", "--wait", "--disputed", "--paid", "--refuse", "--keep", "--tor", "--client-only", "--loopback-distinct", "--tiny"}, a)
}
