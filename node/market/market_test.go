package market

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/mintapi"
	lstoretest "cyclecash/ledger/storetest"
	"cyclecash/market"
	"cyclecash/node/service"
	"cyclecash/node/service/servicetest"
	"cyclecash/node/work"
)

// gatewayHost is an in-memory gateway serving a real mint's Cashu API on
// its work service, on circuits and direct streams alike, so the test
// sees which way the market came.
func gatewayHost(t *testing.T, sn *servicetest.Net) (*servicetest.Host, *lstoretest.Fixture) {
	fix := lstoretest.NewFixture(t, ledger.NewMemStore())
	gw := sn.NewHost("gw", "gateway", t.TempDir())
	ln := work.NewListener()
	gw.HandleCircuit(work.Service, ln.Put)
	gw.HandleDirect(work.Protocol, ln.Put)
	mux := http.NewServeMux()
	mux.Handle(work.LedgerPath+"/", http.StripPrefix(work.LedgerPath, mintapi.New(fix.Mint, mintapi.Options{})))
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return gw, fix
}

// shop is a market service on an in-memory host beside a gateway, with a
// seller's listing of one item at 3 units and a buyer's account.
type shop struct {
	gw, h   *servicetest.Host
	fix     *lstoretest.Fixture
	m       *market.Market
	buyer   market.NewAccount
	listing market.Listing
}

func newShop(t *testing.T) *shop {
	sn := &servicetest.Net{}
	gw, fix := gatewayHost(t, sn)
	h := sn.NewHost("mk", "market", t.TempDir())
	s, err := Start(h, Config{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	m := s.Market()
	seller, _ := m.CreateAccount(ctx)
	buyer, _ := m.CreateAccount(ctx)
	l, err := m.CreateListing(ctx, seller.Key, market.ListingInput{Title: "thing", Description: "a thing", Category: "compute", Price: 3, Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	return &shop{gw: gw, h: h, fix: fix, m: m, buyer: buyer, listing: l}
}

// TestMarketReachesMintByCircuit: the attacker is the gateway, which
// would learn the market's peer ID from a direct stream. A purchase is
// claimed at the mint through circuits only.
func TestMarketReachesMintByCircuit(t *testing.T) {
	sh := newShop(t)
	gw, fix, m, buyer, l := sh.gw, sh.fix, sh.m, sh.buyer, sh.listing
	ctx := context.Background()
	tok, _ := ledger.Token{Mint: "http://gateway/ledger", Unit: ledger.Unit, Proofs: fix.Issue(2, 1)}.Encode()
	if _, err := m.BuyWithToken(ctx, buyer.Key, market.Item{Listing: l.ID, Qty: 1, Price: 3}, tok); err != nil {
		t.Fatal(err)
	}
	if gw.Accepted("circuit:"+work.Service) == 0 || gw.Accepted("direct:"+work.Protocol) != 0 {
		t.Fatalf("market reached the gateway by %d circuit and %d direct streams",
			gw.Accepted("circuit:"+work.Service), gw.Accepted("direct:"+work.Protocol))
	}
}

// TestListenLoopbackOnly: a market bound to a public address would be
// reachable around the hidden service, by its IP. Start refuses it.
func TestListenLoopbackOnly(t *testing.T) {
	sn := &servicetest.Net{}
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "[::]:8080", "192.0.2.1:80", "localhost:8080", "127.0.0.1"} {
		h := sn.NewHost("mk", "market", t.TempDir())
		s, err := Start(h, Config{Listen: addr})
		if err == nil {
			s.Close()
			t.Errorf("listen %q accepted", addr)
		} else if !errors.Is(err, ErrNotLoopback) && !errors.Is(err, ErrConfig) {
			t.Errorf("listen %q: %v", addr, err)
		}
	}
	if err := (Config{Listen: "127.0.0.1:0", Store: "sqlite"}).WithDefaults().Validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("store sqlite: %v", err)
	}
	if err := (Config{Listen: "127.0.0.1:0", Store: StorePostgres}).Validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("postgres without DSN: %v", err)
	}
}

// TestOperatorSecretFile: the operator secret is created 0600, kept
// across restarts, and refused when others can read it.
func TestOperatorSecretFile(t *testing.T) {
	dir := t.TempDir()
	a, err := operatorSecret(dir)
	if err != nil || len(a) < market.MinOperatorSecret {
		t.Fatal(a, err)
	}
	path := filepath.Join(dir, SecretFile)
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
	if b, err := operatorSecret(dir); err != nil || b != a {
		t.Fatalf("secret changed across restarts: %v", err)
	}
	os.Chmod(path, 0o644)
	if _, err := operatorSecret(dir); err == nil {
		t.Fatal("a world-readable operator secret was accepted")
	}
}

// TestMarketFigures: the dashboard's market section shows the books as
// the store holds them: an order in escrow, its units, the proofs held.
func TestMarketFigures(t *testing.T) {
	sh := newShop(t)
	h, fix, m, buyer, l := sh.h, sh.fix, sh.m, sh.buyer, sh.listing
	ctx := context.Background()
	if f := h.Figures(ctx)["market"].(service.MarketFigures); f.OrdersTotal != 0 || f.InEscrow != 0 {
		t.Fatalf("figures before any order: %+v", f)
	}
	tok, _ := ledger.Token{Mint: "http://gateway/ledger", Unit: ledger.Unit, Proofs: fix.Issue(2, 1)}.Encode()
	if _, err := m.BuyWithToken(ctx, buyer.Key, market.Item{Listing: l.ID, Qty: 1, Price: 3}, tok); err != nil {
		t.Fatal(err)
	}
	f, ok := h.Figures(ctx)["market"].(service.MarketFigures)
	if !ok || f.OrdersTotal != 1 || f.Orders[string(market.Escrow)] != 1 || f.InEscrow != 3 || f.Held < 3 {
		t.Fatalf("figures after one order of 3 units in escrow: %+v", f)
	}
}
