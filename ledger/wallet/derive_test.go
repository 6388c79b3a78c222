package wallet

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"cyclecash/ledger"
)

func TestDeriveNUT13Vectors(t *testing.T) {
	b, err := os.ReadFile("testdata/nut13_hmac.json")
	if err != nil {
		t.Fatal(err)
	}
	var vecs []struct {
		Mnemonic string          `json:"mnemonic"`
		KeysetID ledger.KeysetID `json:"keyset_id"`
		Secrets  []string        `json:"secrets"`
		Rs       []string        `json:"rs"`
	}
	if err := json.Unmarshal(b, &vecs); err != nil || len(vecs) == 0 {
		t.Fatal("no vectors", err)
	}
	for _, v := range vecs {
		seed := SeedFromMnemonic(v.Mnemonic, "")
		for i := range v.Secrets {
			t.Run(v.Secrets[i], func(t *testing.T) {
				t.Parallel()
				sec, r, err := Derive(seed, v.KeysetID, uint64(i))
				rb := r.Bytes()
				if err != nil || sec != v.Secrets[i] || hex.EncodeToString(rb[:]) != v.Rs[i] {
					t.Fatalf("counter %d: got %s %x %v", i, sec, rb, err)
				}
			})
		}
	}
}
