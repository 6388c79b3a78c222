package wallet

import (
	"fmt"

	"cyclecash/ledger"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// premint is an output the wallet derived and is about to have signed.
type premint struct {
	msg    ledger.BlindedMessage
	secret string
	r      secp256k1.ModNScalar
}

// split returns the powers of two that add up to n, largest first.
func split(n uint64) []uint64 {
	var out []uint64
	for i := 63; i >= 0; i-- {
		if n&(1<<i) != 0 {
			out = append(out, 1<<i)
		}
	}
	return out
}

// derive makes outputs for amounts from the next counters of keyset id and
// advances the counter (the caller saves it before the request goes out,
// so a counter is never reused for a different output).
func (w *Wallet) derive(id ledger.KeysetID, amounts []uint64) ([]premint, error) {
	out := make([]premint, len(amounts))
	for i, a := range amounts {
		p, err := w.deriveAt(id, w.st.Counters[id], a)
		if err != nil {
			return nil, err
		}
		out[i] = p
		w.st.Counters[id]++
	}
	return out, nil
}

func (w *Wallet) deriveAt(id ledger.KeysetID, counter, amount uint64) (premint, error) {
	sec, r, err := Derive(w.st.Seed, id, counter)
	if err != nil {
		return premint{}, err
	}
	b, err := ledger.Blind([]byte(sec), &r)
	if err != nil {
		return premint{}, err
	}
	return premint{msg: ledger.BlindedMessage{Amount: amount, ID: id, B: ledger.PointOf(b)}, secret: sec, r: r}, nil
}

func messages(ps []premint) []ledger.BlindedMessage {
	out := make([]ledger.BlindedMessage, len(ps))
	for i, p := range ps {
		out[i] = p.msg
	}
	return out
}

// unblind checks each signature's DLEQ (NUT-12: a wallet MUST verify it)
// and returns the proofs, carrying the DLEQ and r for the next holder.
func unblind(ks *keysetKeys, pre []premint, sigs []ledger.BlindSignature) ([]ledger.Proof, error) {
	if len(sigs) != len(pre) {
		return nil, fmt.Errorf("wallet: %d signatures for %d outputs", len(sigs), len(pre))
	}
	out := make([]ledger.Proof, len(sigs))
	for i, s := range sigs {
		p, err := unblindOne(ks, pre[i], s)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

func unblindOne(ks *keysetKeys, pre premint, s ledger.BlindSignature) (ledger.Proof, error) {
	if s.ID != ks.ID || s.Amount != pre.msg.Amount {
		return ledger.Proof{}, fmt.Errorf("wallet: signature does not match its output")
	}
	pub, err := ks.pub(s.Amount)
	if err != nil {
		return ledger.Proof{}, err
	}
	return UnblindSigned(pub, pre.msg.B, pre.secret, &pre.r, s)
}

// Split returns the powers of two that add up to n, largest first: the
// amounts of the outputs a wallet, or a mint making change, asks for.
func Split(n uint64) []uint64 { return split(n) }

// UnblindSigned checks the signature s on output B (blinded from secret
// with r) against the mint's key pub (NUT-12 DLEQ) and returns the proof,
// carrying the DLEQ and r for the next holder.
func UnblindSigned(pub *secp256k1.PublicKey, B ledger.Point, secret string, r *secp256k1.ModNScalar, s ledger.BlindSignature) (ledger.Proof, error) {
	c, err := s.C.Key()
	if err != nil {
		return ledger.Proof{}, err
	}
	b, _ := B.Key()
	if s.DLEQ == nil || !ledger.VerifyDLEQ(*s.DLEQ, pub, b, c) {
		return ledger.Proof{}, ledger.ErrBadDLEQ
	}
	C, err := ledger.Unblind(c, r, pub)
	if err != nil {
		return ledger.Proof{}, err
	}
	rs := ledger.Scalar(r.Bytes())
	return ledger.Proof{Amount: s.Amount, ID: s.ID, Secret: secret, C: ledger.PointOf(C),
		DLEQ: &ledger.DLEQ{E: s.DLEQ.E, S: s.DLEQ.S, R: &rs}}, nil
}
