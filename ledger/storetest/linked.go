package storetest

import (
	"context"
	"testing"

	"cyclecash/ledger"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Linked counts the proofs whose blinded message B_ = hash_to_curve(x) +
// r·G st holds a signature for, given each proof's blinding factor r (in
// its DLEQ): what a mint's operator could link if it learnt r. Proofs
// without r are skipped.
func Linked(t testing.TB, st ledger.Store, ps []ledger.Proof) int {
	t.Helper()
	var bs []ledger.Point
	for _, p := range ps {
		if p.DLEQ == nil || p.DLEQ.R == nil {
			continue
		}
		var r secp256k1.ModNScalar
		r.SetByteSlice(p.DLEQ.R[:])
		b, err := ledger.Blind([]byte(p.Secret), &r)
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, ledger.PointOf(b))
	}
	n := 0
	err := st.View(context.Background(), func(tx ledger.Tx) error {
		sigs, err := tx.Signatures(bs)
		for _, s := range sigs {
			if s != nil {
				n++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
