package market

import (
	"encoding/hex"
	"fmt"
	"io"

	"cyclecash/ledger"
	"cyclecash/ledger/wallet"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Premint is an output the market blinded for a swap, with what it needs to
// unblind the signature: the secret and blinding factor r. Mine says the
// market keeps the proof; otherwise it is handed out as a token.
type Premint struct {
	Msg    ledger.BlindedMessage `json:"msg"`
	Secret string                `json:"secret"`
	R      ledger.Scalar         `json:"r"`
	Mine   bool                  `json:"mine"`
}

// newOutputs blinds fresh random secrets in keyset id for total, one
// output per power of two (wallet.Split).
func newOutputs(rnd io.Reader, id ledger.KeysetID, total uint64, mine bool) ([]Premint, error) {
	amounts := wallet.Split(total)
	out := make([]Premint, 0, len(amounts))
	for _, a := range amounts {
		var buf [64]byte
		if _, err := io.ReadFull(rnd, buf[:]); err != nil {
			return nil, err
		}
		var r secp256k1.ModNScalar
		if r.SetByteSlice(buf[32:]) || r.IsZero() {
			return nil, fmt.Errorf("market: blinding factor out of range")
		}
		secret := hex.EncodeToString(buf[:32])
		b, err := ledger.Blind([]byte(secret), &r)
		if err != nil {
			return nil, err
		}
		out = append(out, Premint{Msg: ledger.BlindedMessage{Amount: a, ID: id, B: ledger.PointOf(b)},
			Secret: secret, R: ledger.Scalar(r.Bytes()), Mine: mine})
	}
	return out, nil
}

func messages(ps []Premint) []ledger.BlindedMessage {
	out := make([]ledger.BlindedMessage, len(ps))
	for i, p := range ps {
		out[i] = p.Msg
	}
	return out
}

// unblind checks that each signature answers its output under the
// keyset's key for its amount, then unblinds it with the wallet's own
// checks (wallet.UnblindSigned: NUT-12 DLEQ, so ledger.ErrBadDLEQ) and
// returns the proofs, each carrying DLEQ and r so their next holder can
// check them.
func unblind(vk *verifiedKeyset, pre []Premint, sigs []ledger.BlindSignature) ([]Proof, error) {
	if len(sigs) != len(pre) {
		return nil, fmt.Errorf("market: mint answered %d signatures for %d outputs", len(sigs), len(pre))
	}
	out := make([]Proof, len(sigs))
	for i, s := range sigs {
		p := pre[i]
		pub := vk.pubs[s.Amount]
		if pub == nil || s.Amount != p.Msg.Amount || s.ID != p.Msg.ID {
			return nil, fmt.Errorf("market: mint signature does not match its output")
		}
		var r secp256k1.ModNScalar
		r.SetBytes((*[32]byte)(&p.R))
		proof, err := wallet.UnblindSigned(pub, p.Msg.B, p.Secret, &r, s)
		if err != nil {
			return nil, fmt.Errorf("market: mint signature: %w", err)
		}
		out[i] = proof
	}
	return out, nil
}
