package hs

import (
	"errors"
	"testing"
	"time"
)

func TestReplayCacheBoundedAndBucketed(t *testing.T) {
	c := NewReplayCache(time.Hour, time.Minute, 3)
	var auth, other [32]byte
	other[0] = 1
	e := func(n byte) [32]byte { var k [32]byte; k[0] = n; return k }
	for n := range byte(3) {
		if err := c.Add(auth, e(n), testNow, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Add(auth, e(9), testNow, testNow); !errors.Is(err, ErrReplayCacheFull) {
		t.Fatalf("over the bound: %v", err)
	}
	if err := c.Add(other, e(0), testNow, testNow); err != nil {
		t.Fatalf("per auth key: %v", err)
	}
	if err := c.Add(auth, e(5), testNow.Add(2*time.Minute), testNow); !errors.Is(err, ErrStale) {
		t.Fatalf("from the future: %v", err)
	}
	// Two hours on, the old bucket is gone and room is back.
	later := testNow.Add(2 * time.Hour)
	if err := c.Add(auth, e(9), later, later); err != nil || c.Len(auth) != 1 {
		t.Fatalf("after the window: %v, %d held", err, c.Len(auth))
	}
	c.Forget(auth)
	if c.Len(auth) != 0 || c.Seen(auth, e(9), later) {
		t.Fatal("forget")
	}
}
