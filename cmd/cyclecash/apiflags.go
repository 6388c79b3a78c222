package main

import (
	"errors"
	"flag"

	"cyclecash/node"
)

// apiFlags find a running node's control API: --api ADDR, or --data DIR
// of a node that recorded its address there.
type apiFlags struct{ api, data string }

func (f *apiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.api, "api", "", "control API of your node: unix:PATH or HOST:PORT")
	fs.StringVar(&f.data, "data", "", "data directory of your running node (instead of --api)")
}

// client returns a client for the node's API; cmd names the command in
// the error when neither flag was given.
func (f *apiFlags) client(cmd string) (*node.Client, error) {
	addr := f.api
	if addr == "" && f.data != "" {
		var err error
		if addr, err = node.APIAddrOf(f.data); err != nil {
			return nil, err
		}
	}
	if addr == "" {
		return nil, errors.New(cmd + ": give --api ADDR or --data DIR")
	}
	return node.NewClient(addr), nil
}
