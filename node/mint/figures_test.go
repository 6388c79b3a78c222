package mint

import (
	"context"
	"testing"

	"cyclecash/ledger"
	"cyclecash/node/service"
	"cyclecash/node/service/servicetest"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// TestFigures: a started ledger reports its supply under FiguresLedger:
// the cap from Ĉ, and units issued today on today's keyset, outstanding
// until its expiry.
func TestFigures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var n servicetest.Net
	h := n.NewHost("gw", "gateway", t.TempDir())
	s, err := Start(h, Config{Capacity: 3000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	q, err := s.Mint().CreateQuote(ctx, 8, ledger.Unit)
	if err == nil {
		_, err = s.Mint().PayQuote(ctx, q.ID, "cash")
	}
	if err != nil {
		t.Fatal(err)
	}
	ks, err := s.Mint().ActiveKeyset()
	if err != nil {
		t.Fatal(err)
	}
	var r secp256k1.ModNScalar
	r.SetInt(7)
	b, err := ledger.Blind([]byte("figures test secret"), &r)
	if err != nil {
		t.Fatal(err)
	}
	out := ledger.BlindedMessage{Amount: 8, ID: ks.ID, B: ledger.PointOf(b)}
	if _, err := s.Mint().MintTokens(ctx, ledger.MintRequest{Quote: q.ID, Outputs: []ledger.BlindedMessage{out}}); err != nil {
		t.Fatal(err)
	}
	f, ok := h.Figures(ctx)[service.FiguresLedger].(service.LedgerFigures)
	if !ok || f.DailyCap != 80 || f.Outstanding != 8 || len(f.Days) == 0 {
		t.Fatalf("figures %+v", f)
	}
	today := f.Days[len(f.Days)-1]
	if today.Issued != 8 || today.Outstanding != 8 || !today.Expires.After(today.Day) {
		t.Fatalf("today %+v", today)
	}
}
