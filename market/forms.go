package market

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Form decoders: each turns a submitted form into a typed input or one
// ErrBadInput error naming the field. They are pure, so they are fuzzed.

// Field limits.
const (
	MaxTitle    = 120
	MaxDesc     = 4000
	MaxQuery    = 200
	MaxToken    = 48 << 10
	MaxFreeText = 1000
	MaxQty      = 1000
	MaxStock    = 1_000_000
	MaxPage     = 10_000
)

func badf(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadInput}, a...)...)
}

// text reads a field of at most max bytes of printable UTF-8; multiline
// allows newlines and tabs. Format characters are refused. Surrounding
// space is trimmed.
func text(v url.Values, name string, minLen, max int, multiline bool) (string, error) {
	s := strings.TrimSpace(strings.ReplaceAll(v.Get(name), "\r\n", "\n"))
	if len(s) < minLen || len(s) > max || !utf8.ValidString(s) {
		return "", badf("%s must be %d to %d bytes of text", name, minLen, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) {
			return "", badf("%s holds a control character", name)
		}
		// Format characters (bidi overrides, zero-width spaces) make text
		// read otherwise than it is; the joiner of emoji sequences stays.
		if unicode.Is(unicode.Cf, r) && r != '\u200d' {
			return "", badf("%s holds an invisible formatting character", name)
		}
	}
	return s, nil
}

// number reads a decimal field in [lo, hi]; empty means def.
func number(v url.Values, name string, lo, hi, def uint64) (uint64, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, badf("%s must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

func category(v url.Values, optional bool) (string, error) {
	c := v.Get("category")
	if (optional && c == "") || slices.Contains(Categories, c) {
		return c, nil
	}
	return "", badf("category must be one of %s", strings.Join(Categories, ", "))
}

// DecodeListing reads the listing form (create and edit).
func DecodeListing(v url.Values) (ListingInput, error) {
	var in ListingInput
	var err error
	if in.Title, err = text(v, "title", 1, MaxTitle, false); err != nil {
		return in, err
	}
	if in.Description, err = text(v, "description", 0, MaxDesc, true); err != nil {
		return in, err
	}
	if in.Category, err = category(v, false); err != nil {
		return in, err
	}
	if in.Price, err = number(v, "price", 1, maxUnits, 0); err == nil && in.Price == 0 {
		err = badf("price must be a whole number from 1 to %d", uint64(maxUnits))
	}
	if err != nil {
		return in, err
	}
	in.Quantity, err = number(v, "quantity", 0, MaxStock, 1)
	return in, err
}

// DecodeQuery reads the search form.
func DecodeQuery(v url.Values) (Query, error) {
	var q Query
	var err error
	if q.Text, err = text(v, "q", 0, MaxQuery, false); err != nil {
		return q, err
	}
	if q.Category, err = category(v, true); err != nil {
		return q, err
	}
	if q.MinPrice, err = number(v, "min", 0, maxUnits, 0); err != nil {
		return q, err
	}
	if q.MaxPrice, err = number(v, "max", 0, maxUnits, 0); err != nil {
		return q, err
	}
	if q.MaxPrice != 0 && q.MaxPrice < q.MinPrice {
		return q, badf("max must not be below min")
	}
	p, err := number(v, "page", 0, MaxPage, 0)
	q.Page = int(p)
	return q, err
}

// BuyInput is the buy form.
type BuyInput struct {
	Qty         uint64
	Price       uint64 // the unit price shown to the buyer
	Token       string // empty when paying from the balance
	FromBalance bool
	Nonce       string
}

// DecodeBuy reads the buy form: a token, or pay=balance.
func DecodeBuy(v url.Values) (BuyInput, error) {
	var in BuyInput
	var err error
	if in.Qty, err = number(v, "qty", 1, MaxQty, 1); err != nil {
		return in, err
	}
	if in.Nonce, err = nonce(v); err != nil {
		return in, err
	}
	if in.Price, err = number(v, "price", 1, maxUnits, 0); err != nil || in.Price == 0 {
		return in, orErr(err, badf("price is missing; reload the page"))
	}
	if v.Get("pay") == "balance" {
		in.FromBalance = true
		return in, nil
	}
	in.Token, err = tokenField(v)
	return in, err
}

func tokenField(v url.Values) (string, error) {
	t := strings.Join(strings.Fields(v.Get("token")), "")
	if len(t) > MaxToken || !strings.HasPrefix(t, "cashuB") {
		return "", badf("token must be a cashuB token of at most %d bytes", MaxToken)
	}
	return t, nil
}

// nonce reads the form's one-time idempotency value (hex, 16 to 64).
func nonce(v url.Values) (string, error) {
	n := v.Get("nonce")
	if len(n) < 16 || len(n) > 64 || strings.Trim(n, "0123456789abcdef") != "" {
		return "", badf("the form is missing its nonce; reload the page")
	}
	return n, nil
}
