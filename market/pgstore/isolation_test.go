package pgstore_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"cyclecash/market"
)

// TestNoLostUpdate: two front-ends read the same balance and both write
// it back plus one, interleaved so each reads before the other writes (the
// read-modify-write every credit and debit does). The store must make one
// of them start over, never let both commit on the stale read: with that
// lost update a balance could be spent twice.
func TestNoLostUpdate(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	if err := st.Update(ctx, func(tx market.Tx) error { return tx.Put("t", "n", []byte("0")) }); err != nil {
		t.Fatal(err)
	}
	var read [2]chan struct{}
	for i := range read {
		read[i] = make(chan struct{})
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		first := true
		wg.Go(func() {
			errs[i] = st.Update(ctx, func(tx market.Tx) error {
				v, err := tx.Get("t", "n")
				if err != nil {
					return err
				}
				if first { // only the first attempt waits for the other's read
					first = false
					close(read[i])
					<-read[1-i]
				}
				n, _ := strconv.Atoi(string(v))
				return tx.Put("t", "n", []byte(strconv.Itoa(n+1)))
			})
		})
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	st.View(ctx, func(tx market.Tx) error {
		if v, _ := tx.Get("t", "n"); string(v) != "2" {
			t.Fatalf("counter %s after two increments: an update was lost", v)
		}
		return nil
	})
}
