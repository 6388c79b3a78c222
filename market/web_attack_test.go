package market_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"cyclecash/market"
	"cyclecash/market/storetest"
)

func listingCount(t *testing.T, s *site) int {
	ls, err := s.Market.Operator().Listings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(ls)
}

var listingForm = url.Values{"title": {"t"}, "category": {"data"}, "price": {"3"}}

// TestCSRF: a forged form (another site's page posting with the victim's
// cookie, which SameSite=Strict already withholds) lacks the token bound
// to the victim's cookie and is refused with nothing changed.
func TestCSRF(t *testing.T) {
	s := newSite(t)
	victim, attacker := s.client(), s.client()
	victim.signup()
	for name, tok := range map[string]string{"none": "", "attacker's": attacker.csrf(), "garbage": "00"} {
		v := url.Values{"title": {"t"}, "category": {"data"}, "price": {"3"}}
		if tok != "" {
			v.Set("csrf", tok)
		}
		code, body := victim.postRaw("/sell", v.Encode())
		if code != 403 || errorLine(body) != market.ErrCSRF.Error() {
			t.Errorf("%s token: %d %q", name, code, errorLine(body))
		}
	}
	if n := listingCount(t, s); n != 0 {
		t.Fatalf("%d listings created by forged forms", n)
	}
	if code, _ := victim.submit("/sell", listingForm); code != 200 || listingCount(t, s) != 1 {
		t.Fatal("the real form failed")
	}
}

func TestOversizedBody(t *testing.T) {
	s := newSite(t)
	c := s.client()
	c.signup()
	v := url.Values{"csrf": {c.csrf()}, "title": {"t"}, "category": {"data"}, "price": {"3"},
		"description": {strings.Repeat("a", 70<<10)}}
	if code, body := c.postRaw("/sell", v.Encode()); code != 413 || errorLine(body) != market.ErrTooLarge.Error() {
		t.Fatalf("oversized: %d %q", code, errorLine(body))
	}
	if listingCount(t, s) != 0 {
		t.Fatal("oversized form created a listing")
	}
}

