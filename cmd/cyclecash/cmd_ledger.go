package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"cyclecash/ledger"
	"cyclecash/node"
)

// ledgerFlags map onto node.LedgerConfig (config table [ledger]).
type ledgerFlags struct {
	http, store, postgres string
	capacity              uint64
}

func (f *ledgerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.http, "ledger-http", "", "gateway: serve the Cashu API on HOST:PORT (config key ledger.http)")
	f.registerStore(fs)
}

// registerStore registers the flags that say where the ledger is.
func (f *ledgerFlags) registerStore(fs *flag.FlagSet) {
	fs.StringVar(&f.store, "ledger-store", "", "gateway: bolt|postgres (config key ledger.store)")
	fs.StringVar(&f.postgres, "ledger-postgres", "", "gateway: PostgreSQL DSN (config key ledger.postgres)")
	fs.Uint64Var(&f.capacity, "ledger-capacity", 0, "gateway: projected 30-day capacity in units (config key ledger.capacity)")
}

// apply copies the flags that were set onto c.
func (f *ledgerFlags) apply(fs *flag.FlagSet, c *node.LedgerConfig) {
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "ledger-http":
			c.HTTP = f.http
		case "ledger-store":
			c.Store = f.store
		case "ledger-postgres":
			c.Postgres = f.postgres
		case "ledger-capacity":
			c.Capacity = f.capacity
		}
	})
}

const ledgerUsage = `usage: cyclecash ledger --data DIR [flags] <command>

commands:
  quote pay ID   record a cash sale: quote ID becomes PAID and can be minted
  report         per keyset issued, spent and outstanding units; today's cap
  keysets        the keysets whose units are accepted now
  owed           open workers' statements with units owed (running gateway)
  payout ID WORKER UNITS
                 record a cash payout of UNITS to WORKER under payment ID
                 (a bank reference): recorded once, never above what is owed

A running gateway is asked through its control API; when none runs, the
ledger in DIR (or the configured PostgreSQL database) is opened directly.

flags:`

// cmdLedger is the gateway operator's tool.
func cmdLedger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ledger", stderr)
	var op operator
	fs.StringVar(&op.data, "data", "", "the gateway's data directory (required)")
	fs.StringVar(&op.config, "config", "", "config file (default DATA/node.toml when it exists)")
	asJSON := fs.Bool("json", false, "print JSON")
	op.flags.registerStore(fs)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), ledgerUsage); fs.PrintDefaults() }
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if op.data == "" {
		return usageErrorf("ledger", "ledger: --data DIR is required (the gateway's data directory)")
	}
	op.fs, op.stderr = fs, stderr
	var v any
	switch {
	case len(rest) == 3 && rest[0] == "quote" && rest[1] == "pay":
		v, err = op.payQuote(ctx, rest[2])
	case len(rest) == 1 && rest[0] == "report":
		v, err = op.report(ctx)
	case len(rest) == 1 && rest[0] == "keysets":
		v, err = op.keysets(ctx)
	case len(rest) == 1 && rest[0] == "owed":
		var due []statement
		err = controlCall(ctx, "ledger", op.data, http.MethodGet, "/v1/gateway/owed", nil, &due)
		v = due
	case len(rest) == 4 && rest[0] == "payout":
		v, err = op.payout(ctx, rest[1], rest[2], rest[3])
	default:
		return usageErrorf("ledger", "ledger: want one of: quote pay ID, report, keysets (got %q)", strings.Join(rest, " "))
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	switch v := v.(type) {
	case statement:
		printStatement(stdout, v)
	case []statement:
		for _, st := range v {
			printStatement(stdout, st)
		}
	default:
		printLedger(stdout, v)
	}
	return nil
}

// operator reaches a gateway's ledger: through the running node's control
// API, or directly when no node runs.
type operator struct {
	data, config string
	flags        ledgerFlags
	fs           *flag.FlagSet
	stderr       io.Writer
}

func (o *operator) payQuote(ctx context.Context, id string) (q ledger.Quote, err error) {
	err = o.do(ctx,
		func(c *node.Client) (err error) { q, err = c.PayQuote(ctx, id); return err },
		func(l *node.Ledger) (err error) { q, err = l.PayQuote(ctx, id); return err })
	return q, err
}

// payout records a cash payment to an open worker at the running gateway.
func (o *operator) payout(ctx context.Context, id, worker, units string) (st statement, err error) {
	n, err := strconv.ParseUint(units, 10, 64)
	if err != nil || n == 0 {
		return st, fmt.Errorf("ledger: payout: units %q is not a positive number", units)
	}
	p := cashPayout{ID: id, Worker: worker, Units: n}
	return st, controlCall(ctx, "ledger", o.data, http.MethodPost, "/v1/gateway/payout", p, &st)
}

func (o *operator) report(ctx context.Context) (r node.LedgerReport, err error) {
	err = o.do(ctx,
		func(c *node.Client) (err error) { r, err = c.LedgerReport(ctx); return err },
		func(l *node.Ledger) (err error) { r, err = l.Report(ctx); return err })
	return r, err
}

func (o *operator) keysets(ctx context.Context) (ks []node.KeysetInfo, err error) {
	err = o.do(ctx,
		func(c *node.Client) (err error) { ks, err = c.LedgerKeysets(ctx); return err },
		func(l *node.Ledger) (err error) { ks, err = l.Keysets(); return err })
	return ks, err
}

// do runs viaAPI against the node recorded in the data directory, and
// direct against the opened ledger when that node does not answer.
func (o *operator) do(ctx context.Context, viaAPI func(*node.Client) error, direct func(*node.Ledger) error) error {
	if c, err := node.ClientOf(o.data); err == nil {
		if err := viaAPI(c); !errors.Is(err, node.ErrNodeNotRunning) {
			return err
		}
	}
	cfg, err := o.nodeConfig()
	if err != nil {
		return err
	}
	l, err := node.OpenLedger(ctx, cfg, false)
	if err != nil {
		return err
	}
	if cfg.Ledger.Capacity == 0 {
		fmt.Fprintln(o.stderr, "note: no gateway answered and ledger.capacity is 0 here (no node.toml key, no --ledger-capacity): nothing can be issued")
	}
	return errors.Join(direct(l), l.Close())
}

// nodeConfig reads the gateway's config file, if any, under the flags.
func (o *operator) nodeConfig() (node.Config, error) {
	path := o.config
	if path == "" {
		if p := filepath.Join(o.data, "node.toml"); fileExists(p) {
			path = p
		}
	}
	var cfg node.Config
	if path != "" {
		var err error
		if cfg, err = readConfig(path); err != nil {
			return cfg, err
		}
	}
	cfg.DataDir = o.data
	o.flags.apply(o.fs, &cfg.Ledger)
	return cfg, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
