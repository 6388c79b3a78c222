package market_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestSearchPages: 25 matching listings make two pages; a withdrawn
// listing and an edited-away title no longer match.
func TestSearchPages(t *testing.T) {
	s := newSite(t)
	c := s.client()
	c.signup()
	var first, second string
	for i := range 25 {
		c.submit("/sell", url.Values{"title": {fmt.Sprintf("widget %02d", i)}, "category": {"goods"}, "price": {"2"}})
		switch i {
		case 0:
			first = c.path()
		case 1:
			second = c.path()
		}
	}
	_, body := c.get("/?q=WIDGET")
	if n := strings.Count(body, `<a href="/l/`); n != 20 || !strings.Contains(body, `id="next"`) {
		t.Fatalf("page 0: %d results", n)
	}
	next := find(t, body, `href="([^"]+)" id="next"`)
	_, body = c.get(next)
	if n := strings.Count(body, `<a href="/l/`); n != 5 || strings.Contains(body, `id="next"`) {
		t.Fatalf("page 1: %d results", n)
	}
	c.submit(first+"/withdraw", nil)
	c.submit(second+"/edit", url.Values{"title": {"gadget"}, "category": {"goods"}, "price": {"2"}})
	_, body = c.get("/?q=widget&page=1")
	if n := strings.Count(body, `<a href="/l/`); n != 3 {
		t.Fatalf("after withdraw and edit: %d on page 1, want 3", n)
	}
	if _, body = c.get("/?q=gadget"); !strings.Contains(body, second) {
		t.Fatal("edited title not found")
	}
	if code, body := c.submit(first+"/edit", url.Values{"title": {"x"}, "category": {"goods"}, "price": {"2"}}); code != 409 || errorLine(body) != "market: listing withdrawn" {
		t.Fatalf("editing a withdrawn listing: %d %q", code, errorLine(body))
	}
	if _, body = s.client().get(first); !strings.Contains(body, "Withdrawn.") || strings.Contains(body, `id="buy"`) {
		t.Fatal("withdrawn listing still offers a buy form")
	}
}

// TestOrderPrivacy: a third account can neither read an order nor post
// to it.
func TestOrderPrivacy(t *testing.T) {
	s := newSite(t)
	_, l := s.Seller(1, 1)
	buyer := s.client()
	buyer.signup()
	code, _ := buyer.submit("/l/"+l.ID+"/buy", url.Values{"price": {"1"}, "token": {s.Token(1)}})
	if code != 200 {
		t.Fatal("buy")
	}
	order := buyer.path()
	stranger := s.client()
	stranger.signup()
	if code, _ := stranger.get(order); code != 404 {
		t.Fatalf("stranger reads the order: %d", code)
	}
	if code, _ := stranger.submit(order+"/message", url.Values{"text": {"hi"}}); code != 404 {
		t.Fatalf("stranger posts: %d", code)
	}
	if code, _ := stranger.submit(order+"/confirm", nil); code != 404 {
		t.Fatalf("stranger confirms: %d", code)
	}
	if code, _ := stranger.submit(order+"/dispute", url.Values{"reason": {"mine now"}}); code != 404 {
		t.Fatalf("stranger disputes: %d", code)
	}
	// A 404 after the redirect would hide an action that went through:
	// the order itself must be as it was.
	ctx := t.Context()
	id := strings.TrimPrefix(order, "/o/")
	if msgs, _ := s.Market.Messages(ctx, id); len(msgs) != 0 {
		t.Fatalf("a stranger's message was stored: %+v", msgs)
	}
	if o, err := s.Market.Order(ctx, id); err != nil || string(o.State) != "escrow" {
		t.Fatalf("order after a stranger's forms: %s %v", o.State, err)
	}
}
