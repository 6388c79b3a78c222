package wallet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"cyclecash/ledger"
)

// APIError is an error answer of the gateway. errors.Is matches it
// against the ledger sentinel with the same Cashu code.
type APIError struct {
	Status int
	Code   int    `json:"code"`
	Detail string `json:"detail"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("gateway: %s (code %d, status %d)", e.Detail, e.Code, e.Status)
}

// Is reports whether target is a ledger sentinel with e's code.
func (e *APIError) Is(target error) bool {
	return e.Code != 0 && ledger.ErrorCode(target) == e.Code
}

// maxResponse bounds what the wallet reads from a gateway.
const maxResponse = 8 << 20

func (w *Wallet) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.st.Gateway+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("wallet: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("wallet: reading %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &APIError{Status: resp.StatusCode}
		if json.Unmarshal(raw, e) != nil || e.Detail == "" {
			e.Detail = http.StatusText(resp.StatusCode)
		}
		return e
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("wallet: bad answer from %s: %w", path, err)
	}
	return nil
}
