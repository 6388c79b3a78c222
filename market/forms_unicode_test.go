package market_test

import (
	"errors"
	"net/url"
	"testing"

	"cyclecash/market"
)

// TestInvisibleFormatCharsRefused: a seller must not make a title read
// otherwise than it is (a right-to-left override turning "exe.gnp" into
// "png.exe", an isolate hiding text) or hide words from search with
// zero-width characters; every text field refuses format characters.
func TestInvisibleFormatCharsRefused(t *testing.T) {
	for _, bad := range []string{"holiday \u202egnp.exe", "a\u2066b\u2069", "pri\u200bme", "x\u200ey", "\ufeffbom", "soft\u00adhyphen"} {
		v := url.Values{"title": {bad}, "category": {"goods"}, "price": {"3"}}
		if _, err := market.DecodeListing(v); !errors.Is(err, market.ErrBadInput) {
			t.Errorf("title %q: %v, want %v", bad, err, market.ErrBadInput)
		}
		if _, err := market.DecodeMessage(url.Values{"text": {bad}}); !errors.Is(err, market.ErrBadInput) {
			t.Errorf("message %q: %v", bad, err)
		}
	}
	// Text in any script, and emoji joined by a zero-width joiner, stay.
	for _, good := range []string{"Überraschung", "שלום עולם", "日本語", "👩\u200d💻 coder"} {
		v := url.Values{"title": {good}, "category": {"goods"}, "price": {"3"}}
		if _, err := market.DecodeListing(v); err != nil {
			t.Errorf("title %q: %v", good, err)
		}
	}
}
