package node

import (
	"context"
	"errors"
	"testing"

	"cyclecash/ledger"
	"cyclecash/node/mint"
)

// TestControlAPIErrorsAreSentinels: a refusal over the control API comes
// back as its sentinel (errors.Is), not as free text the caller would have
// to compare: the mint's Cashu code and the buyer's work code both decode.
func TestControlAPIErrorsAreSentinels(t *testing.T) {
	t.Parallel()
	n := runNode(t, t.TempDir(), "gateway")
	c := n.Client()
	ctx := context.Background()
	_, err := c.PayQuote(ctx, "nope")
	var ae *APIError
	if !errors.Is(err, ledger.ErrUnknownQuote) || !errors.As(err, &ae) || ae.Code != mint.CodeOf(ledger.ErrUnknownQuote) {
		t.Fatalf("unknown quote: %v, want ledger.ErrUnknownQuote", err)
	}
	if errors.Is(err, ledger.ErrAlreadySpent) || errors.Is(err, ErrJob) {
		t.Fatalf("unknown quote decoded as another sentinel: %v", err)
	}
	_, err = c.SubmitJob(ctx, &JobRequest{Module: []byte("m"), Inputs: [][]byte{{1}}})
	if !errors.Is(err, ErrJob) || errors.Is(err, ErrPayment) {
		t.Fatalf("job without a budget: %v, want ErrJob", err)
	}
}
