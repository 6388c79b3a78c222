package ledger

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// loadVectors decodes testdata/name into a slice of T.
func loadVectors[T any](t *testing.T, name string) []T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no vectors", name)
	}
	return out
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPoint(t *testing.T, s string) *secp256k1.PublicKey {
	t.Helper()
	p, err := ParsePoint(mustHex(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustScalar(t *testing.T, s string) *secp256k1.ModNScalar {
	t.Helper()
	var k secp256k1.ModNScalar
	if k.SetByteSlice(mustHex(t, s)) {
		t.Fatal("scalar overflows")
	}
	return &k
}

func hexOf(p *secp256k1.PublicKey) string { return hex.EncodeToString(p.SerializeCompressed()) }

func mustHexF(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// loadVectorsF is loadVectors for fuzz seeds.
func loadVectorsF[T any](f *testing.F, name string) []T {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	var out []T
	if err := json.Unmarshal(b, &out); err != nil {
		f.Fatal(err)
	}
	return out
}

// loadJSON reads testdata/name into v.
func loadJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
