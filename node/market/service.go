package market

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cyclecash/market"
	"cyclecash/market/boltstore"
	"cyclecash/market/pgstore"
	"cyclecash/node/service"
	"cyclecash/node/work"
)

// Files in the data directory.
const (
	StoreFile  = "market.db"              // the bbolt store
	SecretFile = "market-operator.secret" // the operator view's secret, 0600
)

// mintTimeout bounds one request to the mint through a circuit; the
// market's ClaimGrace (2 minutes) exceeds it, as market.Config requires.
const mintTimeout = 45 * time.Second

// Service is the market role: the site on its loopback listener, the
// sweeps, and the operator endpoints on the control API.
type Service struct {
	m     *market.Market
	st    market.Store
	ln    net.Listener
	log   *slog.Logger
	every time.Duration
}

// Start opens the store, binds cfg.Listen (loopback only) and registers
// the operator endpoints; the mint is reached through circuits to a
// gateway, dialled on first use.
func Start(h service.Host, cfg Config) (*Service, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	secret, err := operatorSecret(h.DataDir())
	if err != nil {
		return nil, err
	}
	st, err := openStore(h.DataDir(), cfg)
	if err != nil {
		return nil, err
	}
	wc := work.NewClient(work.CircuitDial(h), 4)
	hc := *wc.HTTP()
	hc.Timeout = mintTimeout
	m, err := market.New(context.Background(), market.Config{Store: st,
		Mint:    &market.HTTPMint{BaseURL: wc.LedgerURL(), Client: &hc},
		MintURL: wc.LedgerURL(), OperatorSecret: secret, EscrowTimeout: cfg.EscrowTimeout})
	if err != nil {
		st.Close()
		return nil, err
	}
	var ln net.Listener
	if cfg.Listen != ListenOff { // off: only a hidden service's "role:market" port serves the site
		if ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			st.Close()
			return nil, fmt.Errorf("node: market.listen: %w", err)
		}
	}
	s := &Service{m: m, st: st, ln: ln, log: h.Logger().With("sys", "market"), every: cfg.SweepEvery}
	s.routes(h)
	h.Report(service.FiguresMarket, s.figures)
	return s, nil
}

func openStore(dir string, cfg Config) (market.Store, error) {
	if cfg.Store == StorePostgres {
		return pgstore.Open(context.Background(), cfg.Postgres, pgstore.Options{})
	}
	return boltstore.Open(filepath.Join(dir, StoreFile))
}

// operatorSecret loads the operator secret, creating it on first start.
func operatorSecret(dir string) (string, error) {
	path := filepath.Join(dir, SecretFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		raw := make([]byte, 24)
		if _, err := rand.Read(raw); err != nil {
			return "", err
		}
		s := hex.EncodeToString(raw)
		return s, service.WriteFileAtomic(path, []byte(s+"\n"), 0o600)
	}
	if err != nil {
		return "", fmt.Errorf("node: market: %w", err)
	}
	if err := service.CheckSecretMode(path); err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// Addr is the bound listen address; "" with listen = "off".
func (s *Service) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Market is the running market, for tests and the demo.
func (s *Service) Market() *market.Market { return s.m }

// Run serves the site and sweeps until ctx ends.
func (s *Service) Run(ctx context.Context) {
	srv := &http.Server{Handler: s.m, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if s.ln == nil {
			return
		}
		if err := srv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("market stopped", "err", err)
		}
	}()
	if s.ln != nil {
		s.log.Info("market serving on its loopback listener")
	}
	s.m.Run(ctx, s.every)
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	<-done
}

// Close releases the listener (if never served) and the store.
func (s *Service) Close() error {
	var err error
	if s.ln != nil {
		err = s.ln.Close()
	}
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return errors.Join(err, s.st.Close())
}
