package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"cyclecash/node"
)

// cmdHS is `cyclecash hs address --data DIR NAME`: the `.mesh` address of
// the `[[hidden_service]]` named NAME in DIR/node.toml (or --config). The
// key is created as the node would create it, so the address can be
// handed out before the first start.
func cmdHS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "address" {
		fmt.Fprintln(stderr, "usage: cyclecash hs address --data DIR [--config FILE] NAME")
		return errUsage
	}
	fs := newFlagSet("hs address", stderr)
	data := fs.String("data", "", "data directory (required)")
	config := fs.String("config", "", "config file (default DATA/node.toml)")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if *data == "" || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: cyclecash hs address --data DIR [--config FILE] NAME")
		return errUsage
	}
	path := *config
	if path == "" {
		path = filepath.Join(*data, "node.toml")
	}
	cfg, err := readConfig(path)
	if err != nil {
		return err
	}
	for _, s := range cfg.HiddenServices {
		if s.Name == fs.Arg(0) {
			addr, err := node.HSAddress(*data, s)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, addr)
			return nil
		}
	}
	return errors.New("no [[hidden_service]] named " + fs.Arg(0) + " in " + path)
}
