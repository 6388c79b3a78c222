package hs

import (
	"errors"
	"testing"
)

func TestIntroQueueOrder(t *testing.T) {
	q := NewIntroQueue[string](3)
	q.Push("a0", 0)
	q.Push("b5", 5)
	q.Push("c0", 0)
	if err := q.Push("d3", 3); err != nil { // evicts c0, the latest cheapest
		t.Fatal(err)
	}
	if err := q.Push("e0", 0); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("cheap push into a full queue: %v", err)
	}
	var got []string
	for {
		v, _, ok := q.Pop()
		if !ok {
			break
		}
		got = append(got, v)
	}
	if len(got) != 3 || got[0] != "b5" || got[1] != "d3" || got[2] != "a0" {
		t.Fatalf("order %v", got)
	}
}

// A flood of cheap introductions (real INTRODUCE2s, opened and checked by
// the service) runs while honest clients solve the suggested effort. The
// service answers a few per tick. Honest clients must be answered within a
// bounded number of ticks; with first-come service (the design without
// the queue) they are not.
func TestIntroFloodHonestServed(t *testing.T) {
	const ticks, flood, served, bound = 8, 40, 4, 2
	f := newIntroFixture(t)
	q := NewIntroQueue[int](64)
	var fifo []int
	seed := uint64(1000)
	pushed := map[int]int{} // honest id -> tick pushed
	worstQueue, fifoServed := 0, 0
	for tick := range ticks {
		for range flood {
			seed++
			_, msg := f.introduce(t, seed, 0)
			in, err := f.svc.Open(msg, testNow)
			if err != nil {
				t.Fatal(err)
			}
			_ = q.Push(-1, in.Effort)
			fifo = append(fifo, -1)
		}
		seed++
		_, msg := f.introduce(t, seed, max(q.Suggested(), 1))
		in, err := f.svc.Open(msg, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Push(tick, in.Effort); err != nil {
			t.Fatalf("honest introduction refused: %v", err)
		}
		fifo = append(fifo, tick)
		pushed[tick] = tick
		for range served {
			if v, _, ok := q.Pop(); ok && v >= 0 {
				worstQueue = max(worstQueue, tick-pushed[v])
				delete(pushed, v)
			}
			if fifo[0] >= 0 {
				fifoServed++
			}
			fifo = fifo[1:]
		}
		q.UpdateEffort(MaxPoWEffort)
	}
	if len(pushed) != 0 || worstQueue > bound {
		t.Fatalf("honest clients waited %d ticks, %d never served", worstQueue, len(pushed))
	}
	if q.Suggested() == 0 {
		t.Fatal("suggested effort did not rise under the flood")
	}
	if fifoServed != 0 {
		// With first-come service every honest client is still behind the flood.
		t.Fatalf("baseline did not show the attack: %d honest served first-come", fifoServed)
	}
}

func TestIntroQueueEffortFalls(t *testing.T) {
	q := NewIntroQueue[int](8)
	for range 9 {
		q.Push(0, 0)
	}
	if q.UpdateEffort(10) != 1 {
		t.Fatal("effort did not rise on overflow")
	}
	for q.Len() > 0 {
		q.Pop()
	}
	high := q.UpdateEffort(10) // the queue was still full when this period began
	if q.UpdateEffort(10) != high-1 {
		t.Fatal("effort did not fall when idle")
	}
}
