package wallet_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/wallet"
)

// lossy delivers every request but loses the answers of the next n
// requests whose path has the given prefix, as a dropped connection would.
type lossy struct {
	next   http.RoundTripper
	mu     sync.Mutex
	prefix string
	n      int
	bodies []string // bodies of the requests whose answer was lost
}

var errLost = errors.New("connection reset (test)")

func (l *lossy) lose(prefix string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prefix, l.n = prefix, n
}

func (l *lossy) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
	}
	resp, err := l.next.RoundTrip(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil || l.n == 0 || !strings.HasPrefix(r.URL.Path, l.prefix) {
		return resp, err
	}
	l.n--
	l.bodies = append(l.bodies, string(body))
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil, errLost
}

func (e *env) lossyWallet(t *testing.T) (*wallet.Wallet, *lossy) {
	l := &lossy{next: e.srv.Client().Transport}
	w, err := wallet.Create(filepath.Join(t.TempDir(), "w"), e.srv.URL, &http.Client{Transport: l}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w, l
}

// A wallet whose answer was lost gets its units by sending the identical
// request again (the gateway replays its cached answer), never by
// deriving new outputs for a quote already issued or inputs already spent.
func TestLostAnswerRetried(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	w, l := e.lossyWallet(t)

	// One lost answer: the same call re-sends and gets the units.
	q, _ := w.Buy(ctx, 5)
	if _, err := e.f.Mint.PayQuote(ctx, q.ID, "cash"); err != nil {
		t.Fatal(err)
	}
	l.lose("/v1/mint/cu", 1)
	if got, err := w.Mint(ctx, q.ID); err != nil || got != 5 || len(l.bodies) != 1 {
		t.Fatalf("mint with one answer lost: %d %v (%d lost)", got, err, len(l.bodies))
	}

	// Every answer of the call lost: the call fails, and the next Mint of
	// the quote (after a "restart": the wallet reopened from its file)
	// finishes it.
	q, _ = w.Buy(ctx, 8)
	if _, err := e.f.Mint.PayQuote(ctx, q.ID, "cash"); err != nil {
		t.Fatal(err)
	}
	l.bodies = nil
	l.lose("/v1/mint/cu", 100)
	if _, err := w.Mint(ctx, q.ID); !errors.Is(err, errLost) {
		t.Fatalf("mint with every answer lost: %v", err)
	}
	l.lose("", 0)
	re, err := wallet.Open(dirOf(t, w), &http.Client{Transport: l})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := re.Mint(ctx, q.ID); err != nil || got != 8 || re.Balance() != 13 {
		t.Fatalf("mint again after lost answers: %d %v, balance %d", got, err, re.Balance())
	}
	if !allSame(l.bodies) {
		t.Fatal("the retries sent different bodies")
	}

	// A swap (send of 3 out of 8+4+1 splits the 8) whose answers are lost: the next
	// operation finishes it, and the inputs are gone, the change is there.
	l.bodies = nil
	l.lose("/v1/swap", 100)
	if _, err := re.Send(ctx, 3, ""); !errors.Is(err, errLost) {
		t.Fatalf("send with every answer lost: %v", err)
	}
	l.lose("", 0)
	if got, err := re.FinishPending(ctx); err != nil || got == 0 {
		t.Fatalf("finish pending swap: %d %v", got, err)
	}
	if re.Balance() != 13 {
		t.Fatalf("balance %d after the swap was finished, want 13", re.Balance())
	}
	for _, st := range mustStates(t, re) {
		if st.State != ledger.Unspent {
			t.Fatalf("wallet holds a %s proof after finishing", st.State)
		}
	}
	if !allSame(l.bodies) {
		t.Fatal("the swap retries sent different bodies")
	}
	if _, err := re.Send(ctx, 3, ""); err != nil {
		t.Fatalf("send after finishing: %v", err)
	}
}

func allSame(xs []string) bool {
	for _, x := range xs {
		if x != xs[0] {
			return false
		}
	}
	return len(xs) > 0
}

func dirOf(t *testing.T, w *wallet.Wallet) string {
	t.Helper()
	return wallet.Dir(w)
}

func mustStates(t *testing.T, w *wallet.Wallet) []ledger.ProofState {
	t.Helper()
	tok, err := ledger.Token{Mint: "x", Unit: ledger.Unit, Proofs: w.Proofs()}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	st, err := w.Status(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
