package socks

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"
)

// DialFunc opens a stream to port of a `.mesh` name (lower case, without a
// trailing dot). The context carries the client's Isolation; errors wrapping
// ErrRefused, ErrUnreachable or ErrNotAllowed pick the reply code.
type DialFunc func(ctx context.Context, name string, port uint16) (net.Conn, error)

// Server is a SOCKS5 server. Dial is required; zero durations take defaults.
type Server struct {
	Dial DialFunc
	// HandshakeTimeout bounds the client's negotiation and request
	// (default 10 s); DialTimeout bounds Dial (default 2 min).
	HandshakeTimeout, DialTimeout time.Duration
	// Logger receives debug lines without names or addresses; nil: silent.
	Logger *slog.Logger
}

// Serve accepts clients on ln until ctx ends or ln fails, then closes ln
// and every client connection and waits for their handlers. A listener that
// is not on a loopback address is refused.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := checkLoopback(ln); err != nil {
		return err
	}
	if s.Dial == nil {
		return errors.New("socks: Server.Dial is nil")
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	go func() { <-ctx.Done(); ln.Close() }()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			stop := context.AfterFunc(ctx, func() { c.Close() })
			defer stop()
			s.handle(ctx, c)
		}()
	}
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func dur(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (s *Server) handle(ctx context.Context, c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(dur(s.HandshakeTimeout, 10*time.Second)))
	r := bufio.NewReader(c)
	iso, err := negotiate(r, c)
	if err != nil {
		s.logger().Debug("socks: negotiation failed", "err", err)
		return
	}
	req, err := ReadRequest(r)
	if code := check(req, err); code != RepSucceeded {
		s.logger().Debug("socks: request refused", "reply", code)
		c.Write(reply(code))
		return
	}
	// Building circuits may outlast the handshake deadline; Dial has its own.
	c.SetDeadline(time.Time{})
	dctx, cancel := context.WithTimeout(withIsolation(ctx, iso), dur(s.DialTimeout, 2*time.Minute))
	up, err := s.Dial(dctx, meshName(req.Name), req.Port)
	cancel()
	if err != nil {
		s.logger().Debug("socks: dial failed", "reply", dialReply(err))
		c.Write(reply(dialReply(err)))
		return
	}
	defer up.Close()
	// On shutdown close the upstream too: a service that neither writes nor
	// closes would otherwise hold this handler, and Serve, forever.
	stop := context.AfterFunc(ctx, func() { up.Close() })
	defer stop()
	if _, err := c.Write(reply(RepSucceeded)); err != nil {
		return
	}
	relay(c, r, up)
}

// check returns the reply code a request earns before any dial.
func check(req Request, err error) byte {
	switch {
	case errors.Is(err, ErrAddrType):
		return RepAtypNotSupported
	case err != nil:
		return RepGeneralFailure
	case req.Cmd != CmdConnect:
		return RepCmdNotSupported
	case req.Atyp != AtypDomain || !IsMeshName(req.Name):
		return RepNotAllowed
	}
	return RepSucceeded
}

// IsMeshName reports whether name is a syntactically plain host name ending
// in ".mesh" (ASCII case-insensitive, one trailing dot allowed). It decides
// what may be dialled; nothing else is ever looked up. Non-ASCII bytes are
// refused before case folding, since Unicode folding maps U+212A KELVIN SIGN
// to 'k' and would let a look-alike name through as the ASCII one.
func IsMeshName(name string) bool {
	for i := range len(name) {
		if name[i] >= 0x80 {
			return false
		}
	}
	n := meshName(name)
	label, ok := strings.CutSuffix(n, ".mesh")
	if !ok || label == "" || len(n) > 253 {
		return false
	}
	for _, l := range strings.Split(label, ".") {
		if l == "" || len(l) > 63 || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return true
}

func meshName(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}

func dialReply(err error) byte {
	switch {
	case errors.Is(err, ErrRefused):
		return RepRefused
	case errors.Is(err, ErrNotAllowed):
		return RepNotAllowed
	case errors.Is(err, context.DeadlineExceeded):
		return RepTTLExpired
	}
	return RepHostUnreachable
}

// relay copies both ways until both directions end, half-closing where the
// connection supports it. r holds bytes the client sent after its request.
func relay(c net.Conn, r io.Reader, up net.Conn) {
	done := make(chan struct{})
	go func() {
		io.Copy(up, r)
		closeWrite(up)
		close(done)
	}()
	io.Copy(c, up)
	closeWrite(c)
	<-done
	up.Close()
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.Close()
}
