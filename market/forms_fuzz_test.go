package market_test

import (
	"net/url"
	"reflect"
	"strconv"
	"testing"
	"unicode/utf8"

	"cyclecash/market"
)

// Each form decoder is fuzzed with raw urlencoded bodies. Property: a
// decoder never panics; whatever it accepts is within the limits, and
// encoding the accepted value back into a form decodes to the same value.

func u(n uint64) string { return strconv.FormatUint(n, 10) }

func fuzzForm[T any](f *testing.F, seeds []string, decode func(url.Values) (T, error),
	encode func(T) url.Values, valid func(T) bool) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		got, err := decode(v)
		if err != nil {
			return
		}
		if !valid(got) {
			t.Fatalf("accepted out of limits: %+v", got)
		}
		again, err := decode(encode(got))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("round trip: %+v -> %+v, %v", got, again, err)
		}
	})
}

func okText(s string, max int) bool { return len(s) <= max && utf8.ValidString(s) }

func FuzzDecodeListing(f *testing.F) {
	fuzzForm(f, []string{"title=Prime+count&description=runs+fast%0Aok&category=compute&price=5&quantity=2",
		"title=x&category=data&price=1", "title=%00&category=data&price=1", "title=x&category=toys&price=1&quantity=99999999"},
		market.DecodeListing,
		func(in market.ListingInput) url.Values {
			return url.Values{"title": {in.Title}, "description": {in.Description}, "category": {in.Category},
				"price": {u(in.Price)}, "quantity": {u(in.Quantity)}}
		},
		func(in market.ListingInput) bool {
			return in.Title != "" && okText(in.Title, market.MaxTitle) && okText(in.Description, market.MaxDesc) &&
				in.Price > 0 && in.Quantity <= market.MaxStock
		})
}

func FuzzDecodeQuery(f *testing.F) {
	fuzzForm(f, []string{"q=prime&category=compute&min=1&max=9&page=2", "", "min=9&max=3", "page=-1"},
		market.DecodeQuery,
		func(q market.Query) url.Values {
			return url.Values{"q": {q.Text}, "category": {q.Category}, "min": {u(q.MinPrice)}, "max": {u(q.MaxPrice)},
				"page": {strconv.Itoa(q.Page)}}
		},
		func(q market.Query) bool {
			return okText(q.Text, market.MaxQuery) && q.Page >= 0 && q.Page <= market.MaxPage &&
				(q.MaxPrice == 0 || q.MaxPrice >= q.MinPrice)
		})
}

func FuzzDecodeBuy(f *testing.F) {
	fuzzForm(f, []string{"qty=1&price=5&token=cashuBo2F0gaJhaUgA&pay=token&nonce=00112233445566778899aabbccddeeff",
		"pay=balance&price=1&nonce=0011223344556677", "qty=0", "price=2&token=cashuB+%0Aabc&nonce=0011223344556677"},
		market.DecodeBuy,
		func(in market.BuyInput) url.Values {
			v := url.Values{"qty": {u(in.Qty)}, "price": {u(in.Price)}, "nonce": {in.Nonce}, "token": {in.Token}}
			if in.FromBalance {
				v.Set("pay", "balance")
			}
			return v
		},
		func(in market.BuyInput) bool {
			return in.Qty >= 1 && in.Qty <= market.MaxQty && in.Price > 0 && len(in.Token) <= market.MaxToken && (in.FromBalance || in.Token != "")
		})
}

func FuzzDecodeSecret(f *testing.F) {
	fuzzForm(f, []string{"secret=00112233445566778899aabbccddeeff", "secret=able+acid", "secret="},
		market.DecodeSecret, func(s string) url.Values { return url.Values{"secret": {s}} },
		func(s string) bool { return s != "" && okText(s, 400) })
}

func FuzzDecodeMessage(f *testing.F) {
	fuzzForm(f, []string{"text=hello%0Aworld", "text=%3Cscript%3E", "text="},
		market.DecodeMessage, func(s string) url.Values { return url.Values{"text": {s}} },
		func(s string) bool { return s != "" && okText(s, market.MaxMessage) })
}

func FuzzDecodeDispute(f *testing.F) {
	fuzzForm(f, []string{"reason=never+arrived", "reason=%01"},
		market.DecodeDispute, func(s string) url.Values { return url.Values{"reason": {s}} },
		func(s string) bool { return s != "" && okText(s, market.MaxFreeText) })
}

func FuzzDecodeWithdraw(f *testing.F) {
	fuzzForm(f, []string{"amount=5&nonce=00112233445566778899aabbccddeeff", "amount=0&nonce=0011223344556677"},
		market.DecodeWithdraw,
		func(in market.AmountInput) url.Values {
			return url.Values{"amount": {u(in.Amount)}, "nonce": {in.Nonce}}
		},
		func(in market.AmountInput) bool { return in.Amount > 0 && len(in.Nonce) >= 16 })
}

func FuzzDecodeSell(f *testing.F) {
	fuzzForm(f, []string{"amount=8&token=cashuBabc&payout=IBAN+XX", "amount=1&token=x&payout=y"},
		market.DecodeSell,
		func(in market.SellInput) url.Values {
			return url.Values{"amount": {u(in.Amount)}, "token": {in.Token}, "payout": {in.Payout}}
		},
		func(in market.SellInput) bool {
			return in.Amount > 0 && len(in.Token) <= market.MaxToken && in.Payout != "" && okText(in.Payout, market.MaxFreeText)
		})
}

func FuzzDecodeCashBuy(f *testing.F) {
	fuzzForm(f, []string{"offer=abc123&amount=6&note=ref&nonce=00112233445566778899aabbccddeeff", "offer=ZZ&amount=1"},
		market.DecodeCashBuy,
		func(in market.CashBuyInput) url.Values {
			return url.Values{"offer": {in.Offer}, "amount": {u(in.Amount)}, "note": {in.Note}, "nonce": {in.Nonce}}
		},
		func(in market.CashBuyInput) bool {
			return in.Offer != "" && in.Amount > 0 && okText(in.Note, market.MaxFreeText)
		})
}

func FuzzDecodeOffer(f *testing.F) {
	fuzzForm(f, []string{"price=0.02+EUR&min=1&max=100&terms=bank+transfer", "price=x&min=5&max=2"},
		market.DecodeOffer,
		func(in market.OfferInput) url.Values {
			return url.Values{"price": {in.Price}, "min": {u(in.Min)}, "max": {u(in.Max)}, "terms": {in.Terms}}
		},
		func(in market.OfferInput) bool { return in.Price != "" && in.Min >= 1 && in.Max >= in.Min })
}

func FuzzDecodeDecision(f *testing.F) {
	fuzzForm(f, []string{"id=abc&decision=release", "id=abc&decision=paid&note=sent", "id=&decision=x"},
		market.DecodeDecision,
		func(d market.Decision) url.Values {
			dec := "refund"
			if d.Yes {
				dec = "release"
			}
			return url.Values{"id": {d.ID}, "decision": {dec}, "note": {d.Note}}
		},
		func(d market.Decision) bool { return d.ID != "" && len(d.ID) <= 64 })
}
