package market

// Everything the market knows of the ledger lives in this file: the token
// and proof types, BDHKE blinding and unblinding, DLEQ checks (NUT-12) and
// the mint's Cashu HTTP API (NUT-01/02/03/07). Inputs go to /v1/swap
// without their DLEQ (NUT-12: the DLEQ is for the receiver, not the mint).

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"cyclecash/ledger"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

type (
	// Proof is a held or transferred hash pair.
	Proof = ledger.Proof
	// SwapRequest is NUT-03's swap body.
	SwapRequest = ledger.SwapRequest
	// BlindSignature is the mint's signature on an output.
	BlindSignature = ledger.BlindSignature
	// KeysetID names a keyset.
	KeysetID = ledger.KeysetID
)

// KeysetInfo is one keyset as the mint lists it (NUT-02).
type KeysetInfo struct {
	ID          ledger.KeysetID `json:"id"`
	Unit        string          `json:"unit"`
	Active      bool            `json:"active"`
	FinalExpiry int64           `json:"final_expiry"`
}

// Keyset is a keyset with its public keys per amount (NUT-01).
type Keyset struct {
	KeysetInfo
	Keys map[string]ledger.Point `json:"keys"`
}

// Mint is the gateway's mint as the market uses it. HTTPMint is the real
// implementation; tests wrap it to inject failures.
type Mint interface {
	// Keys returns the keyset id with its keys (GET /v1/keys/{id}).
	Keys(ctx context.Context, id ledger.KeysetID) (Keyset, error)
	// Keysets lists the keysets (GET /v1/keysets).
	Keysets(ctx context.Context) ([]KeysetInfo, error)
	// Swap spends inputs for signatures on outputs (POST /v1/swap).
	Swap(ctx context.Context, req SwapRequest) ([]ledger.BlindSignature, error)
	// CheckState returns the states of the Ys (POST /v1/checkstate).
	CheckState(ctx context.Context, ys []ledger.Point) ([]ledger.ProofState, error)
}

// MintError is an answer of the mint refusing a request. The mint did
// nothing, so the request may be given up; errors.Is matches the ledger
// sentinel with the same Cashu code.
type MintError struct {
	Status int
	Code   int    `json:"code"`
	Detail string `json:"detail"`
}

func (e *MintError) Error() string { return fmt.Sprintf("market: mint refused: %s", e.Detail) }

// Is matches ledger sentinels by Cashu code.
func (e *MintError) Is(target error) bool {
	return e.Code != 0 && ledger.ErrorCode(target) == e.Code
}

// HTTPMint reaches a mint's Cashu HTTP API at BaseURL.
type HTTPMint struct {
	BaseURL string
	Client  *http.Client // nil means http.DefaultClient
}

var _ Mint = (*HTTPMint)(nil)

const maxMintAnswer = 4 << 20

func (m *HTTPMint) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(m.BaseURL, "/")+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	c := m.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrMintDown, path)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxMintAnswer))
	if err != nil {
		return fmt.Errorf("%w: %s", ErrMintDown, path)
	}
	if resp.StatusCode == http.StatusBadRequest {
		e := &MintError{Status: resp.StatusCode}
		if json.Unmarshal(raw, e) == nil && e.Code != 0 {
			return e
		}
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s answered %d", ErrMintDown, path, resp.StatusCode)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%w: bad answer from %s", ErrMintDown, path)
	}
	return nil
}

// Keys implements Mint.
func (m *HTTPMint) Keys(ctx context.Context, id ledger.KeysetID) (Keyset, error) {
	var ans struct{ Keysets []Keyset }
	if err := m.do(ctx, "GET", "/v1/keys/"+string(id), nil, &ans); err != nil {
		return Keyset{}, err
	}
	for _, k := range ans.Keysets {
		if k.ID == id {
			return k, nil
		}
	}
	return Keyset{}, fmt.Errorf("%w: keyset not listed", ErrBadToken)
}

// Keysets implements Mint.
func (m *HTTPMint) Keysets(ctx context.Context) ([]KeysetInfo, error) {
	var ans struct{ Keysets []KeysetInfo }
	err := m.do(ctx, "GET", "/v1/keysets", nil, &ans)
	return ans.Keysets, err
}

// Swap implements Mint.
func (m *HTTPMint) Swap(ctx context.Context, req SwapRequest) ([]ledger.BlindSignature, error) {
	var ans ledger.Signatures
	err := m.do(ctx, "POST", "/v1/swap", req, &ans)
	return ans.Signatures, err
}

// CheckState implements Mint.
func (m *HTTPMint) CheckState(ctx context.Context, ys []ledger.Point) ([]ledger.ProofState, error) {
	var ans struct {
		States []ledger.ProofState `json:"states"`
	}
	err := m.do(ctx, "POST", "/v1/checkstate", map[string]any{"Ys": ys}, &ans)
	return ans.States, err
}

