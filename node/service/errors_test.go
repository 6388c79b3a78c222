package service

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
)

// FuzzDecodeError: a refusal written by WriteError decodes to the same
// message (as valid UTF-8) and code; any other body decodes without panicking into a plain
// message carrying the bytes and code 0.
func FuzzDecodeError(f *testing.F) {
	f.Add("node: compute: payment refused", 30002, []byte(`{"detail":"x","code":1}`))
	f.Add("", 0, []byte("404 page not found"))
	f.Add("ledger: unknown quote", 20007, []byte(`{"detail":"","code":7}`))
	f.Fuzz(func(t *testing.T, msg string, code int, raw []byte) {
		if msg != "" {
			w := httptest.NewRecorder()
			WriteError(w, 400, errors.New(msg), code)
			var want string // JSON carries valid UTF-8 only: msg as JSON spells it
			b, _ := json.Marshal(msg)
			_ = json.Unmarshal(b, &want)
			if got := DecodeError(w.Body.Bytes()); got.Detail != want || got.Code != code {
				t.Fatalf("round trip of %q/%d: %+v", msg, code, got)
			}
		}
		got := DecodeError(raw)
		var e ErrorBody
		if json.Unmarshal(raw, &e) == nil && e.Detail != "" {
			if got != e {
				t.Fatalf("%q: %+v, want %+v", raw, got, e)
			}
		} else if got.Detail != string(raw) || got.Code != 0 {
			t.Fatalf("%q: %+v, want a plain message", raw, got)
		}
	})
}
