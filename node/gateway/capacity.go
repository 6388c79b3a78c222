package gateway

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"cyclecash/compute"
	"cyclecash/ledger"
)

// capacityWindow is how many past days of accepted work project Ĉ.
const capacityWindow = 7

// capacityMeter measures validated capacity for the ledger's issuance cap
// (DESIGN.md §5): Ĉ = 30 × the mean units accepted per day over the last
// capacityWindow days, counted from the first day with any record, and
// never below the configured ledger.capacity (the floor that lets a new
// gateway issue before it has history).
type capacityMeter struct {
	store compute.Store
	floor uint64
}

// add records units accepted at now.
func (c *capacityMeter) add(tx compute.Tx, now time.Time, units uint64) error {
	key := strconv.FormatInt(ledger.DayOf(now), 10)
	var have uint64
	if _, err := getJSON(tx, tableCapacity, key, &have); err != nil {
		return err
	}
	return putJSON(tx, tableCapacity, key, have+units)
}

// At returns Ĉ at now; it is the ledger's Config.Capacity.
func (c *capacityMeter) At(now time.Time) uint64 {
	today := ledger.DayOf(now)
	var sum uint64
	days := 0
	_ = c.store.View(func(tx compute.Tx) error {
		for d := today - capacityWindow + 1; d <= today; d++ {
			var u uint64
			ok, err := getJSON(tx, tableCapacity, strconv.FormatInt(d, 10), &u)
			if err != nil {
				return err
			}
			if ok || days > 0 {
				days++ // days before the first record do not dilute the mean
			}
			sum += u
		}
		return nil
	})
	if days == 0 {
		return c.floor
	}
	return max(c.floor, sum*30/uint64(days))
}

// getJSON decodes the record under key into v and reports whether it exists.
func getJSON(tx compute.Tx, table, key string, v any) (bool, error) {
	b, err := tx.Get(table, key)
	if err != nil || b == nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("node: compute: corrupt %s record: %w", table, err)
	}
	return true, nil
}

func putJSON(tx compute.Tx, table, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(table, key, b)
}

// randFloat draws for adaptive replication.
func randFloat() float64 { return rand.Float64() }