// TestBadInput: every form's bad input gives its one-line message and
// changes nothing (the books and the listings stay as they were).
func TestBadInput(t *testing.T) {
	s := newSite(t)
	c := s.client()
	c.signup()
	c.submit("/sell", url.Values{"title": {"ok"}, "category": {"data"}, "price": {"3"}})
	l := c.path()
	buyer := s.client()
	buyer.signup()
	op := s.client()
	op.submit("/op/login", url.Values{"secret": {storetest.OperatorSecret}})
	before, _ := s.Market.Report(context.Background())
	cases := []struct {
		who        *client
		path       string
		form       url.Values
		code       int
		wantPrefix string
	}{
		{c, "/sell", url.Values{"title": {""}, "category": {"data"}, "price": {"3"}}, 400, "market: bad input: title must be 1 to 120"},
		{c, "/sell", url.Values{"title": {"x"}, "category": {"toys"}, "price": {"3"}}, 400, "market: bad input: category must be"},
		{c, "/sell", url.Values{"title": {"x"}, "category": {"data"}, "price": {"-1"}}, 400, "market: bad input: price must be"},
		{c, "/sell", url.Values{"title": {"x\x00"}, "category": {"data"}, "price": {"1"}}, 400, "market: bad input: title holds a control"},
		{c, l + "/edit", url.Values{"title": {"x"}, "category": {"data"}, "price": {"0"}}, 400, "market: bad input: price must be"},
		{buyer, l + "/edit", listingForm, 403, "market: not yours"},
		{buyer, l + "/withdraw", nil, 403, "market: not yours"},
		{buyer, l + "/buy", url.Values{"qty": {"0"}, "price": {"3"}, "token": {"cashuBx"}}, 400, "market: bad input: qty must be"},
		{buyer, l + "/buy", url.Values{"price": {"3"}, "token": {"hello"}}, 400, "market: bad input: token must be a cashuB"},
		{buyer, l + "/buy", url.Values{"price": {"3"}, "token": {"cashuBnotbase64!"}}, 400, "market: not a valid cashuB token"},
		{buyer, l + "/buy", url.Values{"token": {"cashuBx"}}, 400, "market: bad input: price is missing"},
		{buyer, l + "/buy", url.Values{"price": {"3"}, "pay": {"balance"}}, 409, "market: balance too low"},
		{buyer, l + "/buy", url.Values{"price": {"2"}, "pay": {"balance"}}, 409, "market: the price changed"},
		{buyer, l + "/buy", url.Values{"price": {"3"}, "pay": {"balance"}, "nonce": {"xyz"}}, 400, "market: bad input: the form is missing its nonce"},
		{c, l + "/buy", url.Values{"price": {"3"}, "pay": {"balance"}}, 409, "market: you cannot buy your own listing"},
		{buyer, "/withdraw", url.Values{"amount": {"1"}}, 409, "market: balance too low"},
		{buyer, "/withdraw", url.Values{"amount": {"abc"}}, 400, "market: bad input: amount must be"},
		{buyer, "/cash/sell", url.Values{"amount": {"1"}, "token": {"cashuBAAAA"}, "payout": {""}}, 400, "market: bad input: payout must be"},
		{buyer, "/cash/sell", url.Values{"amount": {"1"}, "token": {"cashuBAAAA"}, "payout": {"bank"}}, 400, "market: not a valid cashuB"},
		{buyer, "/cash/sell", url.Values{"amount": {"0"}}, 400, "market: bad input: amount must be"},
		{buyer, "/cash/buy", url.Values{"offer": {"ZZ"}, "amount": {"1"}}, 400, "market: bad input: offer is not a valid id"},
		{buyer, "/cash/buy", url.Values{"offer": {"abc"}, "amount": {"1"}}, 404, "market: not found"},
		{buyer, "/o/abc/message", url.Values{"text": {strings.Repeat("x", 2001)}}, 400, "market: bad input: text must be 1 to 2000"},
		{buyer, "/o/abc/message", url.Values{"text": {"hi"}}, 404, "market: not found"},
		{buyer, "/o/abc/dispute", url.Values{"reason": {""}}, 400, "market: bad input: reason must be"},
		{buyer, "/o/abc/confirm", nil, 404, "market: not found"},
		{buyer, "/o/a.b/confirm", nil, 404, "market: not found"},
		{buyer, "/o/abc/change-received", nil, 404, "market: not found"},
		{buyer, "/w/abc/received", nil, 404, "market: not found"},
		{buyer, "/login", url.Values{"secret": {"00112233445566778899aabbccddeeff"}}, 403, "market: unknown account secret"},
		{buyer, "/op/settle", url.Values{"id": {"abc"}, "decision": {"release"}}, 403, "market: operator only"},
		{buyer, "/op/login", url.Values{"secret": {"guess"}}, 403, "market: wrong operator secret"},
		{op, "/op/settle", url.Values{"id": {"abc"}, "decision": {"maybe"}}, 400, "market: bad input: decision must be"},
		{op, "/op/settle", url.Values{"id": {"abc"}, "decision": {"release"}}, 404, "market: not found"},
		{op, "/op/cash", url.Values{"id": {"a/b"}, "decision": {"paid"}}, 400, "market: bad input: id is not a valid id"},
		{op, "/op/cash", url.Values{"id": {"abc"}, "decision": {"paid"}}, 404, "market: not found"},
		{op, "/op/offer", url.Values{"price": {""}, "min": {"1"}}, 400, "market: bad input: price must be"},
		{op, "/op/offer", url.Values{"price": {"1 EUR"}, "min": {"9"}, "max": {"2"}}, 400, "market: bad input: max must not be below min"},
		{op, "/op/offer/withdraw", url.Values{"id": {"abc"}}, 404, "market: not found"},
	}
	for _, tc := range cases {
		code, body := tc.who.submit(tc.path, tc.form)
		if line := errorLine(body); code != tc.code || !strings.HasPrefix(line, tc.wantPrefix) {
			t.Errorf("POST %s %v: %d %q, want %d %q", tc.path, tc.form, code, line, tc.code, tc.wantPrefix)
		}
	}
	after, _ := s.Market.Report(context.Background())
	offers, _ := s.Market.Offers(context.Background(), true)
	if after != before || listingCount(t, s) != 1 || len(offers) != 0 {
		t.Fatalf("state changed: %+v -> %+v", before, after)
	}
	if lst, _ := s.Market.Listing(context.Background(), strings.TrimPrefix(l, "/l/")); lst.Title != "ok" || lst.Withdrawn {
		t.Fatalf("listing changed: %+v", lst)
	}
	if code, body := c.get("/?min=9&max=3"); code != 400 || !strings.HasPrefix(errorLine(body), "market: bad input: max must not") {
		t.Fatalf("bad search: %d %q", code, errorLine(body))
	}
}

