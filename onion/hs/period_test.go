package hs

import (
	"testing"
	"time"
)

func TestPeriods(t *testing.T) {
	p := PeriodAt(testNow, 0)
	if !p.Start().After(testNow.Add(-24*time.Hour)) || p.Start().After(testNow) || !p.End().After(testNow) {
		t.Fatalf("period %v–%v does not contain %v", p.Start(), p.End(), testNow)
	}
	if PeriodAt(p.End(), 0) != p.Next() || PeriodAt(p.End().Add(-time.Second), 0) != p {
		t.Fatal("period boundaries")
	}
	pub := PublishPeriods(testNow, 0)
	early := FetchPeriods(p.Start().Add(time.Minute), 0)
	late := FetchPeriods(p.End().Add(-time.Minute), 0)
	if pub[0] != p || pub[1] != p.Next() || early[1].Num != p.Num-1 || late[1] != p.Next() {
		t.Fatalf("publish %v, fetch early %v late %v", pub, early, late)
	}
}
