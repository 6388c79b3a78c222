package main

import (
	"errors"
	"flag"
	"path/filepath"
	"strings"

	"cyclecash/node"
)

// apiFlags find a running node's control API: --api ADDR, or --data DIR
// of a node that recorded its address there. On TCP the API demands the
// token the node wrote to DIR/api.token: --data supplies it, or
// --api-token FILE beside --api.
type apiFlags struct{ api, data, token string }

func (f *apiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.api, "api", "", "control API of your node: unix:PATH or HOST:PORT")
	fs.StringVar(&f.data, "data", "", "data directory of your running node (instead of --api)")
	fs.StringVar(&f.token, "api-token", "", "file holding the control API token (default DIR/api.token with --data)")
}

// client returns a client for the node's API; cmd names the command in
// the error when neither flag was given.
func (f *apiFlags) client(cmd string) (*node.Client, error) {
	if f.api == "" && f.data == "" {
		return nil, errors.New(cmd + ": give --api ADDR or --data DIR")
	}
	if f.api == "" {
		if err := runningNodeDir(cmd, f.data); err != nil {
			return nil, err
		}
	}
	if f.api == "" && f.token == "" {
		return node.ClientOf(f.data)
	}
	addr := f.api
	if addr == "" {
		var err error
		if addr, err = node.APIAddrOf(f.data); err != nil {
			return nil, err
		}
	}
	c := node.NewClient(addr)
	path := f.token
	if path == "" && f.data != "" {
		path = filepath.Join(f.data, "api.token")
	}
	if path == "" || strings.HasPrefix(addr, "unix:") {
		return c, nil // without a token a TCP API answers ErrAPIToken
	}
	tok, err := node.ReadAPIToken(path)
	if err != nil {
		return nil, err
	}
	return c.WithToken(tok), nil
}
