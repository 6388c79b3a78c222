package hs

// Tests for defences that no other test noticed when they were removed
// one at a time (a mutation pass over the package).

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

// The cache refuses a second Add of the same handshake on its own, not only
// through ServiceIntro's earlier Seen.
func TestReplayCacheAddRefusesDuplicate(t *testing.T) {
	c := NewReplayCache(0, 0, 0)
	var auth, e [32]byte
	e[0] = 1
	if err := c.Add(auth, e, testNow, testNow); err != nil {
		t.Fatal(err)
	}
	if err := c.Add(auth, e, testNow.Add(-time.Minute), testNow.Add(time.Minute)); !errors.Is(err, ErrReplay) {
		t.Fatalf("second add: %v", err)
	}
}

// A descriptor signed for a period of another length whose number happens
// to be the current one (here a 2-day period, a day later in time) is not
// this network's descriptor.
func TestDescriptorOtherLengthSameNumberRefused(t *testing.T) {
	id := testIdentity(3)
	d := testDescriptor(3)
	d.Period.Length = 48 * time.Hour
	if _, err := Open(sealTest(t, id, d), id.Public(), testNow, 0); !errors.Is(err, ErrWrongPeriod) {
		t.Fatalf("period of another length: %v", err)
	}
}

// A higher revision for another period (or service) does not replace the
// descriptor held.
func TestCheckRevisionOtherPeriodRefused(t *testing.T) {
	id := testIdentity(3)
	d := testDescriptor(3)
	held, _ := VerifyOuter(sealTest(t, id, d))
	d.Period = d.Period.Next()
	d.Revision = 100
	next, _ := VerifyOuter(sealTest(t, id, d))
	if err := CheckRevision(held, next); !errors.Is(err, ErrWrongPeriod) {
		t.Fatalf("other period: %v", err)
	}
}

// The padding of a descriptor's plaintext must be zeros, so its parse is
// canonical.
func TestDescriptorNonZeroPaddingRefused(t *testing.T) {
	inner, err := testDescriptor(2).appendInner(nil)
	if err != nil {
		t.Fatal(err)
	}
	inner[len(inner)-1] = 1
	if err := new(Descriptor).parseInner(inner); !errors.Is(err, ErrMalformed) {
		t.Fatalf("padding: %v", err)
	}
}

// An endpoint that hides data in the padding of an E2E cell (a covert
// channel, or a parser difference) is refused.
func TestE2ENonZeroPaddingRefused(t *testing.T) {
	cl, s := e2ePair(t)
	p := make([]byte, e2ePlainLen)
	binary.BigEndian.PutUint16(p[3:], 1)
	p[len(p)-1] = 7
	cell := cl.send.Seal(nil, e2eNonce(cl.sendCtr), p, nil)
	if _, err := s.Open(cell); !errors.Is(err, ErrE2E) {
		t.Fatalf("padded cell: %v", err)
	}
}

// One circuit answers for one auth key: a second ESTABLISH_INTRO on it is
// refused, so the table's two maps stay in step.
func TestIntroTableOneKeyPerCircuit(t *testing.T) {
	tab := NewIntroTable[int](IntroLimits{})
	a, _ := NewIntroKeys(testRand(80))
	b, _ := NewIntroKeys(testRand(81))
	if err := tab.Establish(NewEstablishIntro(a, []byte("c"), 0, 0), []byte("c"), 1, testNow); err != nil {
		t.Fatal(err)
	}
	if err := tab.Establish(NewEstablishIntro(b, []byte("c"), 0, 0), []byte("c"), 1, testNow); !errors.Is(err, ErrCircuitUsed) {
		t.Fatalf("second key on one circuit: %v", err)
	}
}

// A service cannot lift the relay's caps by asking for a huge rate.
func TestIntroTableCapsServiceRate(t *testing.T) {
	f := newIntroFixture(t)
	tab := NewIntroTable[int](IntroLimits{MaxRate: 2, MaxBurst: 2})
	est := NewEstablishIntro(f.keys, []byte("c"), 1<<30, 1<<30)
	if err := tab.Establish(est, []byte("c"), 1, testNow); err != nil {
		t.Fatal(err)
	}
	_, msg := f.introduce(t, 82, 0)
	for range 2 {
		tab.Introduce1(msg, testNow)
	}
	if _, ack := tab.Introduce1(msg, testNow); ack != AckRateLimited {
		t.Fatalf("beyond the relay's burst cap: ack %d", ack)
	}
}

// A rendezvous ID longer than the INTRODUCE field is refused, not encoded
// into a malformed message.
func TestNewClientIntroRelayIDBounds(t *testing.T) {
	f := newIntroFixture(t)
	for _, rp := range [][]byte{nil, bytes.Repeat([]byte{1}, MaxRelayID+1)} {
		f.req.RP = rp
		if _, err := NewClientIntro(f.req, testRand(83)); !errors.Is(err, ErrMalformed) {
			t.Errorf("rendezvous id of %d bytes: %v", len(rp), err)
		}
	}
}
