package market_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestWithdrawalSurvivesRefresh: the attacker is the network (or a
// browser) dropping the first answer to a withdrawal. The token must be
// shown again to its owner until it is claimed, or the units are lost;
// once spent at the mint it is no longer kept.
func TestWithdrawalSurvivesRefresh(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	seller, buyer := s.client(), s.client()
	seller.signup()
	buyer.signup()
	seller.submit("/sell", url.Values{"title": {"thing"}, "description": {"a thing"},
		"category": {"compute"}, "price": {"4"}, "quantity": {"1"}})
	listing := seller.path()
	w := s.Wallet()
	s.Fund(w, 4)
	tok, _ := w.Send(ctx, 4, "")
	buyer.submit(listing+"/buy", url.Values{"qty": {"1"}, "price": {"4"}, "token": {tok}, "pay": {"token"}})
	buyer.submit(buyer.path()+"/confirm", nil)
	code, body := seller.submit("/withdraw", url.Values{"amount": {"4"}})
	if code != 200 || !strings.HasPrefix(seller.path(), "/w/") {
		t.Fatalf("withdraw: %d %s", code, errorLine(body))
	}
	page := seller.path() // the first answer is lost; the user reloads
	_, body = seller.get(page)
	if !strings.Contains(body, `id="token"`) {
		t.Fatal("a reload of the withdrawal page lost the token")
	}
	if code, _ := buyer.get(page); code != 404 {
		t.Fatalf("another account sees the withdrawal: %d", code)
	}
	token := find(t, body, `(?s)id="token" readonly>([^<]+)<`)
	if got, err := s.Wallet().Receive(ctx, token); err != nil || got != 4 {
		t.Fatalf("receive: %d %v", got, err)
	}
	if _, body = seller.get(page); strings.Contains(body, `id="token"`) {
		t.Fatal("a spent withdrawal token is still shown")
	}
	s.CheckBooks()
}

// TestWithdrawalReceived: the owner confirms receipt and the market
// forgets the token at once; nobody else can make it forget.
func TestWithdrawalReceived(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	seller, buyer := s.client(), s.client()
	seller.signup()
	buyer.signup()
	seller.submit("/sell", url.Values{"title": {"thing"}, "description": {"a thing"},
		"category": {"compute"}, "price": {"4"}, "quantity": {"1"}})
	listing := seller.path()
	w := s.Wallet()
	s.Fund(w, 4)
	tok, _ := w.Send(ctx, 4, "")
	buyer.submit(listing+"/buy", url.Values{"qty": {"1"}, "price": {"4"}, "token": {tok}, "pay": {"token"}})
	buyer.submit(buyer.path()+"/confirm", nil)
	seller.submit("/withdraw", url.Values{"amount": {"4"}})
	page := seller.path()
	if code, _ := buyer.submit(page+"/received", nil); code != 404 {
		t.Fatalf("another account erased the token: %d", code)
	}
	if _, body := seller.get(page); !strings.Contains(body, `id="token"`) {
		t.Fatal("token gone before its owner confirmed")
	}
	if code, body := seller.submit(page+"/received", nil); code != 200 || strings.Contains(body, `id="token"`) {
		t.Fatalf("received: %d %s", code, errorLine(body))
	}
}
