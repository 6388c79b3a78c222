package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"cyclecash/ledger/wallet"
)

// The wallet subcommands. Each prints its result on stdout (a quote ID, an
// amount, a token, states) and hints for the user on stderr.

func walletBuy(ctx context.Context, f *walletFlags, _ []string, stdout, stderr io.Writer) error {
	if f.amount == 0 {
		return errors.New("wallet: buy: --amount N is required")
	}
	w, err := openWallet(f, stderr)
	if err != nil {
		return err
	}
	q, err := w.Buy(ctx, f.amount)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, q.ID)
	fmt.Fprintf(stderr, "quote for %d %s: once the gateway's operator records the payment, run 'cyclecash wallet --dir %s mint %s'\n",
		q.Amount, q.Unit, f.dir, q.ID)
	return nil
}

func walletMint(ctx context.Context, f *walletFlags, args []string, stdout, stderr io.Writer) error {
	w, err := openWallet(f, stderr)
	if err != nil {
		return err
	}
	n, err := w.Mint(ctx, args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "minted %d\n", n)
	return nil
}

func walletBalance(ctx context.Context, f *walletFlags, _ []string, stdout, stderr io.Writer) error {
	w, err := openWallet(f, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, w.Balance())
	return nil
}

func walletSend(ctx context.Context, f *walletFlags, args []string, stdout, stderr io.Writer) error {
	n, err := strconv.ParseUint(args[0], 10, 64)
	if err != nil || n == 0 {
		return fmt.Errorf("wallet: send: %q is not a positive whole number of units", args[0])
	}
	w, err := openWallet(f, stderr)
	if err != nil {
		return err
	}
	tok, err := w.Send(ctx, n, f.memo)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

func walletReceive(ctx context.Context, f *walletFlags, args []string, stdout, stderr io.Writer) error {
	w, err := openWallet(f, stderr)
	if err != nil {
		return err
	}
	n, err := w.Receive(ctx, strings.TrimSpace(args[0]))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "received %d\n", n)
	return nil
}

func walletStatus(ctx context.Context, f *walletFlags, args []string, stdout, stderr io.Writer) error {
	w, err := openWallet(f, stderr)
	if err != nil {
		return err
	}
	states, err := w.Status(ctx, strings.TrimSpace(args[0]))
	if err != nil {
		return err
	}
	for _, s := range states {
		fmt.Fprintf(stdout, "%s %s\n", s.Y, s.State)
	}
	return nil
}

// walletRestore re-finds the wallet's unspent units from its seed; with
// --seed-file it first recreates a lost wallet from a backed-up seed.
func walletRestore(ctx context.Context, f *walletFlags, _ []string, stdout, stderr io.Writer) error {
	if f.seedFile != "" {
		if err := createFromSeed(f); err != nil {
			return err
		}
	}
	w, err := openWallet(f, stderr)
	if err != nil {
		return err
	}
	n, err := w.Restore(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %d\nbalance %d\n", n, w.Balance())
	return nil
}

func createFromSeed(f *walletFlags) error {
	if f.dir == "" {
		return errors.New("wallet: --dir WDIR is required")
	}
	gw, err := gatewayURL(f.gateway)
	if err != nil || gw == "" {
		return errors.Join(err, errors.New("wallet: restore: --gateway URL is required with --seed-file"))
	}
	var b []byte
	if f.seedFile == "-" {
		b, err = io.ReadAll(io.LimitReader(os.Stdin, 1<<10))
	} else {
		b, err = os.ReadFile(f.seedFile)
	}
	if err != nil {
		return fmt.Errorf("wallet: restore: %w", err)
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) < 32 {
		return errors.New("wallet: restore: the seed file does not hold a hex seed of at least 32 bytes")
	}
	_, err = wallet.CreateWithSeed(f.dir, gw, walletHTTP, seed)
	return err
}

func walletSeed(ctx context.Context, f *walletFlags, _ []string, stdout, stderr io.Writer) error {
	w, err := openWallet(f, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, hex.EncodeToString(w.Seed()))
	return nil
}
