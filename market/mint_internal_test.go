package market

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"cyclecash/ledger"
	"cyclecash/ledger/mintapi"
	lstoretest "cyclecash/ledger/storetest"
)

// TestKeysetIDCommitsToKeys: a mint (or a man in the middle) that shows
// the market another key under a keyset's ID is caught, since the ID must
// be the hash of the keys, unit and expiry.
func TestKeysetIDCommitsToKeys(t *testing.T) {
	fix := lstoretest.NewFixture(t, ledger.NewMemStore())
	srv := httptest.NewServer(mintapi.New(fix.Mint, mintapi.Options{}))
	defer srv.Close()
	hm := &HTTPMint{BaseURL: srv.URL, Client: srv.Client()}
	sets, err := hm.Keysets(context.Background())
	if err != nil || len(sets) == 0 {
		t.Fatal(err)
	}
	ks, err := hm.Keys(context.Background(), sets[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifyKeyset(ks); err != nil {
		t.Fatalf("genuine keyset: %v", err)
	}
	swapped := Keyset{KeysetInfo: ks.KeysetInfo, Keys: map[string]ledger.Point{}}
	for a, p := range ks.Keys {
		swapped.Keys[a] = p
	}
	swapped.Keys["1"], swapped.Keys["2"] = ks.Keys["2"], ks.Keys["1"]
	if _, err := verifyKeyset(swapped); !errors.Is(err, ErrBadToken) {
		t.Fatalf("swapped keys: %v", err)
	}
	later := ks
	later.FinalExpiry++
	if _, err := verifyKeyset(later); !errors.Is(err, ErrBadToken) {
		t.Fatalf("extended expiry: %v", err)
	}
}