// keyring caches keysets whose IDs were checked against their keys.
type keyring struct {
	mint Mint
	mu   sync.Mutex
	sets map[ledger.KeysetID]*verifiedKeyset
}

type verifiedKeyset struct {
	info KeysetInfo
	pubs map[uint64]*secp256k1.PublicKey
}

func (k *keyring) get(ctx context.Context, id ledger.KeysetID) (*verifiedKeyset, error) {
	k.mu.Lock()
	vk := k.sets[id]
	k.mu.Unlock()
	if vk != nil {
		return vk, nil
	}
	ks, err := k.mint.Keys(ctx, id)
	if err != nil {
		return nil, err
	}
	vk, err = verifyKeyset(ks)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.sets[id] = vk
	k.mu.Unlock()
	return vk, nil
}

// verifyKeyset checks that the ID commits to the keys, unit and expiry
// (NUT-02), so the mint cannot show the market a key the ID does not name.
func verifyKeyset(ks Keyset) (*verifiedKeyset, error) {
	if ks.Unit != ledger.Unit {
		return nil, fmt.Errorf("%w: unit %q", ErrBadToken, ks.Unit)
	}
	points := map[uint64]ledger.Point{}
	vk := &verifiedKeyset{info: ks.KeysetInfo, pubs: map[uint64]*secp256k1.PublicKey{}}
	for a, p := range ks.Keys {
		amount, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: key amount", ErrBadToken)
		}
		pub, err := p.Key()
		if err != nil {
			return nil, fmt.Errorf("%w: key", ErrBadToken)
		}
		points[amount], vk.pubs[amount] = p, pub
	}
	if ledger.DeriveKeysetID(points, ks.Unit, ks.FinalExpiry) != ks.ID {
		return nil, fmt.Errorf("%w: keyset id does not match its keys", ErrBadToken)
	}
	return vk, nil
}

// decodeToken parses a pasted token string.
func decodeToken(s string) ([]Proof, error) {
	tok, err := ledger.DecodeToken(s)
	if err != nil || tok.Unit != ledger.Unit || len(tok.Proofs) == 0 {
		return nil, ErrBadToken
	}
	return tok.Proofs, nil
}

// encodeToken makes a cashuB token of proofs for the mint at mintURL.
func encodeToken(mintURL string, ps []Proof) (string, error) {
	return ledger.Token{Mint: mintURL, Unit: ledger.Unit, Proofs: ps}.Encode()
}

// proofY returns hex(hash_to_curve(secret)), the proof's public name.
func proofY(p Proof) (string, error) {
	y, err := p.Y()
	if err != nil {
		return "", ErrBadToken
	}
	return hex.EncodeToString(y[:]), nil
}

// checkDLEQ verifies a proof's DLEQ offline (NUT-12 "Carol verifies").
func checkDLEQ(vk *verifiedKeyset, p Proof) error {
	pub := vk.pubs[p.Amount]
	if pub == nil || !ledger.VerifyProofDLEQ(p, pub) {
		return fmt.Errorf("%w: dleq proof missing or invalid", ErrBadToken)
	}
	return nil
}

// stripDLEQ returns the inputs as the mint wants them: without DLEQ.
func stripDLEQ(ps []Proof) []Proof {
	out := make([]Proof, len(ps))
	for i, p := range ps {
		p.DLEQ = nil
		out[i] = p
	}
	return out
}

// isRefusal reports a definitive answer of the mint: it did nothing.
func isRefusal(err error) bool {
	var me *MintError
	return errors.As(err, &me)
}

// spentRefusal reports the mint refusing inputs as spent or pending.
func spentRefusal(err error) bool {
	return errors.Is(err, ledger.ErrAlreadySpent) || errors.Is(err, ledger.ErrPending)
}

// unspentAt asks the mint for the states of Ys (hex) and reports which
// are unspent.
func unspentAt(ctx context.Context, mint Mint, ys []string) ([]bool, error) {
	pts := make([]ledger.Point, len(ys))
	for i, y := range ys {
		if err := pts[i].UnmarshalText([]byte(y)); err != nil {
			return nil, err
		}
	}
	states, err := mint.CheckState(ctx, pts)
	if err != nil || len(states) != len(ys) {
		return nil, orErr(err, ErrMintDown)
	}
	out := make([]bool, len(ys))
	for i, s := range states {
		out[i] = s.State == ledger.Unspent
	}
	return out, nil
}

func newKeyring(m Mint) *keyring {
	return &keyring{mint: m, sets: map[ledger.KeysetID]*verifiedKeyset{}}
}
