package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"cyclecash/overlay"
)

// ledgerService is a gateway's ledger and, when ledger.http is set, the
// listener its Cashu API is served on. Its methods accept a nil receiver
// (a node that is not a gateway), so Node's lifecycle calls them blindly.
type ledgerService struct {
	*Ledger
	ln  net.Listener
	srv *http.Server
}

// startLedger opens the ledger of a gateway and binds ledger.http; for
// other roles it returns nil. Binding here, not in Run, lets a bad address
// fail the start and lets the CLI print the bound port.
func startLedger(cfg Config, roles overlay.Role) (*ledgerService, error) {
	if roles&overlay.RoleGateway == 0 {
		return nil, nil
	}
	l, err := OpenLedger(context.Background(), cfg, true)
	if err != nil {
		return nil, err
	}
	s := &ledgerService{Ledger: l}
	if cfg.Ledger.HTTP == "" {
		return s, nil
	}
	if s.ln, err = net.Listen("tcp", cfg.Ledger.HTTP); err != nil {
		l.Close()
		return nil, fmt.Errorf("node: ledger.http: %w", err)
	}
	return s, nil
}

// addr is the bound ledger HTTP address, or "".
func (s *ledgerService) addr() string {
	if s == nil || s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// serve starts serving the Cashu API on the bound listener.
func (s *ledgerService) serve(log *slog.Logger) {
	if s == nil || s.ln == nil {
		return
	}
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	log.Info("ledger API serving", "http", s.addr())
	go func() {
		if err := s.srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("ledger API stopped", "err", err)
		}
	}()
}

// shutdown lets requests in flight finish.
func (s *ledgerService) shutdown(ctx context.Context) error {
	if s == nil || s.srv == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}

// close releases the listener (if never served) and the store.
func (s *ledgerService) close() error {
	if s == nil {
		return nil
	}
	var err error
	if s.ln != nil {
		err = ignoreClosed(s.ln.Close())
	}
	return errors.Join(err, s.Ledger.Close())
}

// LedgerAddr is the address the Cashu API is served on over HTTP, or ""
// when the node serves none.
func (n *Node) LedgerAddr() string { return n.ledger.addr() }
