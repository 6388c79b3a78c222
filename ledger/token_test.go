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
			return // e.g. a keyset id that is not hex cannot occur; ids come from bytes
		}
		again, err := DecodeToken(enc)
		if err != nil {
			t.Fatalf("re-decode of %q: %v", enc, err)
		}
		if !reflect.DeepEqual(again, tok) {
			t.Fatalf("round trip changed %+v to %+v", tok, again)
		}
	})
}
