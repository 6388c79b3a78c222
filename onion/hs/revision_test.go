package hs

import (
	"testing"
	"time"
)

// A directory (any DHT node) holds the descriptors a service publishes at
// one instant for this period and the next. Their blinded keys are
// unlinkable, so the clear fields must be too: the same revision or the
// same expiry to the second on two descriptors names them as one service
// (Tor hides the revision counter with order-preserving encryption for
// this reason, rend-spec-v3 §2.4 and proposal 288).
func TestDescriptorsOfTwoPeriodsUnlinkable(t *testing.T) {
	now := testNow.Add(5*time.Hour + 17*time.Minute + 3*time.Second)
	deltas := map[int64]bool{}
	for n := range byte(2) {
		svc, err := NewService(ServiceConfig{Identity: testIdentity(90 + n), Rand: testRand(91)})
		if err != nil {
			t.Fatal(err)
		}
		svc.AddIntroPoint([]byte("r"))
		pubs, err := svc.Descriptors(now)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := VerifyOuter(pubs[0].Value)
		b, _ := VerifyOuter(pubs[1].Value)
		if a.Revision == b.Revision {
			t.Fatalf("service %d: both periods carry revision %d", n, a.Revision)
		}
		deltas[int64(a.Revision-b.Revision)] = true
		if a.Expiry.Equal(b.Expiry) && a.Expiry.Truncate(time.Hour) != a.Expiry {
			t.Fatalf("service %d: both periods expire at %v, to the second", n, a.Expiry)
		}
		// Republishing still raises each period's revision, also after a
		// restart with the same key.
		again, _ := svc.Descriptors(now)
		restarted, _ := NewService(ServiceConfig{Identity: testIdentity(90 + n), Rand: testRand(92)})
		restarted.AddIntroPoint([]byte("r"))
		later, _ := restarted.Descriptors(now.Add(time.Minute))
		for i := range pubs {
			o, _ := VerifyOuter(pubs[i].Value)
			o2, _ := VerifyOuter(again[i].Value)
			o3, _ := VerifyOuter(later[i].Value)
			if CheckRevision(o, o2) != nil || CheckRevision(o2, o3) != nil {
				t.Fatalf("period %d: revisions %d, %d, %d", i, o.Revision, o2.Revision, o3.Revision)
			}
		}
	}
	if len(deltas) != 2 {
		t.Fatal("the revisions of two periods differ by a constant any directory can test")
	}
}
