// Package work is the work protocol between a gateway and its workers and
// buyers: the wire types, the endpoints, the [compute] configuration
// section, the client, and the wire error codes (errors.go), decoded back
// into this package's sentinels on the client side.
//
// Invariants: a request or answer body is bounded (MaxBody, maxAnswer);
// a connection's addresses are opaque, so the gateway never learns or
// records where a worker is; a refusal crosses the wire as a code from one
// table, never as free text the client would have to parse.
package work
