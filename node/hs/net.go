package hs

import (
	"context"
	"net"

	"cyclecash/onion/hs"
)

// Net is what the hidden-service role needs of the node: circuits whose
// last hop is a chosen relay, carrying hidden-service messages, and the
// directory front reached through a circuit.
type Net interface {
	// Circuit builds a fresh circuit ending at relay (peer ID bytes), or at
	// a random relay when relay is nil, able to carry hidden-service cells.
	Circuit(ctx context.Context, relay []byte) (Circuit, error)
	// DirPut stores a descriptor under idx through a circuit to a relay's
	// directory front; DirGet fetches the value under idx the same way.
	DirPut(ctx context.Context, idx hs.Index, value []byte) error
	DirGet(ctx context.Context, idx hs.Index) ([]byte, error)
}

// Circuit is one circuit's hidden-service endpoint at its last hop.
type Circuit interface {
	// LastHop is the relay the circuit ends at and its onion key.
	LastHop() (relay []byte, onionKey [32]byte)
	Send(cmd hs.Command, data []byte) error
	// Recv returns the next message from the last hop.
	Recv(ctx context.Context) (hs.Command, []byte, error)
	Done() <-chan struct{}
	Close() error
}

// DialFunc connects to port of a `.mesh` address (the SOCKS5 proxy's dial).
type DialFunc func(ctx context.Context, address string, port uint16) (net.Conn, error)
