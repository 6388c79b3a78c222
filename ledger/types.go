package ledger

// Wire types shared by the mint, the HTTP API and the wallet, in Cashu's
// JSON shapes (NUT-00 "Models").

// Unit is the only currency unit this ledger serves.
const Unit = "cu"

// BlindedMessage is an output a wallet asks the mint to sign (NUT-00).
type BlindedMessage struct {
	Amount uint64   `json:"amount"`
	ID     KeysetID `json:"id"`
	B      Point    `json:"B_"`
}

// BlindSignature is the mint's signature on a BlindedMessage (NUT-00), with
// its DLEQ proof (NUT-12).
type BlindSignature struct {
	Amount uint64   `json:"amount"`
	ID     KeysetID `json:"id"`
	C      Point    `json:"C_"`
	DLEQ   *DLEQ    `json:"dleq,omitempty"`
}

// Proof is a hash pair's private part: secret x and signature C (NUT-00).
type Proof struct {
	Amount  uint64   `json:"amount"`
	ID      KeysetID `json:"id"`
	Secret  string   `json:"secret"`
	C       Point    `json:"C"`
	DLEQ    *DLEQ    `json:"dleq,omitempty"`
	Witness string   `json:"witness,omitempty"`
}

// Y returns the proof's public part hash_to_curve(secret).
func (p Proof) Y() (Point, error) {
	y, err := HashToCurve([]byte(p.Secret))
	if err != nil {
		return Point{}, err
	}
	return PointOf(y), nil
}

// State is a proof's spending state (NUT-07).
type State string

// Proof states as NUT-07 names them.
const (
	Unspent State = "UNSPENT"
	Pending State = "PENDING"
	Spent   State = "SPENT"
)

// ProofState is one answer of CheckState.
type ProofState struct {
	Y       Point   `json:"Y"`
	State   State   `json:"state"`
	Witness *string `json:"witness"`
}

// QuoteState is a mint quote's state (NUT-04).
type QuoteState string

// Quote states as NUT-04 names them.
const (
	QuoteUnpaid QuoteState = "UNPAID"
	QuotePaid   QuoteState = "PAID"
	QuoteIssued QuoteState = "ISSUED"
)

// Quote is a mint quote: a promise to issue Amount units once paid.
type Quote struct {
	ID      string     `json:"quote"`
	Request string     `json:"request"`
	Amount  uint64     `json:"amount"`
	Unit    string     `json:"unit"`
	State   QuoteState `json:"state"`
	Expiry  int64      `json:"expiry"`
	// Pubkey locks the quote (NUT-20): minting it needs a signature by
	// this key.
	Pubkey *Point `json:"pubkey,omitempty"`
	// PaidBy records who marked it paid ("cash" or "payout:<ref>"); not
	// part of the Cashu shape.
	PaidBy string `json:"-"`
}

// SwapRequest is NUT-03's POST /v1/swap body.
type SwapRequest struct {
	Inputs  []Proof          `json:"inputs"`
	Outputs []BlindedMessage `json:"outputs"`
}

// MintRequest is NUT-04's POST /v1/mint/{method} body; Signature is the
// NUT-20 signature (hex) required when the quote has a pubkey.
type MintRequest struct {
	Quote     string           `json:"quote"`
	Outputs   []BlindedMessage `json:"outputs"`
	Signature string           `json:"signature,omitempty"`
}

// Signatures is the response of swap and mint.
type Signatures struct {
	Signatures []BlindSignature `json:"signatures"`
}
