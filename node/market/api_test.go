package market

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cyclecash/market"
	"cyclecash/node/service"
	"cyclecash/node/service/servicetest"
)

// TestOperatorAPIChecksInput: the control API applies the operator
// view's checks; a bad request is refused with its one-line reason and
// its sentinel's code (it used to go out with code 0), and changes nothing.
func TestOperatorAPIChecksInput(t *testing.T) {
	sn := &servicetest.Net{}
	h := sn.NewHost("mk", "market", t.TempDir())
	s, err := Start(h, Config{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	call := func(method, path, body string) (int, string) {
		w := httptest.NewRecorder()
		h.API.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)))
		return w.Code, w.Body.String()
	}
	cases := []struct {
		path, body, want string
		err              error // the sentinel whose code the refusal carries
	}{
		{"/v1/market/offers", `{"Price":"0.02 EUR","Min":10,"Max":5}`, "max must not be below min", market.ErrBadInput},
		{"/v1/market/offers", `{"Price":"","Min":1,"Max":5}`, "price", market.ErrBadInput},
		{"/v1/market/offers", `{"Price":"1","Min":1,"Max":5,"Extra":1}`, "malformed", ErrBadRequest},
		{"/v1/market/orders/0123456789abcdef/settle", `{"to":"nobody"}`, "to must be buyer or seller", ErrBadRequest},
		{"/v1/market/orders/0123456789abcdef/settle", `{"to":"buyer"}`, "market: not found", market.ErrNotFound},
		{"/v1/market/cashout/0123456789abcdef/settle", `{"paid":true,"note":"` + strings.Repeat("x", market.MaxFreeText+1) + `"}`, "market:", market.ErrBadInput},
	}
	for _, c := range cases {
		code, body := call("POST", c.path, c.body)
		if e := service.DecodeError([]byte(body)); code == http.StatusOK || !strings.Contains(e.Detail, c.want) || e.Code == 0 || e.Code != CodeOf(c.err) {
			t.Errorf("POST %s %.40s: %d %s, want the code of %v", c.path, c.body, code, body, c.err)
		}
	}
	if offers, _ := s.Market().Offers(t.Context(), true); len(offers) != 0 {
		t.Fatalf("a refused offer was stored: %+v", offers)
	}
	if code, body := call("POST", "/v1/market/offers", `{"Price":"0.02 EUR","Min":1,"Max":500,"Terms":"SEPA"}`); code != 200 || !strings.Contains(body, `"active": true`) {
		t.Fatalf("valid offer: %d %s", code, body)
	}
	if code, body := call("GET", "/v1/market/status", ""); code != 200 || !strings.Contains(body, s.Addr()) {
		t.Fatalf("status: %d %s", code, body)
	}
}
