package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"cyclecash/ledger/wallet"
)

// walletCmd is one `cyclecash wallet` subcommand; args are its positional
// arguments, after the flags.
type walletCmd struct {
	name, args, summary string
	nargs               int
	run                 func(ctx context.Context, f *walletFlags, args []string, stdout, stderr io.Writer) error
}

func walletCommands() []walletCmd {
	return []walletCmd{
		{"buy", "--amount N", "ask the gateway for N units; prints the quote ID to have paid", 0, walletBuy},
		{"mint", "QUOTE", "take the units of a paid quote into the wallet", 1, walletMint},
		{"balance", "", "print the units held", 0, walletBalance},
		{"send", "N", "take N units out as a cashuB token, printed", 1, walletSend},
		{"receive", "TOKEN", "check a token's DLEQ proofs, then swap it into the wallet", 1, walletReceive},
		{"status", "TOKEN|Y", "ask the gateway whether a token (or one Y) is spent", 1, walletStatus},
		{"restore", "[--seed-file FILE]", "find the wallet's unspent units at the gateway from its seed", 0, walletRestore},
		{"seed", "", "print the wallet's seed (hex) for a backup; keep it secret", 0, walletSeed},
	}
}

// walletFlags are accepted before and after the subcommand.
type walletFlags struct {
	dir, gateway, seedFile, memo string
	amount                       uint64
}

func (f *walletFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "dir", f.dir, "wallet directory (required)")
	fs.StringVar(&f.gateway, "gateway", f.gateway, "gateway ledger URL, e.g. http://127.0.0.1:3338 (remembered after first use)")
}

func walletUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: cyclecash wallet --dir WDIR [--gateway URL] <command> [args]\n\ncommands:")
	for _, c := range walletCommands() {
		fmt.Fprintf(w, "  %-8s %-19s %s\n", c.name, c.args, c.summary)
	}
}

// cmdWallet is the e-cash wallet: one directory, one gateway.
func cmdWallet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f walletFlags
	fs := newFlagSet("wallet", stderr)
	f.register(fs)
	fs.Usage = func() { walletUsage(fs.Output()); fmt.Fprintln(fs.Output(), "\nflags:"); fs.PrintDefaults() }
	if err := parseHead(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("wallet", "wallet: name a command: %s", walletNames())
	}
	for _, c := range walletCommands() {
		if c.name == fs.Arg(0) {
			return runWalletCmd(ctx, c, &f, fs.Args()[1:], stdout, stderr)
		}
	}
	return usageErrorf("wallet", "wallet: unknown command %q (want %s)", fs.Arg(0), walletNames())
}

func walletNames() string {
	var n []string
	for _, c := range walletCommands() {
		n = append(n, c.name)
	}
	return strings.Join(n, ", ")
}

func runWalletCmd(ctx context.Context, c walletCmd, f *walletFlags, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("wallet "+c.name, stderr)
	f.register(fs)
	switch c.name {
	case "buy":
		fs.Uint64Var(&f.amount, "amount", 0, "units to buy (required)")
	case "send":
		fs.StringVar(&f.memo, "memo", "", "a note carried in the token")
	case "restore":
		fs.StringVar(&f.seedFile, "seed-file", "", "create the wallet from the hex seed in FILE (- for stdin)")
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: cyclecash wallet %s %s --dir WDIR [flags]\n\n%s\n\nflags:\n", c.name, c.args, c.summary)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != c.nargs {
		return usageErrorf("wallet "+c.name, "wallet %s: want %d arguments (%s), got %d", c.name, c.nargs, strings.TrimSpace("usage: cyclecash wallet "+c.name+" "+c.args), len(pos))
	}
	return c.run(ctx, f, pos, stdout, stderr)
}

// walletHTTP is the client every wallet command uses.
var walletHTTP = &http.Client{Timeout: time.Minute}

// openWallet opens the wallet in --dir, creating it when --gateway is
// given for a directory without one. A wallet is bound to its gateway: a
// different --gateway is refused rather than silently switched.
func openWallet(f *walletFlags, stderr io.Writer) (*wallet.Wallet, error) {
	if f.dir == "" {
		return nil, errors.New("wallet: --dir WDIR is required")
	}
	gw, err := gatewayURL(f.gateway)
	if err != nil {
		return nil, err
	}
	w, err := wallet.Open(f.dir, walletHTTP)
	if errors.Is(err, wallet.ErrNoWallet) {
		if gw == "" {
			return nil, fmt.Errorf("wallet: no wallet in %s; give --gateway URL to create one", f.dir)
		}
		if w, err = wallet.Create(f.dir, gw, walletHTTP, nil); err == nil {
			fmt.Fprintf(stderr, "created a wallet in %s; back up its seed with 'cyclecash wallet --dir %s seed'\n", f.dir, f.dir)
		}
		return w, err
	}
	if err != nil {
		return nil, err
	}
	if gw != "" && gw != w.Gateway() {
		return nil, fmt.Errorf("wallet: %s belongs to gateway %s, not %s", f.dir, w.Gateway(), gw)
	}
	return w, nil
}

// gatewayURL checks a --gateway value and returns it without a trailing slash.
func gatewayURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("wallet: --gateway: %q is not an http:// or https:// URL", s)
	}
	return strings.TrimRight(s, "/"), nil
}