// TestRateLimits: account creation, login and token submission are
// limited per front-end; the bucket refills with the (injected) clock.
func TestRateLimits(t *testing.T) {
	e := storetest.NewEnv(t, market.NewMemStore())
	m, err := market.New(context.Background(), market.Config{Store: e.Store, Mint: e.Mint, MintURL: e.MintSrv.URL, Now: e.Clock.Now,
		Limits: market.Limits{SignupBurst: 2, SignupPerMinute: 1, LoginBurst: 1, LoginPerMinute: 1, TokenBurst: 1, TokenPerMinute: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 2 {
		if _, err := m.CreateAccount(ctx); err != nil {
			t.Fatalf("signup %d: %v", i, err)
		}
	}
	if _, err := m.CreateAccount(ctx); err != market.ErrRateLimited {
		t.Fatalf("third signup: %v", err)
	}
	e.Clock.Advance(time.Minute)
	a, err := m.CreateAccount(ctx)
	if err != nil {
		t.Fatalf("after a minute: %v", err)
	}
	m.Login(ctx, "wrong")
	if _, err := m.Login(ctx, a.Secret); err != market.ErrRateLimited {
		t.Fatalf("login flood: %v", err)
	}
	l, _ := m.CreateListing(ctx, a.Key, market.ListingInput{Title: "x", Category: "data", Price: 1, Quantity: 9})
	b, _ := e.Market.CreateAccount(ctx)
	if _, err := m.BuyWithToken(ctx, b.Key, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, e.Token(1)); err != nil {
		t.Fatal(err)
	}
	tok := e.Token(1)
	if _, err := m.BuyWithToken(ctx, b.Key, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, tok); err != market.ErrRateLimited {
		t.Fatalf("token flood: %v", err)
	}
	if e.State(tok)[0] != "UNSPENT" {
		t.Fatal("a rate-limited token was swapped")
	}
}

// TestOperatorView: the view needs the operator secret; with it the
// operator settles a dispute through the page.
func TestOperatorView(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	seller, l := s.Seller(4, 1)
	buyer := s.Account()
	o, err := s.Market.BuyWithToken(ctx, buyer, market.Item{Listing: l.ID, Qty: 1, Price: l.Price}, s.Token(4))
	if err != nil {
		t.Fatal(err)
	}
	s.Market.Dispute(ctx, buyer, o.ID, "broken <i>item</i>")
	op := s.client()
	if _, body := op.get("/op"); strings.Contains(body, "Units held") {
		t.Fatal("totals shown without the secret")
	}
	if code, _ := op.submit("/op/login", url.Values{"secret": {storetest.OperatorSecret}}); code != 200 {
		t.Fatal("operator login")
	}
	_, body := op.get("/op")
	if !strings.Contains(body, "broken &lt;i&gt;item") || !strings.Contains(body, "Units held") {
		t.Fatal("dispute or totals missing")
	}
	if code, _ := op.submit("/op/settle", url.Values{"id": {o.ID}, "decision": {"release"}}); code != 200 {
		t.Fatal("settle")
	}
	if s.Balance(seller) != 4 {
		t.Fatal("release did not credit the seller")
	}
}

// TestSignupUnderLoginFlood: a flood of logins cannot make a new account's
// secret go unshown (the account would exist with nobody knowing it).
func TestSignupUnderLoginFlood(t *testing.T) {
	e := storetest.NewEnv(t, market.NewMemStore())
	m, err := market.New(context.Background(), market.Config{Store: e.Store, Mint: e.Mint, MintURL: e.MintSrv.URL,
		Now: e.Clock.Now, Limits: market.Limits{LoginBurst: 1, LoginPerMinute: 1}})
	if err != nil {
		t.Fatal(err)
	}
	m.Login(context.Background(), "flood")
	srv := httptest.NewServer(m)
	defer srv.Close()
	c := (&site{e, srv}).client()
	if code, body := c.submit("/signup", nil); code != 200 || !strings.Contains(body, `id="secret"`) {
		t.Fatalf("signup during a login flood: %d %q", code, errorLine(body))
	}
}
