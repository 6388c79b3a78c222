package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"testing"

	"cyclecash/node/work"
)

// FuzzWorkBodies: the gateway decodes every work protocol request body
// (from workers and buyers it cannot trust) with readJSON. Whatever the
// bytes, a refusal is work.ErrJob, and an accepted body is a value that
// survives a round trip: encoded and decoded again it is the same value,
// so what the gateway acts on is exactly what a well-formed body of it
// says (no field smuggled past DisallowUnknownFields, no lossy parse).
func FuzzWorkBodies(f *testing.F) {
	for _, v := range []any{
		work.RegisterRequest{Mode: work.WorkerOpen, Key: make([]byte, 32), Time: 1_800_000_000, Sig: make([]byte, 64)},
		work.CompleteRequest{Status: 1, Output: []byte("42"), Fuel: 1 << 62, Quote: "q"},
		work.OfferRequest{Quote: "abc"},
		work.CashPayout{ID: "bank-1", Worker: "w-00", Units: 7},
	} {
		b, _ := json.Marshal(v)
		for kind := range 4 {
			f.Add(uint8(kind), b)
		}
	}
	f.Add(uint8(0), []byte(`{"mode":"open","extra":1}`))
	f.Add(uint8(1), []byte(`{"lease":{"Job":"j","Task":-1},"fuel":-5}`))
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		targets := []func() any{
			func() any { return new(work.RegisterRequest) },
			func() any { return new(work.CompleteRequest) },
			func() any { return new(work.OfferRequest) },
			func() any { return new(work.CashPayout) },
		}
		v := targets[int(kind)%len(targets)]()
		err := readJSON(httptest.NewRequest("POST", "/", bytes.NewReader(body)), v)
		if err != nil {
			if !errors.Is(err, work.ErrJob) {
				t.Fatalf("refusal %v is not work.ErrJob", err)
			}
			return
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("accepted %T does not encode: %v", v, err)
		}
		w := targets[int(kind)%len(targets)]()
		if err := readJSON(httptest.NewRequest("POST", "/", bytes.NewReader(again)), w); err != nil {
			t.Fatalf("re-encoded %s refused: %v", again, err)
		}
		if !reflect.DeepEqual(v, w) {
			t.Fatalf("round trip changed %T: %+v -> %+v", v, v, w)
		}
	})
}
