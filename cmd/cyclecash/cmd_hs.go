package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"cyclecash/node"
)

const hsUsage = `usage: cyclecash hs --data DIR <command>

commands:
  address NAME                    the .mesh address of the [[hidden_service]] named NAME
                                  (its key is created if the node has not yet)
  connect ADDRESS.mesh[:PORT]     pipe stdin and stdout through the running node's
                                  SOCKS5 proxy to a hidden service (like nc)

flags:`

// cmdHS is `cyclecash hs address --data DIR NAME`: the `.mesh` address of
// the `[[hidden_service]]` named NAME in DIR/node.toml (or --config). The
// key is created as the node would create it, so the address can be
// handed out before the first start. `hs connect` is cmdHSConnect.
func cmdHS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("hs", stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, hsUsage); fs.PrintDefaults() }
	data := fs.String("data", "", "data directory (required)")
	config := fs.String("config", "", "config file (default DATA/node.toml)")
	socks := fs.String("socks", "", "hs connect: the node's SOCKS5 proxy (default: where the node running in --data says, else the config's socks)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || (pos[0] != "address" && pos[0] != "connect") {
		return usageErrorf("hs", "hs: want 'hs address NAME' or 'hs connect ADDRESS.mesh[:PORT]'")
	}
	if *data == "" && !(pos[0] == "connect" && (*socks != "" || *config != "")) {
		return usageErrorf("hs", "hs: --data DIR is required")
	}
	if pos[0] == "connect" {
		return cmdHSConnect(ctx, *data, *config, *socks, pos[1], stdout)
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
		if s.Name == pos[1] {
			addr, err := node.HSAddress(*data, s)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, addr)
			return nil
		}
	}
	return errors.New("no [[hidden_service]] named " + pos[1] + " in " + path)
}
