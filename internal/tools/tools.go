//go:build tools

// Package tools pins modules the project will use before any code imports them.
package tools

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/cretz/bine/tor"
	_ "github.com/decred/dcrd/dcrec/secp256k1/v4"
	_ "github.com/flynn/noise"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/libp2p/go-libp2p"
	_ "github.com/libp2p/go-libp2p-kad-dht"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/tetratelabs/wazero"
	_ "go.etcd.io/bbolt"
	_ "lukechampine.com/adiantum"
)
