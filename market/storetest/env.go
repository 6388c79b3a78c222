// Package storetest is the contract suite every market.Store passes
// (MemStore, boltstore, pgstore), and the test environment it runs in: a
// real mint (ledger/mintapi over httptest on 127.0.0.1) and real wallets
// (ledger/wallet) that make the tokens.
//
// Policy: nothing here fakes the mint; failures are injected only by
// wrapping the real HTTP client (FlakyMint), so what the market sees is
// what a real gateway would answer.
package storetest

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cyclecash/ledger"
	"cyclecash/ledger/mintapi"
	lstoretest "cyclecash/ledger/storetest"
	"cyclecash/ledger/wallet"
	"cyclecash/market"
)

// OperatorSecret is the operator secret of test markets.
const OperatorSecret = "operator secret for tests"

// Clock is a settable clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Env is a mint, a market over a store, and wallets.
type Env struct {
	T       testing.TB
	Fix     *lstoretest.Fixture
	MintSrv *httptest.Server
	Clock   *Clock
	Store   market.Store
	Mint    *FlakyMint
	Market  *market.Market
}

// NewEnv starts a mint (over a ledger MemStore) and a market over st.
func NewEnv(t testing.TB, st market.Store) *Env { return NewEnvMint(t, st, ledger.NewMemStore()) }

// NewEnvMint is NewEnv with the mint over ls.
func NewEnvMint(t testing.TB, st market.Store, ls ledger.Store) *Env {
	fix := lstoretest.NewFixture(t, ls)
	srv := httptest.NewServer(mintapi.New(fix.Mint, mintapi.Options{}))
	t.Cleanup(srv.Close)
	e := &Env{T: t, Fix: fix, MintSrv: srv, Clock: &Clock{t: lstoretest.Start}, Store: st}
	e.Mint = &FlakyMint{Mint: &market.HTTPMint{BaseURL: srv.URL, Client: srv.Client()}}
	e.Market = e.NewMarket()
	return e
}

// NewMarket returns a further market (a restart, or another front-end)
// over the env's store and mint.
func (e *Env) NewMarket() *market.Market {
	m, err := market.New(context.Background(), market.Config{
		Store: e.Store, Mint: e.Mint, MintURL: e.MintSrv.URL, OperatorSecret: OperatorSecret,
		Now: e.Clock.Now, EscrowTimeout: 72 * time.Hour,
		Limits: market.Limits{SignupBurst: 1e6, LoginBurst: 1e6, TokenBurst: 1e6},
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return m
}

// Wallet creates an empty wallet at the mint.
func (e *Env) Wallet() *wallet.Wallet {
	w, err := wallet.Create(filepath.Join(e.T.TempDir(), "w"), e.MintSrv.URL, e.MintSrv.Client(), nil)
	if err != nil {
		e.T.Fatal(err)
	}
	return w
}

// Fund mints amount units into w, the mint's operator paying in cash.
func (e *Env) Fund(w *wallet.Wallet, amount uint64) {
	ctx := context.Background()
	q, err := w.Buy(ctx, amount)
	if err == nil {
		_, err = e.Fix.Mint.PayQuote(ctx, q.ID, "cash")
	}
	if err == nil {
		_, err = w.Mint(ctx, q.ID)
	}
	if err != nil {
		e.T.Fatal(err)
	}
}

// Token returns a fresh token of amount units from a funded wallet.
func (e *Env) Token(amount uint64) string {
	w := e.Wallet()
	e.Fund(w, amount)
	tok, err := w.Send(context.Background(), amount, "")
	if err != nil {
		e.T.Fatal(err)
	}
	return tok
}

// State returns the mint's state of every proof of a token.
func (e *Env) State(token string) []ledger.State {
	tok, err := ledger.DecodeToken(token)
	if err != nil {
		e.T.Fatal(err)
	}
	ys := make([]ledger.Point, len(tok.Proofs))
	for i, p := range tok.Proofs {
		ys[i], _ = p.Y()
	}
	st, err := e.Fix.Mint.CheckState(context.Background(), ys)
	if err != nil {
		e.T.Fatal(err)
	}
	out := make([]ledger.State, len(st))
	for i, s := range st {
		out[i] = s.State
	}
	return out
}

// FlakyMint wraps the real mint client. When CrashAfterSwap is set, a swap
// is performed at the mint but its answer is lost (the market died before
// committing); when Down is set, requests fail without reaching the mint.
type FlakyMint struct {
	market.Mint
	CrashAfterSwap atomic.Bool
	Down           atomic.Bool
	Swaps          atomic.Int64
	WithDLEQ       atomic.Int64 // swaps whose inputs carried a DLEQ
}

// errLost is the lost answer.
var errLost = errors.New("storetest: connection lost")

// Swap implements market.Mint.
func (f *FlakyMint) Swap(ctx context.Context, req ledger.SwapRequest) ([]ledger.BlindSignature, error) {
	if f.Down.Load() {
		return nil, errLost
	}
	for _, p := range req.Inputs {
		if p.DLEQ != nil {
			f.WithDLEQ.Add(1)
		}
	}
	sigs, err := f.Mint.Swap(ctx, req)
	f.Swaps.Add(1)
	if err == nil && f.CrashAfterSwap.Load() {
		return nil, errLost
	}
	return sigs, err
}

// Tokens issues n tokens of one proof of amount (a power of two) each, straight from the
// mint (faster than wallets, for benchmarks).
func (e *Env) Tokens(n int, amount uint64) []string {
	amounts := make([]uint64, n)
	for i := range amounts {
		amounts[i] = amount
	}
	var out []string
	for len(amounts) > 0 {
		k := min(len(amounts), 200)
		for _, p := range e.Fix.Issue(amounts[:k]...) {
			tok, err := ledger.Token{Mint: e.MintSrv.URL, Unit: ledger.Unit, Proofs: []ledger.Proof{p}}.Encode()
			if err != nil {
				e.T.Fatal(err)
			}
			out = append(out, tok)
		}
		amounts = amounts[k:]
	}
	return out
}
