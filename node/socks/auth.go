package socks

// Method negotiation (RFC 1928 §3) and username/password (RFC 1929). The
// credentials are never checked: they name an isolation group.

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"
)

// Isolation names a group of streams that may share circuits. The zero
// value is the group of clients that sent no credentials. It is a hash, so
// the node never holds a client's password.
type Isolation [32]byte

type isolationKey struct{}

// IsolationFrom returns the isolation group of a dial's context.
func IsolationFrom(ctx context.Context) Isolation {
	iso, _ := ctx.Value(isolationKey{}).(Isolation)
	return iso
}

func withIsolation(ctx context.Context, iso Isolation) context.Context {
	return context.WithValue(ctx, isolationKey{}, iso)
}

// negotiate runs the greeting and, if chosen, the username/password
// sub-negotiation; it returns the client's isolation group. Like Tor, it
// prefers username/password when offered, since only that isolates.
func negotiate(r *bufio.Reader, w io.Writer) (Isolation, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil || h[0] != version5 || h[1] == 0 {
		return Isolation{}, fmt.Errorf("%w: greeting", ErrMalformed)
	}
	methods := make([]byte, h[1])
	if _, err := io.ReadFull(r, methods); err != nil {
		return Isolation{}, fmt.Errorf("%w: methods", ErrMalformed)
	}
	switch {
	case slices.Contains(methods, methodUserPass):
		if _, err := w.Write([]byte{version5, methodUserPass}); err != nil {
			return Isolation{}, err
		}
		return userPass(r, w)
	case slices.Contains(methods, methodNone):
		_, err := w.Write([]byte{version5, methodNone})
		return Isolation{}, err
	}
	w.Write([]byte{version5, methodNoAcceptable})
	return Isolation{}, fmt.Errorf("%w: no acceptable method", ErrMalformed)
}

func userPass(r *bufio.Reader, w io.Writer) (Isolation, error) {
	v, err := r.ReadByte()
	if err != nil || v != authVer {
		return Isolation{}, fmt.Errorf("%w: auth version", ErrMalformed)
	}
	user, err := readString(r)
	if err != nil {
		return Isolation{}, fmt.Errorf("%w: username", ErrMalformed)
	}
	pass, err := readString(r)
	if err != nil {
		return Isolation{}, fmt.Errorf("%w: password", ErrMalformed)
	}
	if _, err := w.Write([]byte{authVer, 0}); err != nil {
		return Isolation{}, err
	}
	return isolationOf(user, pass), nil
}

func isolationOf(user, pass string) Isolation {
	h := sha256.New()
	h.Write([]byte("cyclecash socks isolation v1"))
	h.Write([]byte{byte(len(user))})
	h.Write([]byte(user))
	h.Write([]byte{byte(len(pass))})
	h.Write([]byte(pass))
	return Isolation(h.Sum(nil))
}
