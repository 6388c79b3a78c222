package main

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestCompletionBash: the bash script completes commands, subcommands and
// flags read from the commands' own help, when bash runs it.
func TestCompletionBash(t *testing.T) {
	var out, errb strings.Builder
	if code := Main(context.Background(), []string{"completion", "bash"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if _, err := exec.LookPath("bash"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bash, which CI runs on, is not on PATH")
		}
		t.Skip("no bash")
	}
	for _, c := range []struct{ words, want string }{
		{"cyclecash de", "demo"},
		{"cyclecash job res", "results"},
		{"cyclecash job results J --o", "--out"},
		{"cyclecash run --ledger-c", "--ledger-capacity"},
		{"cyclecash wallet rec", "receive"},
		{"cyclecash completion z", "zsh"},
	} {
		script := out.String() + "\nCOMP_WORDS=(" + c.words + "); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _cyclecash; echo \"${COMPREPLY[*]}\"\n"
		got, err := exec.Command("bash", "-c", script).CombinedOutput()
		if err != nil || strings.TrimSpace(string(got)) != c.want {
			t.Errorf("completing %q: %q (%v), want %q", c.words, got, err, c.want)
		}
	}
}

// TestCompletionZsh: the zsh script names every command; zsh, when
// installed, parses it.
func TestCompletionZsh(t *testing.T) {
	var out, errb strings.Builder
	if code := Main(context.Background(), []string{"completion", "zsh"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, c := range commands() {
		if !strings.Contains(out.String(), "'"+c.name+":") {
			t.Errorf("zsh script lacks %s", c.name)
		}
	}
	if _, err := exec.LookPath("zsh"); err != nil {
		return
	}
	if got, err := exec.Command("zsh", "-n", "-c", out.String()).CombinedOutput(); err != nil {
		t.Errorf("zsh -n: %v: %s", err, got)
	}
}

// TestCompletionSubcommands: the words offered after a command are its
// subcommands, as its help lists them, then flags; never a word of a
// description's continuation line (the old parser offered "units" after
// worker, "(a" and "record" after ledger).
func TestCompletionSubcommands(t *testing.T) {
	words := completionWords(context.Background())
	for name, want := range map[string][]string{
		"worker": {"statement"},
		"ledger": {"quote", "report", "keysets", "owed", "payout"},
		"market": {"status", "listings", "orders", "disputes", "resolve", "cashout", "offer"},
		"hs":     {"address", "connect"},
		"job":    {"submit", "status", "results", "cancel"},
		"wallet": {"buy", "mint", "balance", "send", "receive", "status", "restore", "seed"},
		"demo":   nil,
	} {
		var subs []string
		for _, w := range words[name] {
			if !strings.HasPrefix(w, "--") {
				subs = append(subs, w)
			}
		}
		if !slices.Equal(subs, want) {
			t.Errorf("%s completes subcommands %q, want %q", name, subs, want)
		}
	}
}
