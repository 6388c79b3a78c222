package market

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Store is the market's persistence: a transactional ordered key-value
// store of JSON records in named buckets. All market logic runs inside
// Update; implementations (MemStore, boltstore, pgstore) hold no logic, so
// one contract suite (market/storetest) checks them all.
type Store interface {
	// Update runs fn in one read-write transaction, committed only when fn
	// returns nil. fn may run more than once (PostgreSQL retries
	// serialization failures), so it must not leak state out on error.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Tx is one transaction.
type Tx interface {
	// Get returns the value or nil when the key is absent.
	Get(bucket, key string) ([]byte, error)
	Put(bucket, key string, val []byte) error
	Delete(bucket, key string) error
	// Scan calls fn for each key with prefix in byte order of the keys.
	Scan(bucket, prefix string, fn func(key string, val []byte) error) error
}

// Bucket names.
const (
	bMeta     = "meta"
	bAccount  = "account"  // account key -> Account
	bAuth     = "auth"     // hash of secret -> account key
	bSession  = "session"  // hash of session cookie -> Session
	bListing  = "listing"  // listing id -> Listing
	bOrder    = "order"    // order id -> Order
	bClaimedY = "claimedy" // Y hex -> claimedMark (tokens claimed here)
	bClaim    = "claim"    // claim id -> Claim (swaps in flight)
	bProof    = "proof"    // Y hex -> held Proof
	bWithdraw = "withdraw" // id -> Withdrawal
	bMessage  = "message"  // order id / time / id -> Message
	bSell     = "sell"     // id -> SellRequest
	bOffer    = "offer"    // id -> Offer
	bBuyReq   = "buyreq"   // id -> BuyRequest
	bDone     = "done"     // idempotency key -> result id
)

// getJSON loads key into v; ok is false when absent.
func getJSON(tx Tx, bucket, key string, v any) (bool, error) {
	b, err := tx.Get(bucket, key)
	if err != nil || b == nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("market: corrupt %s record: %w", bucket, err)
	}
	return true, nil
}

func putJSON(tx Tx, bucket, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(bucket, key, b)
}

// scanJSON decodes every record under prefix into a fresh T.
func scanJSON[T any](tx Tx, bucket, prefix string, fn func(key string, v *T) error) error {
	return tx.Scan(bucket, prefix, func(k string, b []byte) error {
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("market: corrupt %s record: %w", bucket, err)
		}
		return fn(k, v)
	})
}

// must loads a record that has to exist.
// mustAccount checks that account exists: ErrLoginRequired if it does
// not, any other error of the store as it is (a serialization failure
// must reach the store's retry loop, not become "log in first").
func mustAccount(tx Tx, account string) error {
	err := must(tx, bAccount, account, &Account{})
	if errors.Is(err, ErrNotFound) {
		return ErrLoginRequired
	}
	return err
}

func must(tx Tx, bucket, key string, v any) error {
	ok, err := getJSON(tx, bucket, key, v)
	if err == nil && !ok {
		err = ErrNotFound
	}
	return err
}
