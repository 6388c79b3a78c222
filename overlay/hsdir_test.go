package overlay

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"cyclecash/onion/hs"

	record "github.com/libp2p/go-libp2p-record"
)

var hsdirNow = time.Unix(1_800_000_000, 0).UTC()

func hsdirDescriptor(t *testing.T, id *hs.IdentityKey, rev uint64, p hs.Period) ([]byte, string) {
	t.Helper()
	d := &hs.Descriptor{Period: p, Revision: rev, Expiry: hsdirNow.Add(3 * time.Hour),
		Intro: []hs.IntroPoint{{Relay: []byte("relay-peer-id")}}}
	b, err := d.Seal(id, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return b, HSDescKey(hs.IndexOf(d.Blinded, p, 1))
}

func hsdirIdentity(n byte) *hs.IdentityKey {
	var seed [32]byte
	seed[0] = n
	return hs.IdentityKeyFromSeed(seed)
}

func TestHSDirValidatorAccepts(t *testing.T) {
	v := HSDirValidator{Now: func() time.Time { return hsdirNow }}
	b, key := hsdirDescriptor(t, hsdirIdentity(1), 1, hs.PeriodAt(hsdirNow, 0))
	if err := v.Validate(key, b); err != nil {
		t.Fatal(err)
	}
	// Through the namespaced validator the DHT actually calls.
	nv := record.NamespacedValidator{HSDescNamespace: v}
	if err := nv.Validate(key, b); err != nil {
		t.Fatalf("namespaced: %v", err)
	}
}

// A DHT node (or anyone putting values) stores a forged, replayed,
// misplaced or oversized descriptor; each is refused with its reason.
func TestHSDirValidatorRefuses(t *testing.T) {
	v := HSDirValidator{Now: func() time.Time { return hsdirNow }}
	p := hs.PeriodAt(hsdirNow, 0)
	good, key := hsdirDescriptor(t, hsdirIdentity(1), 1, p)
	forged := bytes.Clone(good)
	forged[45] ^= 1 // the revision
	old, oldKey := hsdirDescriptor(t, hsdirIdentity(1), 1, hs.Period{Num: p.Num - 2, Length: p.Length})
	_, otherKey := hsdirDescriptor(t, hsdirIdentity(2), 1, p)
	for _, c := range []struct {
		name  string
		key   string
		value []byte
		want  error
	}{
		{"forged", key, forged, hs.ErrBadSignature},
		{"old period", oldKey, old, hs.ErrWrongPeriod},
		{"another service's index", otherKey, good, hs.ErrWrongPeriod},
		{"oversized", key, append(bytes.Clone(good), make([]byte, hs.MaxDescriptorSize)...), hs.ErrTooLarge},
		{"bad key", "/hsdesc/short", good, ErrBadHSDescKey},
		{"relay key", "/relay/" + string(make([]byte, 32)), good, ErrBadHSDescKey},
	} {
		if err := v.Validate(c.key, c.value); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// The same descriptor a day later is for the wrong period.
	later := HSDirValidator{Now: func() time.Time { return hsdirNow.Add(50 * time.Hour) }}
	if err := later.Validate(key, good); !errors.Is(err, hs.ErrWrongPeriod) && !errors.Is(err, hs.ErrExpired) {
		t.Errorf("two days later: %v", err)
	}
	// A network with another period length refuses it.
	hourly := HSDirValidator{Now: v.Now, PeriodLength: time.Hour}
	if err := hourly.Validate(key, good); !errors.Is(err, hs.ErrWrongPeriod) {
		t.Errorf("other period length: %v", err)
	}
}

// An attacker replays an older revision over the newer one a DHT node
// holds: Select keeps the newer, so the DHT refuses the put.
func TestHSDirSelectHighestRevision(t *testing.T) {
	v := HSDirValidator{Now: func() time.Time { return hsdirNow }}
	id, p := hsdirIdentity(1), hs.PeriodAt(hsdirNow, 0)
	r1, key := hsdirDescriptor(t, id, 1, p)
	r5, _ := hsdirDescriptor(t, id, 5, p)
	r3, _ := hsdirDescriptor(t, id, 3, p)
	bad := bytes.Clone(r5)
	bad[45] = 0xff // claims revision far higher, signature broken
	if i, err := v.Select(key, [][]byte{r1, bad, r3, r5}); err != nil || i != 3 {
		t.Fatalf("select %d, %v", i, err)
	}
	if i, err := v.Select(key, [][]byte{r1, r5}); err != nil || i != 1 {
		t.Fatalf("replayed older first: %d, %v", i, err)
	}
	if _, err := v.Select(key, [][]byte{bad}); err == nil {
		t.Fatal("select among invalid values")
	}
}
