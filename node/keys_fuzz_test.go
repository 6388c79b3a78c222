package node

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// FuzzParseOnionKeys: whatever onion_keys.json holds, parsing either fails
// with the one corrupt-file error, or yields keys the relay can use (every
// key converts, the public key derives) that survive a write and re-read
// unchanged.
func FuzzParseOnionKeys(f *testing.F) {
	good, _ := rotate(nil, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	rotated, _ := rotate(good, time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC))
	for _, k := range []*OnionKeys{good, rotated} {
		b, _ := json.Marshal(k)
		f.Add(b)
	}
	f.Add([]byte(`{"current":{"private":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","created":"2026-11-01T00:00:00Z"},"previous":{"private":"AA==","created":"2026-10-01T00:00:00Z"}}`))
	f.Add([]byte(`{"current":{"private":null}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := parseOnionKeys(b)
		if err != nil {
			if k != nil || !strings.HasPrefix(err.Error(), "node: ") {
				t.Fatalf("failed parse returned %v, %v", k, err)
			}
			return
		}
		if _, err := onionKeys(k); err != nil {
			t.Fatalf("parsed keys the relay cannot use: %v", err)
		}
		_ = k.Public()
		again, err := json.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := parseOnionKeys(again)
		if err != nil {
			t.Fatalf("re-read of written keys: %v", err)
		}
		if !bytes.Equal(k2.Current.Private, k.Current.Private) || !k2.Current.Created.Equal(k.Current.Created) ||
			(k.Previous == nil) != (k2.Previous == nil) ||
			(k.Previous != nil && !bytes.Equal(k.Previous.Private, k2.Previous.Private)) {
			t.Fatalf("keys changed across a write: %+v vs %+v", k, k2)
		}
	})
}
