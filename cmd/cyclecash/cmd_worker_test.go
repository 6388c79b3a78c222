package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWorkerStatementAndPayoutCLI: `worker statement` prints the account
// the node's control API answers, and `ledger payout` posts exactly the
// payment given (JSON, on the node's socket) and refuses a non-number.
func TestWorkerStatementAndPayoutCLI(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "api.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("unix sockets, which CI has: %v", err)
		}
		t.Skipf("no unix sockets here: %v", err)
	}
	var posted cashPayout
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/worker/statement", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"worker":"w-ab","owed":7,"weeks":[{"week":"2027-01-04","tasks":3,"earned":9,"clawed":2,"paid":0}]}`))
	})
	mux.HandleFunc("POST /v1/gateway/payout", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&posted) != nil {
			http.Error(w, "bad", 400)
			return
		}
		w.Write([]byte(`{"worker":"w-ab","owed":0,"weeks":[]}`))
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	if err := os.WriteFile(filepath.Join(dir, "api.addr"), []byte("unix:"+sock+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := cmdWorker(ctx, []string{"--data", dir, "statement"}, &out, &errOut); err != nil {
		t.Fatalf("worker statement: %v %s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "7 units owed") || !strings.Contains(out.String(), "2027-01-04") {
		t.Fatalf("statement printed:\n%s", out.String())
	}
	out.Reset()
	if err := cmdLedger(ctx, []string{"--data", dir, "payout", "bank-1", "w-ab", "7"}, &out, &errOut); err != nil {
		t.Fatalf("ledger payout: %v %s", err, errOut.String())
	}
	if posted != (cashPayout{ID: "bank-1", Worker: "w-ab", Units: 7}) {
		t.Fatalf("posted %+v", posted)
	}
	if err := cmdLedger(ctx, []string{"--data", dir, "payout", "bank-2", "w-ab", "seven"}, &out, &errOut); err == nil {
		t.Fatal("a payout of \"seven\" units was accepted")
	}
}
