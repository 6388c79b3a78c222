package overlay

// The DHT namespace of hidden-service descriptors, /hsdesc/<index>, where
// index is one of hs.Indices(blinded key, period) as 32 raw bytes. Every
// DHT server checks a value before storing or returning it, with the
// blinded key alone (it cannot decrypt, nor tell which service it is):
// signature, size, period and period length, expiry, and that the key is
// one of the descriptor's own indices. Of several values the highest
// revision wins, so the DHT's put handler refuses an older revision over a
// newer one it holds. Register it beside Validator:
// record.NamespacedValidator{DescriptorNamespace: Validator{}, HSDescNamespace: HSDirValidator{}}.

import (
	"errors"
	"fmt"
	"time"

	"cyclecash/onion/hs"

	record "github.com/libp2p/go-libp2p-record"
)

// HSDescNamespace is the DHT namespace of hidden-service descriptors.
const HSDescNamespace = "hsdesc"

const hsDescKeyPrefix = "/" + HSDescNamespace + "/"

// ErrBadHSDescKey: a DHT key not of the form /hsdesc/<32-byte index>.
var ErrBadHSDescKey = errors.New("overlay: bad hidden-service descriptor key")

// HSDescKey returns the DHT key of a descriptor index.
func HSDescKey(idx hs.Index) string { return hsDescKeyPrefix + string(idx[:]) }

// HSDescIndexFromKey parses a /hsdesc/ DHT key.
func HSDescIndexFromKey(key string) (hs.Index, error) {
	if len(key) != len(hsDescKeyPrefix)+len(hs.Index{}) || key[:len(hsDescKeyPrefix)] != hsDescKeyPrefix {
		return hs.Index{}, ErrBadHSDescKey
	}
	return hs.Index([]byte(key[len(hsDescKeyPrefix):])), nil
}

// HSDirValidator checks /hsdesc/ records.
type HSDirValidator struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// PeriodLength is the network's period length; 0 means
	// hs.DefaultPeriodLength.
	PeriodLength time.Duration
}

var _ record.Validator = HSDirValidator{}

func (v HSDirValidator) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

// check returns the verified clear part of value stored under key.
func (v HSDirValidator) check(key string, value []byte) (*hs.Outer, error) {
	idx, err := HSDescIndexFromKey(key)
	if err != nil {
		return nil, err
	}
	o, err := hs.VerifyOuter(value)
	if err != nil {
		return nil, err
	}
	if err := o.CheckTime(v.now(), v.PeriodLength); err != nil {
		return nil, err
	}
	if !o.StoredAt(idx) {
		return nil, fmt.Errorf("%w: stored under an index that is not its own", hs.ErrWrongPeriod)
	}
	return o, nil
}

// Validate implements record.Validator.
func (v HSDirValidator) Validate(key string, value []byte) error {
	_, err := v.check(key, value)
	return err
}

// Select implements record.Validator: the valid value with the highest
// revision, the first of equals.
func (v HSDirValidator) Select(key string, values [][]byte) (int, error) {
	best, bestRev := -1, uint64(0)
	for i, val := range values {
		o, err := v.check(key, val)
		if err != nil {
			continue
		}
		if best < 0 || o.Revision > bestRev {
			best, bestRev = i, o.Revision
		}
	}
	if best < 0 {
		return 0, fmt.Errorf("%w: no valid descriptor", hs.ErrBadSignature)
	}
	return best, nil
}
