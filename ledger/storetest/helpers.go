package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"cyclecash/ledger"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Fixture is a Mint over a store under test, with a settable clock, and
// a minimal wallet to make outputs and proofs.
type Fixture struct {
	T     testing.TB
	Mint  *ledger.Mint
	Store ledger.Store
	Clock time.Time
}

// Master is the fixed master secret fixtures use.
var Master = []byte("cyclecash storetest master secret, 32+ bytes")

// Start is the fixtures' initial clock.
var Start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// NewFixture returns a Mint over st with capacity 3,000,000 (a daily cap
// of 80,000 units).
func NewFixture(t testing.TB, st ledger.Store) *Fixture {
	f := &Fixture{T: t, Store: st, Clock: Start}
	m, err := ledger.New(ledger.Config{
		Master: Master, Now: func() time.Time { return f.Clock }, CapacityUnits: 3_000_000,
	}, st)
	if err != nil {
		t.Fatal(err)
	}
	f.Mint = m
	return f
}

// Blank is an output together with the secret and blinding factor that
// made it.
type Blank struct {
	Msg    ledger.BlindedMessage
	Secret string
	R      secp256k1.ModNScalar
}

// Outputs makes one blinded output per amount for keyset ks.
func (f *Fixture) Outputs(ks *ledger.Keyset, amounts ...uint64) ([]Blank, []ledger.BlindedMessage) {
	blanks := make([]Blank, len(amounts))
	msgs := make([]ledger.BlindedMessage, len(amounts))
	for i, a := range amounts {
		var sec [32]byte
		rand.Read(sec[:])
		b := Blank{Secret: hex.EncodeToString(sec[:])}
		rand.Read(sec[:])
		b.R.SetBytes(&sec)
		B, err := ledger.Blind([]byte(b.Secret), &b.R)
		if err != nil {
			f.T.Fatal(err)
		}
		b.Msg = ledger.BlindedMessage{Amount: a, ID: ks.ID, B: ledger.PointOf(B)}
		blanks[i], msgs[i] = b, b.Msg
	}
	return blanks, msgs
}

// Unblind turns signatures on blanks into proofs, checking each DLEQ.
func (f *Fixture) Unblind(ks *ledger.Keyset, blanks []Blank, sigs []ledger.BlindSignature) []ledger.Proof {
	if len(sigs) != len(blanks) {
		f.T.Fatalf("%d signatures for %d outputs", len(sigs), len(blanks))
	}
	out := make([]ledger.Proof, len(sigs))
	for i, s := range sigs {
		pub, _ := ks.PublicKey(s.Amount)
		c, err := s.C.Key()
		if err != nil {
			f.T.Fatal(err)
		}
		B, _ := blanks[i].Msg.B.Key()
		if s.DLEQ == nil || !ledger.VerifyDLEQ(*s.DLEQ, pub, B, c) {
			f.T.Fatal("signature without a valid DLEQ")
		}
		C, err := ledger.Unblind(c, &blanks[i].R, pub)
		if err != nil {
			f.T.Fatal(err)
		}
		r := ledger.Scalar(blanks[i].R.Bytes())
		out[i] = ledger.Proof{Amount: s.Amount, ID: s.ID, Secret: blanks[i].Secret, C: ledger.PointOf(C),
			DLEQ: &ledger.DLEQ{E: s.DLEQ.E, S: s.DLEQ.S, R: &r}}
	}
	return out
}

// Issue mints proofs of the given amounts through a paid quote.
func (f *Fixture) Issue(amounts ...uint64) []ledger.Proof {
	ctx := context.Background()
	var total uint64
	for _, a := range amounts {
		total += a
	}
	q, err := f.Mint.CreateQuote(ctx, total, ledger.Unit)
	if err != nil {
		f.T.Fatal(err)
	}
	if _, err := f.Mint.PayQuote(ctx, q.ID, "cash"); err != nil {
		f.T.Fatal(err)
	}
	ks, err := f.Mint.ActiveKeyset()
	if err != nil {
		f.T.Fatal(err)
	}
	blanks, msgs := f.Outputs(ks, amounts...)
	sigs, err := f.Mint.MintTokens(ctx, ledger.MintRequest{Quote: q.ID, Outputs: msgs})
	if err != nil {
		f.T.Fatal(err)
	}
	return f.Unblind(ks, blanks, sigs.Signatures)
}

// Keyset returns the keyset of id.
func (f *Fixture) Keyset(id ledger.KeysetID) *ledger.Keyset {
	ks, err := f.Mint.Keyset(id)
	if err != nil {
		f.T.Fatal(err)
	}
	return ks
}

// Ys returns the public hashes of proofs.
func Ys(t testing.TB, ps []ledger.Proof) []ledger.Point {
	out := make([]ledger.Point, len(ps))
	for i, p := range ps {
		y, err := p.Y()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = y
	}
	return out
}
