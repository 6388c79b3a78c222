package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/wallet"
)

// TestGatewayWalletFlow: a real gateway process; a wallet buys, the
// operator records the cash sale while the gateway runs (its bbolt file is
// locked, so through the control API), the wallet mints and sends to a
// second wallet, which receives; the sender's copy of the token is then
// refused as already spent, and the report adds up to the balances.
func TestGatewayWalletFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a gateway process")
	}
	t.Parallel()
	dir := t.TempDir()
	gw := startGateway(t, filepath.Join(dir, "gw"), "")
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")

	q := mustCLI(t, "wallet", "--dir", a, "--gateway", gw.url, "buy", "--amount", "100")
	failCLI(t, "quote not paid (code 20001", "wallet", "--dir", a, "mint", q)
	if out := mustCLI(t, "ledger", "--data", gw.data, "quote", "pay", q); out != "quote "+q+" PAID 100 cu" {
		t.Fatalf("quote pay printed %q", out)
	}
	if out := mustCLI(t, "wallet", "--dir", a, "mint", q); out != "minted 100" {
		t.Fatalf("mint printed %q", out)
	}
	failCLI(t, "quote already issued (code 20002", "wallet", "--dir", a, "mint", q)

	tok := mustCLI(t, "wallet", "--dir", a, "send", "40")
	if !strings.HasPrefix(tok, "cashuB") {
		t.Fatalf("send printed %q", tok)
	}
	if out := mustCLI(t, "wallet", "--dir", b, "--gateway", gw.url, "receive", tok); out != "received 40" {
		t.Fatalf("receive printed %q", out)
	}
	failCLI(t, "token already spent (code 11001", "wallet", "--dir", a, "receive", tok)
	failCLI(t, "token already spent (code 11001", "wallet", "--dir", b, "receive", tok)
	for _, line := range strings.Split(mustCLI(t, "wallet", "--dir", a, "status", tok), "\n") {
		if !strings.HasSuffix(line, " SPENT") {
			t.Fatalf("status of a received token: %q", line)
		}
	}
	checkBooks(t, gw.data, map[string]uint64{a: 60, b: 40}, 100)

	badInputs(t, gw, a)
	checkBooks(t, gw.data, map[string]uint64{a: 60, b: 40}, 100)

	// With the gateway stopped, the operator opens the ledger directly.
	q2 := mustCLI(t, "wallet", "--dir", b, "buy", "--amount", "8")
	gw.stop(t)
	// Opened without --ledger-capacity the ledger's capacity is 0: the
	// refusal says which flag sets it.
	failCLI(t, "supply cap is 0 (no projected capacity set), so it issues nothing; set the projected 30-day capacity with --ledger-capacity UNITS", "ledger", "--data", gw.data, "quote", "pay", q2)
	mustCLI(t, "ledger", "--data", gw.data, "--ledger-capacity", "3000000", "quote", "pay", q2)
	// A paid quote reserves its room under the cap at once: the 8 units
	// count as issued and outstanding before the wallet mints them.
	if r := report(t, gw.data); r.Outstanding != 108 || !mintedTodayIs(r.MintedToday, 108) {
		t.Fatalf("direct report: %+v", r)
	}
	gw = startGateway(t, gw.data, gw.hostPort()) // the wallets remember this address
	if out := mustCLI(t, "wallet", "--dir", b, "mint", q2); out != "minted 8" {
		t.Fatalf("mint after restart printed %q", out)
	}
	checkBooks(t, gw.data, map[string]uint64{a: 60, b: 48}, 108)

	// A lost wallet comes back from its seed, without the units it sent.
	seed := filepath.Join(dir, "a.seed")
	if err := os.WriteFile(seed, []byte(mustCLI(t, "wallet", "--dir", a, "seed")), 0o600); err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(dir, "a-again")
	out := mustCLI(t, "wallet", "--dir", again, "--gateway", gw.url, "restore", "--seed-file", seed)
	if out != "restored 60\nbalance 60" {
		t.Fatalf("restore printed %q", out)
	}
}

