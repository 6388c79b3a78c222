package market_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cyclecash/market"
)

// TestMessagesPerOrderBounded: a buyer (or seller) of one cheap order must
// not be able to fill B's store without end through its message thread.
func TestMessagesPerOrderBounded(t *testing.T) {
	ctx := context.Background()
	s := newSite(t)
	_, l := s.Seller(1, 1)
	buyer := s.Account()
	o, err := s.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: 1}, s.Token(1))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("x", market.MaxMessage)
	for i := range market.MaxMessagesPerOrder {
		if err := s.Market.PostMessage(ctx, buyer, o.ID, text); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if err := s.Market.PostMessage(ctx, buyer, o.ID, text); !errors.Is(err, market.ErrBadInput) {
		t.Fatalf("message over the bound: %v, want %v", err, market.ErrBadInput)
	}
	if msgs, _ := s.Market.Messages(ctx, o.ID); len(msgs) != market.MaxMessagesPerOrder {
		t.Fatalf("%d messages kept, want %d", len(msgs), market.MaxMessagesPerOrder)
	}
}
