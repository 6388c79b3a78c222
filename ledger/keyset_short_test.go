package ledger

import (
	"errors"
	"testing"
)

func TestResolveKeysetID(t *testing.T) {
	a := KeysetID("015ba18a8adcd02e715a58358eb618da4a4b3791151a4bee5e968bb88406ccf76a")
	b := KeysetID("01ab6aa4ff30390da34986d84be5274b48ad7a74265d791095bfc39f4098d9764f")
	twin := KeysetID(string(a[:ShortIDLen]) + "00000000000000000000000000000000000000000000000000")
	known := []KeysetID{a, b}
	if got, err := ResolveKeysetID(a.Short(), known); err != nil || got != a {
		t.Fatalf("short id resolved to %s, %v", got, err)
	}
	if got, err := ResolveKeysetID(b, known); err != nil || got != b {
		t.Fatalf("full id resolved to %s, %v", got, err)
	}
	if _, err := ResolveKeysetID("01ffffffffffffff", known); !errors.Is(err, ErrUnknownKeyset) {
		t.Fatalf("unknown short id: %v", err)
	}
	if _, err := ResolveKeysetID(a.Short(), append(known, twin)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("ambiguous short id: %v", err)
	}
	tok := Token{Proofs: []Proof{{ID: a.Short()}, {ID: "01ffffffffffffff"}}}
	if err := tok.ResolveKeysets(known); err == nil || tok.Proofs[0].ID != a.Short() {
		t.Fatalf("a failed resolve changed the token: %v %s", err, tok.Proofs[0].ID)
	}
}

func TestChangeTokenNamesTheMint(t *testing.T) {
	m, err := New(Config{Master: make([]byte, 32), URL: "http://gw.example:3338"}, NewMemStore())
	if err != nil {
		t.Fatal(err)
	}
	tok := m.ChangeToken([]Proof{{Amount: 1, ID: "01ab", Secret: "s"}}, "")
	if tok.Mint != "http://gw.example:3338" || tok.Unit != Unit {
		t.Fatalf("change token %+v", tok)
	}
}
