package market

// Everything the market knows of the ledger lives in the ledger_*.go
// files: here the mint's Cashu HTTP API (NUT-01/02/03/07) and the type
// aliases; keyset and token checks in ledger_keys.go; BDHKE blinding and
// unblinding in ledger_outputs.go. Inputs go to /v1/swap without their
// DLEQ (NUT-12: the DLEQ is for the receiver, not the mint).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"cyclecash/ledger"
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
	Client  *http.Client // nil means a client with a 30 s timeout
}

var defaultClient = &http.Client{Timeout: 30 * time.Second}

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
		c = defaultClient
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
