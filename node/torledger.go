package node

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"cyclecash/overlay/tor"
)

// The gateway's Cashu API as an onion service (tor.ledger_onion). Every
// Tor client reaches a plain onion service from loopback, so the API's
// per-client quote limit would be one bucket for all of Tor: one user
// could exhaust it for every other. Here tor tags each connection with
// its circuit (HiddenServiceExportCircuitID haproxy), a listener of its
// own reads the tag (tor.ListenCircuits) and the API sees each circuit
// as its own client. The listener accepts nothing without a tag, so it is
// never the ledger.http listener that wallets on the host use.

// ledgerOnionName is the onion service of tor.ledger_onion; its key
// lives in DATA/tor/tor/hs/cashu.
const ledgerOnionName = "cashu"

// ledgerOnionPort is its virtual port (Tor Browser: http://<id>.onion/).
const ledgerOnionPort = 80

// ledgerOnion is the loopback server tor forwards the service to.
type ledgerOnion struct {
	ln  *tor.CircuitListener
	srv *http.Server
}

// serveLedgerOnion binds 127.0.0.1:0 and serves h there to tagged
// connections until close.
func serveLedgerOnion(h http.Handler, log *slog.Logger) (*ledgerOnion, error) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	lo := &ledgerOnion{ln: tor.ListenCircuits(inner), srv: &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}}
	go func() {
		if err := lo.srv.Serve(lo.ln); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			log.Error("ledger onion server stopped", "err", err)
		}
	}()
	return lo, nil
}

// target is the loopback address tor forwards to.
func (lo *ledgerOnion) target() string { return lo.ln.Addr().String() }

func (lo *ledgerOnion) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = lo.srv.Shutdown(ctx)
	lo.ln.Close()
}

// publishLedger publishes the ledger onion on t (tor.ledger_onion).
func (b *torBridge) publishLedger(ctx context.Context, t *tor.Tor) {
	if b.ledger == nil {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	o, err := t.PublishCircuits(pctx, ledgerOnionName, ledgerOnionPort, b.ledger.target())
	b.noteOnion(ledgerOnionName, o, err)
}
