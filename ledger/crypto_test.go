package ledger

import (
	"crypto/rand"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

func TestHashToCurveVectors(t *testing.T) {
	for _, v := range loadVectors[struct{ Message, Point string }](t, "nut00_hash_to_curve.json") {
		t.Run(v.Message, func(t *testing.T) {
			t.Parallel()
			y, err := HashToCurve(mustHex(t, v.Message))
			if err != nil || hexOf(y) != v.Point {
				t.Fatalf("got %v %v, want %s", y, err, v.Point)
			}
		})
	}
}

func TestBlindVectors(t *testing.T) {
	type vec struct {
		X string `json:"x"`
		R string `json:"r"`
		B string `json:"B_"`
	}
	for _, v := range loadVectors[vec](t, "nut00_blind.json") {
		t.Run(v.X, func(t *testing.T) {
			t.Parallel()
			b, err := Blind(mustHex(t, v.X), mustScalar(t, v.R))
			if err != nil || hexOf(b) != v.B {
				t.Fatalf("got %v %v, want %s", b, err, v.B)
			}
		})
	}
}

func TestSignVectors(t *testing.T) {
	type vec struct {
		K string `json:"k"`
		B string `json:"B_"`
		C string `json:"C_"`
	}
	for _, v := range loadVectors[vec](t, "nut00_sign.json") {
		t.Run(v.K, func(t *testing.T) {
			t.Parallel()
			if c := Sign(mustScalar(t, v.K), mustPoint(t, v.B)); hexOf(c) != v.C {
				t.Fatalf("got %s, want %s", hexOf(c), v.C)
			}
		})
	}
}

func TestBlindSignUnblindVerify(t *testing.T) {
	t.Parallel()
	k, _ := randomScalar(rand.Reader)
	r, _ := randomScalar(rand.Reader)
	pub := secp256k1.NewPrivateKey(&k).PubKey()
	x := []byte("a secret")
	b, err := Blind(x, &r)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Unblind(Sign(&k, b), &r, pub)
	if err != nil {
		t.Fatal(err)
	}
	if !Verify(&k, x, c) {
		t.Fatal("valid signature refused")
	}
	if Verify(&k, []byte("other"), c) {
		t.Fatal("signature accepted for another secret")
	}
}

func TestHashEVector(t *testing.T) {
	type vec struct{ R1, R2, K, C_, Hash string }
	for _, v := range loadVectors[vec](t, "nut12_hash_e.json") {
		t.Run(v.Hash, func(t *testing.T) {
			t.Parallel()
			got := hashE(mustPoint(t, v.R1), mustPoint(t, v.R2), mustPoint(t, v.K), mustPoint(t, v.C_))
			if Scalar(got).String() != v.Hash {
				t.Fatalf("got %x", got)
			}
		})
	}
}

func TestDLEQVectors(t *testing.T) {
	type vec struct {
		Name      string
		A, B_, C_ string
		E, S      string
	}
	for _, v := range loadVectors[vec](t, "nut12_dleq.json") {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			d := DLEQ{E: Scalar(mustHex(t, v.E)), S: Scalar(mustHex(t, v.S))}
			a, b, c := mustPoint(t, v.A), mustPoint(t, v.B_), mustPoint(t, v.C_)
			if !VerifyDLEQ(d, a, b, c) {
				t.Fatal("valid proof refused")
			}
			d.S[31] ^= 1
			if VerifyDLEQ(d, a, b, c) {
				t.Fatal("tampered proof accepted")
			}
		})
	}
}

func TestProofDLEQVector(t *testing.T) {
	type vec struct {
		A     string
		Proof Proof
	}
	for _, v := range loadVectors[vec](t, "nut12_proof_dleq.json") {
		t.Run(v.Proof.Secret, func(t *testing.T) {
			t.Parallel()
			a := mustPoint(t, v.A)
			if !VerifyProofDLEQ(v.Proof, a) {
				t.Fatal("valid proof refused")
			}
			v.Proof.Amount = 2 // amount is not covered; the secret is
			v.Proof.Secret += "x"
			if VerifyProofDLEQ(v.Proof, a) {
				t.Fatal("tampered proof accepted")
			}
		})
	}
}

func TestProveVerifyDLEQ(t *testing.T) {
	t.Parallel()
	a, _ := randomScalar(rand.Reader)
	b, _ := Blind([]byte("x"), &a)
	c := Sign(&a, b)
	pub := secp256k1.NewPrivateKey(&a).PubKey()
	d, err := ProveDLEQ(rand.Reader, &a, pub, b, c)
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyDLEQ(d, pub, b, c) {
		t.Fatal("own proof refused")
	}
	if VerifyDLEQ(d, pub, c, b) {
		t.Fatal("proof accepted for swapped points")
	}
}

func TestKeysetIDVector(t *testing.T) {
	type vec struct {
		ID          string            `json:"id"`
		Unit        string            `json:"unit"`
		Fee         int64             `json:"input_fee_ppk"`
		FinalExpiry int64             `json:"final_expiry"`
		Keys        map[uint64]string `json:"keys"`
	}
	var file struct {
		Vectors []vec `json:"vectors"`
	}
	loadJSON(t, "nut02_keyset_id.json", &file)
	if len(file.Vectors) != 3 {
		t.Fatalf("%d vectors in the file, want the spec's 3", len(file.Vectors))
	}
	for _, v := range file.Vectors {
		t.Run(v.ID, func(t *testing.T) {
			t.Parallel()
			keys := map[uint64]Point{}
			for a, h := range v.Keys {
				keys[a] = Point(mustHex(t, h))
			}
			if got := DeriveKeysetID(keys, v.Unit, v.Fee, v.FinalExpiry); string(got) != v.ID {
				t.Fatalf("got %s", got)
			}
		})
	}
}

func FuzzParsePoint(f *testing.F) {
	f.Add(mustHexF("024cce997d3b518f739663b757deaec95bcd9473c30a14ac2fd04023a739d1a725"))
	f.Add(make([]byte, 33))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePoint(b)
		if err != nil {
			return
		}
		if got := PointOf(p); string(got[:]) != string(b) {
			t.Fatalf("round trip changed %x to %x", b, got)
		}
	})
}
