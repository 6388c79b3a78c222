package hs

import (
	"errors"
	"testing"
)

// A directory answers with a stale (older revision) copy and a forgery
// beside the current one: the client takes the current.
func TestClientFetchPlanAndBest(t *testing.T) {
	id := testIdentity(9)
	pub, idx, err := FetchPlan(id.Public().Address(), testNow, 0)
	if err != nil || pub != id.Public() || len(idx) != 2*Replicas {
		t.Fatalf("plan: %d indices, %v", len(idx), err)
	}
	d := testDescriptor(3)
	old := sealTest(t, id, d)
	o, _ := VerifyOuter(old)
	if !o.StoredAt(idx[0]) {
		t.Fatal("plan does not start at the current period's index")
	}
	d.Revision = 9
	cur := sealTest(t, id, d)
	forged := append([]byte{}, cur...)
	forged[50] ^= 1
	got, err := Best([][]byte{old, forged, cur}, pub, testNow, 0)
	if err != nil || got.Revision != 9 {
		t.Fatalf("best: %v", err)
	}
	if _, err := Best([][]byte{forged}, pub, testNow, 0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("only a forgery: %v", err)
	}
	if _, _, err := FetchPlan("nope.mesh", testNow, 0); !errors.Is(err, ErrBadAddress) {
		t.Fatalf("bad address: %v", err)
	}
}
