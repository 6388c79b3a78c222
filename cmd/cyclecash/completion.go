package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// cmdCompletion prints a completion script. The script is generated from
// the commands' own help (their flags and subcommands), so a command
// added to commands() completes without further work.
func cmdCompletion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("completion", stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: cyclecash completion bash|zsh\n\n  bash: source <(cyclecash completion bash)   (or save it in ~/.local/share/bash-completion/completions/cyclecash)\n  zsh:  source <(cyclecash completion zsh)    (or save it as _cyclecash in a directory of $fpath)")
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (pos[0] != "bash" && pos[0] != "zsh") {
		return usageErrorf("completion", "completion: name the shell: bash or zsh")
	}
	words := completionWords(ctx)
	if pos[0] == "bash" {
		writeBash(stdout, words)
	} else {
		writeZsh(stdout, words)
	}
	return nil
}

// completionWords maps each command to its subcommands and flags, read
// from its -h output (and its subcommands' -h output).
func completionWords(ctx context.Context) map[string][]string {
	words := map[string][]string{}
	for _, c := range commands() {
		if c.name == "completion" {
			words[c.name] = []string{"bash", "zsh"}
			continue
		}
		subs, flags := helpWords(ctx, c, nil)
		for _, s := range subs {
			_, more := helpWords(ctx, c, []string{s})
			flags = append(flags, more...)
		}
		slices.Sort(flags)
		words[c.name] = append(subs, slices.Compact(flags)...)
	}
	return words
}

// subcommandLine is a line of a "commands:" list that names one: two
// spaces, then the word. A description's continuation is indented
// further, and its first word is no subcommand.
var subcommandLine = regexp.MustCompile(`^  [a-z][a-z-]*(\s|$)`)

// helpWords runs c with args and -h, and returns the subcommands listed
// under "commands:" and the flags (as --name) its help shows.
func helpWords(ctx context.Context, c command, args []string) (subs, flags []string) {
	var out bytes.Buffer
	c.run(ctx, append(slices.Clone(args), "-h"), &out, &out)
	inCommands := false
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		switch {
		case line == "commands:":
			inCommands = true
		case len(f) == 0:
			inCommands = false
		case strings.HasPrefix(f[0], "-") && len(f[0]) > 1 && strings.HasPrefix(line, "  -"):
			flags = append(flags, "--"+strings.TrimLeft(f[0], "-"))
		case inCommands && subcommandLine.MatchString(line):
			if !slices.Contains(subs, f[0]) {
				subs = append(subs, f[0])
			}
		}
	}
	return subs, flags
}

func writeBash(w io.Writer, words map[string][]string) {
	fmt.Fprint(w, `# bash completion for cyclecash: source <(cyclecash completion bash)
_cyclecash() {
	local cur=${COMP_WORDS[COMP_CWORD]} words=""
	if [ "$COMP_CWORD" -eq 1 ]; then
`)
	fmt.Fprintf(w, "\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n\t\treturn\n\tfi\n\tcase \"${COMP_WORDS[1]}\" in\n", names()+" help --version")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%s) words=%q ;;\n", c.name, strings.Join(words[c.name], " "))
	}
	fmt.Fprintf(w, "\thelp) words=%q ;;\n\tesac\n", names())
	fmt.Fprint(w, `	COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _cyclecash cyclecash
`)
}

func writeZsh(w io.Writer, words map[string][]string) {
	fmt.Fprint(w, "#compdef cyclecash\n# zsh completion for cyclecash: source <(cyclecash completion zsh)\n_cyclecash() {\n\tlocal -a cmds\n\tcmds=(\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t\t'%s:%s'\n", c.name, zshQuote(c.summary))
	}
	fmt.Fprint(w, "\t)\n\tif (( CURRENT == 2 )); then\n\t\t_describe 'command' cmds\n\t\treturn\n\tfi\n\tcase $words[2] in\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%s) compadd -- %s ;;\n", c.name, strings.Join(words[c.name], " "))
	}
	fmt.Fprintf(w, "\thelp) compadd -- %s ;;\n\tesac\n\t_files\n}\nif (( $+functions[compdef] )); then\n\tcompdef _cyclecash cyclecash\nfi\n", names())
}

func names() string {
	var n []string
	for _, c := range commands() {
		n = append(n, c.name)
	}
	return strings.Join(n, " ")
}

// zshQuote escapes a description for a single-quoted _describe entry.
func zshQuote(s string) string {
	return strings.NewReplacer("'", `'\''`, ":", `\:`).Replace(s)
}
