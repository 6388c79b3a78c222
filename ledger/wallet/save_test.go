package wallet_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"cyclecash/ledger/wallet"
)

// A disk that fills up mid-write (or a chmod, fsync, close or rename that
// fails) must leave the previous wallet file intact, byte for byte, and no
// temporary file: its proofs are the user's money.
func TestSaveFailureKeepsOldFile(t *testing.T) {
	for _, step := range []string{"chmod", "write", "fsync", "close", "rename"} {
		t.Run(step, func(t *testing.T) {
			e := newEnv(t)
			dir := filepath.Join(t.TempDir(), "w")
			w, err := wallet.Create(dir, e.srv.URL, e.srv.Client(), nil)
			if err != nil {
				t.Fatal(err)
			}
			e.fund(t, w, 2)
			path := filepath.Join(dir, wallet.FileName)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Errorf("injected %s failure: %w", step, syscall.ENOSPC)
			restore := wallet.FailStep(step, want)
			_, err = w.Send(context.Background(), 1, "")
			restore()
			if !errors.Is(err, want) {
				t.Fatalf("send with a failing save: %v, want %v", err, want)
			}
			after, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(before, after) {
				t.Fatalf("wallet file changed by a failed save (%d -> %d bytes, %v)", len(before), len(after), err)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Fatalf("%d files left in the wallet directory, want only %s", len(ents), wallet.FileName)
			}
			again, err := wallet.Open(dir, e.srv.Client())
			if err != nil || again.Balance() != 2 {
				t.Fatalf("reopen after failed save: %v", err)
			}
		})
	}
}
