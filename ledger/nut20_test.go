package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// The spec's NUT-20 vectors: the message of a mint request, a valid and
// an invalid signature by the quote's key.
func TestNUT20Vectors(t *testing.T) {
	var v struct {
		Pubkey  string      `json:"pubkey"`
		Valid   MintRequest `json:"valid"`
		Invalid MintRequest `json:"invalid"`
		Message string      `json:"message"`
	}
	loadJSON(t, "nut20_mint_signature.json", &v)
	if got := string(MintRequestMessage(v.Valid.Quote, v.Valid.Outputs)); got != v.Message {
		t.Fatalf("message %q, want %q", got, v.Message)
	}
	var pub Point
	if err := pub.UnmarshalText([]byte(v.Pubkey)); err != nil {
		t.Fatal(err)
	}
	q := Quote{ID: v.Valid.Quote, Pubkey: &pub}
	if err := checkQuoteSignature(q, v.Valid); err != nil {
		t.Fatalf("valid vector refused: %v", err)
	}
	if err := checkQuoteSignature(q, v.Invalid); err == nil {
		t.Fatal("invalid vector accepted")
	}
}

func TestSchnorrSignVerify(t *testing.T) {
	var d secp256k1.ModNScalar
	for i := range 8 {
		d.SetInt(uint32(1000 + 7919*i))
		pub := secp256k1.NewPrivateKey(&d).PubKey().SerializeCompressed()
		msg := sha256.Sum256([]byte{byte(i)})
		sig := SignSchnorr(&d, msg, [32]byte{byte(i)})
		if !VerifySchnorr(pub, msg, sig) {
			t.Fatalf("key %d: own signature refused (%s)", i, hex.EncodeToString(sig))
		}
		msg[0] ^= 1
		if VerifySchnorr(pub, msg, sig) {
			t.Fatalf("key %d: signature accepted for another message", i)
		}
	}
}