// badInputs sends malformed and unbalanced requests through the CLI and the
// HTTP API: each is one clear error, and (checked by the caller) nothing
// changes.
func badInputs(t *testing.T, gw *gateway, walletDir string) {
	failCLI(t, "malformed input", "wallet", "--dir", walletDir, "receive", "cashuBo2F0gaJhaVgh")
	failCLI(t, "quote not known (code 0, status 404", "wallet", "--dir", walletDir, "mint", "00ff")
	failCLI(t, "insufficient balance: have 60, need 61", "wallet", "--dir", walletDir, "send", "61")
	failCLI(t, "quote not known", "ledger", "--data", gw.data, "quote", "pay", "00ff")
	big := mustCLI(t, "wallet", "--dir", walletDir, "buy", "--amount", "100000")
	left := uint64(79900) // 80,000 a day at 3,000,000 units, 100 minted today
	if crossedMidnight() {
		left = report(t, gw.data).Remaining
	}
	failCLI(t, fmt.Sprintf("supply cap reached: 100000 units asked, %d left today", left), "ledger", "--data", gw.data, "quote", "pay", big)

	w, err := wallet.Open(walletDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := w.Proofs()[0] // a real unspent proof; its C serves as a valid point for B_
	out := func(amount uint64, id ledger.KeysetID) ledger.BlindedMessage {
		return ledger.BlindedMessage{Amount: amount, ID: id, B: p.C}
	}
	yesterday, err := ledger.DeriveKeyset([]byte("not the gateway's master secret, 32 bytes"), 1)
	if err != nil {
		t.Fatal(err)
	}
	swap := func(outs ...ledger.BlindedMessage) ledger.SwapRequest {
		return ledger.SwapRequest{Inputs: []ledger.Proof{p}, Outputs: outs}
	}
	forged := p
	forged.C = ledger.Point(bytes.Repeat([]byte{2}, 33))
	cases := []struct {
		path string
		body any
		code float64
	}{
		{"/v1/swap", []byte(`{"inputs": [`), 0}, // malformed JSON: no code in error_codes.md
		{"/v1/swap", swap(out(1, p.ID)), 11005},
		{"/v1/swap", swap(out(p.Amount/2, p.ID), out(p.Amount/2, p.ID)), 11008},
		{"/v1/swap", swap(out(p.Amount, yesterday.ID)), 12001},
		{"/v1/swap", ledger.SwapRequest{Inputs: []ledger.Proof{forged}, Outputs: []ledger.BlindedMessage{out(p.Amount, p.ID)}}, 10001},
		{"/v1/swap", map[string]any{"inputs": []any{}, "outputs": []any{}}, 11005},
		{"/v1/checkstate", map[string]any{"Ys": []string{"02ab"}}, 0}, // malformed: no code in error_codes.md
		{"/v1/mint/quote/cu", map[string]any{"amount": 5, "unit": "sat"}, 11013},
		{"/v1/mint/cu", ledger.MintRequest{Quote: big, Outputs: []ledger.BlindedMessage{out(1, p.ID)}}, 20008}, // the wallet locked the quote (NUT-20); this request is unsigned
		{"/v1/swap", bytes.Repeat([]byte(" "), 2<<20), 11014},
	}
	for _, c := range cases {
		status, ans := post(t, gw.url+c.path, c.body)
		if status < 400 || status >= 500 || ans["code"] != c.code || ans["detail"] == "" {
			t.Errorf("POST %s: status %d, answer %v; want code %v", c.path, status, ans, c.code)
		}
	}
	y, _ := p.Y()
	if st := mustCLI(t, "wallet", "--dir", walletDir, "status", y.String()); st != y.String()+" UNSPENT" {
		t.Fatalf("the proof the bad requests offered is now %q", st)
	}
}

// checkBooks checks each wallet's balance and that the gateway's report
// agrees: outstanding = issued − spent = what the wallets hold.
func checkBooks(t *testing.T, data string, balances map[string]uint64, minted uint64) {
	t.Helper()
	var held uint64
	for w, want := range balances {
		if got := mustCLI(t, "wallet", "--dir", w, "balance"); got != strconv.FormatUint(want, 10) {
			t.Fatalf("%s holds %s, want %d", filepath.Base(w), got, want)
		}
		held += want
	}
	r := report(t, data)
	var issued, spent uint64
	for _, k := range r.Keysets {
		issued, spent = issued+k.Issued, spent+k.Spent
		if k.Spent > k.Issued || k.Outstanding != k.Issued-k.Spent {
			t.Fatalf("keyset line does not add up: %+v", k)
		}
	}
	if r.Outstanding != held || issued-spent != held || !mintedTodayIs(r.MintedToday, minted) {
		t.Fatalf("report %+v (issued %d, spent %d); wallets hold %d, %d minted", r, issued, spent, held, minted)
	}
}
