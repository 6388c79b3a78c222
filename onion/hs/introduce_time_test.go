package hs

import (
	"testing"
	"time"
)

// The service (or anyone who ran it) records each INTRODUCE's timestamp:
// sent to the second, the client's clock skew is a stable fingerprint that
// links its visits across circuits and isolation groups. Two clients whose
// clocks differ by seconds must send the same coarse time.
func TestIntroduceTimeIsCoarse(t *testing.T) {
	f := newIntroFixture(t)
	base := testNow.Add(3 * time.Minute)
	var got []time.Time
	for i, skew := range []time.Duration{0, 7 * time.Second, 61 * time.Second} {
		f.req.Time = base.Add(skew)
		_, msg := f.introduce(t, uint64(20+i), 0)
		in, err := f.svc.Open(msg, base)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, in.Time)
	}
	if !got[0].Equal(got[1]) || !got[1].Equal(got[2]) {
		t.Fatalf("the service sees the clients' clocks: %v", got)
	}
	if got[0].After(base) || base.Sub(got[0]) > IntroTimeGranularity {
		t.Fatalf("coarse time %v for a clock at %v", got[0], base)
	}
}
