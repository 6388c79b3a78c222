package wallet_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/boltstore"
	"cyclecash/ledger/mintapi"
	"cyclecash/ledger/storetest"
	"cyclecash/ledger/wallet"
)

type env struct {
	f   *storetest.Fixture
	srv *httptest.Server
}

func newEnv(t *testing.T) *env {
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "gw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvOn(t, st)
}

// newEnvOn is newEnv over a given store.
func newEnvOn(t *testing.T, st ledger.Store) *env {
	f := storetest.NewFixture(t, st)
	srv := httptest.NewServer(mintapi.New(f.Mint, mintapi.Options{QuotesPerMinute: 1 << 20, QuoteBurst: 1 << 20}))
	t.Cleanup(srv.Close)
	return &env{f, srv}
}

func (e *env) wallet(t *testing.T) *wallet.Wallet {
	w, err := wallet.Create(filepath.Join(t.TempDir(), "w"), e.srv.URL, e.srv.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// fund buys and mints amount units into w, the operator paying in cash.
func (e *env) fund(t *testing.T, w *wallet.Wallet, amount uint64) {
	ctx := context.Background()
	q, err := w.Buy(ctx, amount)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Mint(ctx, q.ID); !errors.Is(err, ledger.ErrQuoteNotPaid) {
		t.Fatalf("mint before payment: %v", err)
	}
	if _, err := e.f.Mint.PayQuote(ctx, q.ID, "cash"); err != nil {
		t.Fatal(err)
	}
	if got, err := w.Mint(ctx, q.ID); err != nil || got != amount {
		t.Fatalf("mint: %d %v", got, err)
	}
}

func TestSendReceive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice, bob := e.wallet(t), e.wallet(t)
	e.fund(t, alice, 13)
	tok, err := alice.Send(ctx, 6, "for bob")
	if err != nil {
		t.Fatal(err)
	}
	if alice.Balance() != 7 {
		t.Fatalf("alice has %d, want 7", alice.Balance())
	}
	sent, _ := ledger.DecodeToken(tok)
	if got, err := bob.Receive(ctx, tok); err != nil || got != 6 || bob.Balance() != 6 {
		t.Fatalf("receive: %d %v, balance %d", got, err, bob.Balance())
	}
	// The sender kept a copy of the token; it is worthless now.
	ks, _ := e.f.Mint.Keyset(sent.Proofs[0].ID)
	_, outs := e.f.Outputs(ks, 4, 2)
	if _, err := e.f.Mint.Swap(ctx, ledger.SwapRequest{Inputs: sent.Proofs, Outputs: outs}); !errors.Is(err, ledger.ErrAlreadySpent) {
		t.Fatalf("sender spending after receive: %v", err)
	}
	if _, err := bob.Receive(ctx, tok); !errors.Is(err, ledger.ErrAlreadySpent) {
		t.Fatalf("second receive: %v", err)
	}
	st, err := bob.Status(ctx, tok)
	if err != nil || st[0].State != ledger.Spent {
		t.Fatalf("status %+v %v", st, err)
	}
}

func TestReceiveRefusesBadDLEQ(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice, bob := e.wallet(t), e.wallet(t)
	e.fund(t, alice, 4)
	tok, _ := alice.Send(ctx, 4, "")
	dec, _ := ledger.DecodeToken(tok)
	dec.Proofs[0].DLEQ.S[31] ^= 1
	bad, _ := dec.Encode()
	if _, err := bob.Receive(ctx, bad); !errors.Is(err, ledger.ErrBadDLEQ) {
		t.Fatalf("got %v", err)
	}
	if st, _ := bob.Status(ctx, tok); st[0].State != ledger.Unspent {
		t.Fatal("a refused token was swapped")
	}
	if _, err := bob.Receive(ctx, "cashuBjunk"); !errors.Is(err, ledger.ErrMalformed) {
		t.Fatalf("junk: %v", err)
	}
}

func TestRestoreFromSeed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.wallet(t)
	e.fund(t, alice, 11)
	if _, err := alice.Send(ctx, 3, ""); err != nil { // spends and re-derives
		t.Fatal(err)
	}
	lost := alice.Balance() + 3 // the token sent is not received yet: it comes back
	again, err := wallet.CreateWithSeed(filepath.Join(t.TempDir(), "w2"), e.srv.URL, e.srv.Client(), alice.Seed())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.RestoreWith(ctx, 8, 2); err != nil || got != lost {
		t.Fatalf("restored %d %v, want %d", got, err, lost)
	}
	tok, err := again.Send(ctx, lost, "") // restored proofs spend, counters moved on
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.wallet(t).Receive(ctx, tok); err != nil {
		t.Fatal(err)
	}
}

func TestWalletFile(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(t.TempDir(), "w")
	w, err := wallet.Create(dir, e.srv.URL, e.srv.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e.fund(t, w, 2)
	info, err := os.Stat(filepath.Join(dir, wallet.FileName))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("wallet file mode %v %v", info.Mode(), err)
	}
	again, err := wallet.Open(dir, e.srv.Client())
	if err != nil || again.Balance() != 2 {
		t.Fatalf("reopen: %v", err)
	}
	if _, err := wallet.Open(t.TempDir(), nil); !errors.Is(err, wallet.ErrNoWallet) {
		t.Fatalf("open empty dir: %v", err)
	}
}
