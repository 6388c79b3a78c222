package wallet

import (
	"crypto/rand"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"cyclecash/ledger"
)

// A hostile gateway controls every answer the wallet parses. These targets
// feed it arbitrary keys, signatures and wallet files.

var fuzzMaster = []byte("cyclecash wallet fuzz master secret, 32+ bytes")

func keysJSON(ks *ledger.Keyset) []byte {
	keys := map[string]ledger.Point{}
	for a, p := range ks.Keys() {
		keys[strconv.FormatUint(a, 10)] = p
	}
	b, _ := json.Marshal(map[string]any{"keysets": []any{map[string]any{
		"id": ks.ID, "unit": ks.Unit, "active": true, "final_expiry": ks.FinalExpiry, "keys": keys}}})
	return b
}

// FuzzKeysAnswer: a keyset the wallet accepts always has an ID that
// commits to the keys, unit and expiry it accepted (NUT-02).
func FuzzKeysAnswer(f *testing.F) {
	ks, err := ledger.DeriveKeyset(fuzzMaster, 20000)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(keysJSON(ks), string(ks.ID))
	f.Add([]byte(`{"keysets":[{"id":"01","unit":"cu","keys":{"1":"02`+string(make([]byte, 0))+`"}}]}`), "01")
	f.Fuzz(func(t *testing.T, body []byte, want string) {
		var ans keysAnswer
		if json.Unmarshal(body, &ans) != nil {
			return
		}
		w := newWallet(t.TempDir(), nil)
		got, err := w.learn(ans, ledger.KeysetID(want))
		if err != nil {
			return
		}
		pts := map[uint64]ledger.Point{}
		for a, p := range got.pubs {
			pts[a] = ledger.PointOf(p)
		}
		if got.ID != ledger.KeysetID(want) || ledger.DeriveKeysetID(pts, ledger.Unit, 0, got.FinalExpiry) != got.ID {
			t.Fatalf("accepted keyset %s whose id does not commit to its keys", got.ID)
		}
	})
}

// FuzzSignatures: every proof the wallet makes from a gateway's answer to
// its outputs is valid under the keyset's private keys; a bad answer is an
// error, never a bad proof.
func FuzzSignatures(f *testing.F) {
	ks, err := ledger.DeriveKeyset(fuzzMaster, 20000)
	if err != nil {
		f.Fatal(err)
	}
	var ans keysAnswer
	json.Unmarshal(keysJSON(ks), &ans)
	w := newWallet(f.TempDir(), nil)
	w.st.Seed, w.st.Counters = make([]byte, 64), map[ledger.KeysetID]uint64{}
	kk, err := w.learn(ans, ks.ID)
	if err != nil {
		f.Fatal(err)
	}
	pre, err := w.derive(ks.ID, []uint64{4, 1})
	if err != nil {
		f.Fatal(err)
	}
	var sigs []ledger.BlindSignature
	for _, p := range pre {
		s, err := ks.SignOutput(rand.Reader, p.msg)
		if err != nil {
			f.Fatal(err)
		}
		sigs = append(sigs, s)
	}
	good, _ := json.Marshal(ledger.Signatures{Signatures: sigs})
	f.Add(good)
	f.Add([]byte(`{"signatures":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var got ledger.Signatures
		if json.Unmarshal(body, &got) != nil {
			return
		}
		ps, err := unblind(kk, pre, got.Signatures)
		if err != nil {
			return
		}
		for _, p := range ps {
			if _, err := ks.VerifyProof(p); err != nil {
				t.Fatalf("wallet accepted an invalid proof: %v", err)
			}
		}
	})
}

// FuzzWalletFile: a wallet file that opens saves and reopens to the same
// state; one that does not open is an error, not a panic.
func FuzzWalletFile(f *testing.F) {
	f.Add([]byte(`{"gateway":"http://127.0.0.1:1","seed":"AAAA","counters":{"01ab":3},"proofs":[]}`))
	f.Add([]byte(`{"gateway":"x","seed":null,"proofs":[{"amount":1,"id":"01ab","secret":"s","C":"02` +
		"0000000000000000000000000000000000000000000000000000000000000000" + `"}],"pending":[{"path":"/v1/swap","body":{},"keyset":"01","counter":1,"amounts":[1]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), b, 0o600); err != nil {
			t.Fatal(err)
		}
		w, err := Open(dir, nil)
		if err != nil {
			return
		}
		if err := w.save(); err != nil {
			t.Fatalf("an opened wallet does not save: %v", err)
		}
		again, err := Open(dir, nil)
		if err != nil {
			t.Fatalf("a saved wallet does not reopen: %v", err)
		}
		if !reflect.DeepEqual(normal(w.st), normal(again.st)) {
			t.Fatalf("save changed the wallet:\n%+v\n%+v", w.st, again.st)
		}
	})
}

// normal encodes a state for comparison (nil and empty alike).
func normal(s state) string {
	s.Counters = maps.Clone(s.Counters)
	b, _ := json.Marshal(s)
	return string(b)
}
