package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// NUT-20 quote locking: a quote created with a public key is minted only
// by a request signed with the matching secret key, so knowing a quote ID
// (a payout's, seen on the way) is not enough to take its units.

// MintRequestMessage is the message a locked quote's mint request signs:
// the quote ID followed by each output's B_ in lower-case hex, in order.
func MintRequestMessage(quote string, outputs []BlindedMessage) []byte {
	msg := []byte(quote)
	for _, o := range outputs {
		msg = hex.AppendEncode(msg, o.B[:])
	}
	return msg
}

// SignMintRequest sets req.Signature with the secret key of the quote's
// pubkey; aux is BIP340's auxiliary randomness.
func SignMintRequest(req *MintRequest, key *secp256k1.ModNScalar, aux [32]byte) {
	h := sha256.Sum256(MintRequestMessage(req.Quote, req.Outputs))
	req.Signature = hex.EncodeToString(SignSchnorr(key, h, aux))
}

// checkQuoteSignature refuses a mint request of a locked quote without a
// valid signature.
func checkQuoteSignature(q Quote, req MintRequest) error {
	if q.Pubkey == nil {
		return nil
	}
	sig, err := hex.DecodeString(req.Signature)
	if err != nil || len(sig) != 64 {
		return fmt.Errorf("%w: missing or not 64 bytes of hex", ErrQuoteSignature)
	}
	h := sha256.Sum256(MintRequestMessage(req.Quote, req.Outputs))
	if !VerifySchnorr(q.Pubkey[:], h, sig) {
		return ErrQuoteSignature
	}
	return nil
}
