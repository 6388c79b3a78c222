package mint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"cyclecash/node/service"
)

// Service is a gateway's ledger as a role service: the open Ledger, its
// operator endpoints on the control API and, when ledger.http is set, the
// listener its Cashu API is served on.
type Service struct {
	*Ledger
	log *slog.Logger
	ln  net.Listener
	srv *http.Server
}

// Start opens the gateway's ledger in h's data directory (creating its
// master secret on the first start), binds ledger.http and registers the
// operator endpoints. Binding here, not in Run, lets a bad address fail
// the start and lets the CLI print the bound port. measured is Ĉ from the
// gateway's capacity meter (Open).
func Start(h service.Host, cfg Config, measured func(time.Time) uint64) (*Service, error) {
	s := &Service{log: h.Logger()}
	if cfg.HTTP != "" {
		var err error
		if s.ln, err = net.Listen("tcp", cfg.HTTP); err != nil {
			return nil, fmt.Errorf("node: ledger.http: %w", err)
		}
	}
	l, err := open(context.Background(), h.DataDir(), cfg, true, measured, mintURL(s.ln))
	if err != nil {
		if s.ln != nil {
			s.ln.Close()
		}
		return nil, err
	}
	s.Ledger = l
	s.routes(h)
	h.Report(service.FiguresLedger, func(ctx context.Context) any { return l.figures(ctx) })
	return s, nil
}

// mintURL is the Cashu API's URL for the change tokens, from the bound
// ledger.http address: "" with no listener, or one on a wildcard address
// (0.0.0.0 names no host a wallet could reach).
func mintURL(ln net.Listener) string {
	if ln == nil {
		return ""
	}
	a, ok := ln.Addr().(*net.TCPAddr)
	if !ok || a.IP.IsUnspecified() {
		return ""
	}
	return "http://" + a.String()
}

// Addr is the bound ledger HTTP address, or "".
func (s *Service) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Run serves the Cashu API on the bound listener until ctx ends, then
// lets requests in flight finish.
func (s *Service) Run(ctx context.Context) {
	if s.ln == nil {
		return
	}
	log := s.log
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	log.Info("ledger API serving on its loopback listener")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("ledger API stopped", "err", err)
		}
	}()
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Warn("ledger API shutdown", "err", err)
	}
	<-done
}

// Close releases the listener (if never served) and the store.
func (s *Service) Close() error {
	var err error
	if s.ln != nil {
		if err = s.ln.Close(); errors.Is(err, net.ErrClosed) {
			err = nil
		}
	}
	return errors.Join(err, s.Ledger.Close())
}
