package market_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cyclecash/market/storetest"
)

// TestCashPages: a user sells units for cash through the page, the
// operator settles it in the operator view, posts an offer, and the user
// buys units for cash from it; the user's page shows each state.
func TestCashPages(t *testing.T) {
	s := newSite(t)
	user, op := s.client(), s.client()
	key, _, _ := user.signup()
	code, body := user.submit("/cash/sell", url.Values{"amount": {"6"}, "token": {s.Token(8)}, "payout": {"IBAN XX00 <1234>"}})
	if code != 200 || !strings.Contains(body, `<td class="state">open</td>`) || !strings.Contains(body, "change:") {
		t.Fatalf("sell: %d %q", code, errorLine(body))
	}
	op.submit("/op/login", url.Values{"secret": {storetest.OperatorSecret}})
	_, body = op.get("/op")
	if !strings.Contains(body, "IBAN XX00 &lt;1234&gt;") {
		t.Fatal("payout instruction not shown (escaped) to the operator")
	}
	id := regexp.MustCompile(`Sell ([0-9a-f]+):`).FindStringSubmatch(body)[1]
	op.submit("/op/cash", url.Values{"id": {id}, "decision": {"paid"}, "note": {"sent by bank"}})
	if _, body = user.get("/cash"); !strings.Contains(body, `<td class="state">paid</td>`) {
		t.Fatal("user does not see the sale paid")
	}
	op.submit("/op/offer", url.Values{"price": {"0.02 EUR per unit"}, "min": {"1"}, "max": {"50"}, "terms": {"bank transfer"}})
	_, body = user.get("/cash")
	offer := regexp.MustCompile(`name="offer" value="([0-9a-f]+)"`).FindStringSubmatch(body)[1]
	user.submit("/cash/buy", url.Values{"offer": {offer}, "amount": {"5"}, "note": {"ref 77"}})
	_, body = op.get("/op")
	buy := regexp.MustCompile(`Buy ([0-9a-f]+):`).FindStringSubmatch(body)[1]
	op.submit("/op/cash", url.Values{"id": {buy}, "decision": {"paid"}})
	if _, body = user.get("/cash"); strings.Count(body, `<td class="state">paid</td>`) != 2 {
		t.Fatal("user does not see the purchase paid")
	}
	if s.Balance(key) != 5 {
		t.Fatalf("balance %d, want 5", s.Balance(key))
	}
	tot, _ := s.Market.Report(context.Background())
	if tot.SoldForCash != 6 || tot.BoughtForCash != 5 || tot.Operator != 1 {
		t.Fatalf("totals %+v", tot)
	}
	s.CheckBooks()
}
