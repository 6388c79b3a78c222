package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"cyclecash/market"
)

var errAbort = errors.New("storetest: abort")

// testKV checks the key-value contract: reads see writes, a failed Update
// changes nothing, Scan is ordered by key bytes and bounded by prefix.
func testKV(t *testing.T, st market.Store) {
	ctx := context.Background()
	err := st.Update(ctx, func(tx market.Tx) error {
		for _, k := range []string{"b/2", "a/1", "b/10", "b/1", "c", "b/\xff"} {
			if err := tx.Put("t", k, []byte("v"+k)); err != nil {
				return err
			}
		}
		if v, err := tx.Get("t", "a/1"); err != nil || string(v) != "va/1" {
			t.Errorf("read own write: %q %v", v, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx market.Tx) error {
		tx.Put("t", "a/1", []byte("changed"))
		tx.Delete("t", "c")
		tx.Put("t", "new", []byte("x"))
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("aborted update returned %v", err)
	}
	err = st.View(ctx, func(tx market.Tx) error {
		if v, _ := tx.Get("t", "a/1"); string(v) != "va/1" {
			t.Errorf("aborted write kept: %q", v)
		}
		if v, _ := tx.Get("t", "c"); v == nil {
			t.Error("aborted delete kept")
		}
		if v, _ := tx.Get("t", "new"); v != nil {
			t.Error("aborted insert kept")
		}
		if v, _ := tx.Get("missing-bucket", "k"); v != nil {
			t.Error("value in a missing bucket")
		}
		var keys []string
		err := tx.Scan("t", "b/", func(k string, v []byte) error {
			keys = append(keys, k)
			return nil
		})
		if want := []string{"b/1", "b/10", "b/2", "b/\xff"}; !slices.Equal(keys, want) {
			t.Errorf("scan b/: %q, want %q", keys, want)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.View(ctx, func(tx market.Tx) error { return tx.Put("t", "x", nil) }); err == nil {
		t.Error("write in View succeeded")
	}
	err = st.Update(ctx, func(tx market.Tx) error { return tx.Delete("t", "c") })
	st.View(ctx, func(tx market.Tx) error {
		if v, _ := tx.Get("t", "c"); v != nil || err != nil {
			t.Errorf("delete: %q %v", v, err)
		}
		return nil
	})
}
