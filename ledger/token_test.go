package ledger

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

type tokenVector struct {
	Name, Token, Mint, Unit, Memo string
	Proofs                        []Proof
}

func TestTokenVectors(t *testing.T) {
	for _, v := range loadVectors[tokenVector](t, "nut00_tokens.json") {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			tok, err := DecodeToken(v.Token)
			if err != nil {
				t.Fatal(err)
			}
			want := Token{Mint: v.Mint, Unit: v.Unit, Memo: v.Memo, Proofs: v.Proofs}
			if !reflect.DeepEqual(tok, want) {
				t.Fatalf("decoded %+v, want %+v", tok, want)
			}
			enc, err := tok.Encode()
			if err != nil || enc != v.Token {
				t.Fatalf("encoded %s %v, want the vector", enc, err)
			}
		})
	}
}

func TestTokenWithDLEQRoundTrip(t *testing.T) {
	t.Parallel()
	r := Scalar{1}
	tok := Token{Mint: "http://gw", Unit: Unit, Proofs: []Proof{{
		Amount: 4, ID: "01ab", Secret: "s", C: Point{2},
		DLEQ: &DLEQ{E: Scalar{3}, S: Scalar{4}, R: &r}, Witness: "w",
	}}}
	enc, err := tok.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeToken(enc)
	if err != nil || !reflect.DeepEqual(got, tok) {
		t.Fatalf("got %+v %v", got, err)
	}
}

func TestDecodeTokenJunk(t *testing.T) {
	valid := loadVectors[tokenVector](t, "nut00_tokens.json")[0].Token
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"v3 prefix", "cashuA" + valid[6:]},
		{"no prefix", valid[6:]},
		{"not base64", "cashuB!!!!"},
		{"truncated", valid[:len(valid)-20]},
		{"trailing junk", strings.TrimRight(valid, "=") + "AAAA"},
		{"not a map", "cashuBAQ"},
		{"empty map", "cashuBoA"},
		{"indefinite", "cashuBvw"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := DecodeToken(tc.in); !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
}

func FuzzDecodeToken(f *testing.F) {
	for _, v := range loadVectorsF[tokenVector](f, "nut00_tokens.json") {
		f.Add(v.Token)
	}
	f.Add("cashuBoA")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := DecodeToken(s)
		if err != nil {
			return
		}
		enc, err := tok.Encode()
		if err != nil {
			t.Fatalf("decoded token does not encode: %v", err)
		}
		again, err := DecodeToken(enc)
		if err != nil {
			t.Fatalf("re-decode of %q: %v", enc, err)
		}
		// Encode groups proofs by keyset in order of first appearance.
		want := tok
		want.Proofs = groupedProofs(tok.Proofs)
		if !reflect.DeepEqual(again, want) {
			t.Fatalf("round trip changed %+v to %+v", want, again)
		}
	})
}

// groupedProofs orders proofs by keyset in order of first appearance,
// keeping their order within a keyset.
func groupedProofs(ps []Proof) []Proof {
	var order []KeysetID
	by := map[KeysetID][]Proof{}
	for _, p := range ps {
		if _, ok := by[p.ID]; !ok {
			order = append(order, p.ID)
		}
		by[p.ID] = append(by[p.ID], p)
	}
	var out []Proof
	for _, id := range order {
		out = append(out, by[id]...)
	}
	return out
}
