package overlay

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// testKey derives a deterministic Ed25519 identity from a seed byte.
func testKey(t testing.TB, seed byte) crypto.PrivKey {
	t.Helper()
	k, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testDescriptor(t testing.TB, seed byte, mod func(*Descriptor)) (*Descriptor, []byte) {
	t.Helper()
	d := &Descriptor{
		Addrs:     []ma.Multiaddr{ma.StringCast("/ip4/10.1.2.3/tcp/4001")},
		Roles:     RoleRelay,
		Bandwidth: 1 << 20,
		Seq:       7,
		Expiry:    testNow.Add(time.Hour),
	}
	d.OnionKey[0] = seed
	if mod != nil {
		mod(d)
	}
	if err := d.Sign(testKey(t, seed)); err != nil {
		t.Fatal(err)
	}
	raw, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return d, raw
}

func TestDescriptorRoundTrip(t *testing.T) {
	t.Parallel()
	d, raw := testDescriptor(t, 1, func(d *Descriptor) { d.Family = "acme"; d.Roles |= RoleGateway })
	got, err := VerifyDescriptor(raw, d.Peer, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got.Peer != d.Peer || got.Seq != 7 || got.Family != "acme" || got.Roles != RoleRelay|RoleGateway ||
		got.OnionKey != d.OnionKey || !got.Expiry.Equal(d.Expiry) || len(got.Addrs) != 1 || !got.Addrs[0].Equal(d.Addrs[0]) {
		t.Fatalf("round trip changed the descriptor: %+v", got)
	}
	again, _ := got.Marshal()
	if !bytes.Equal(again, raw) {
		t.Fatal("re-marshal differs")
	}
}

// TestDescriptorVector pins the wire format: a fixed key and fields must
// encode to the bytes in testdata, so a format change is deliberate.
func TestDescriptorVector(t *testing.T) {
	t.Parallel()
	_, raw := testDescriptor(t, 9, func(d *Descriptor) { d.Family = "vector" })
	checkGolden(t, "testdata/descriptor_v1.hex", raw)
}

func TestDescriptorRejected(t *testing.T) {
	t.Parallel()
	good, raw := testDescriptor(t, 2, nil)
	other, _ := testDescriptor(t, 3, nil)
	flipped := bytes.Clone(raw)
	flipped[10] ^= 1 // inside seq: signature no longer matches
	forgedSig := bytes.Clone(raw)
	forgedSig[len(forgedSig)-1] ^= 0x80
	_, expired := testDescriptor(t, 2, func(d *Descriptor) { d.Expiry = testNow.Add(-time.Second) })
	_, farFuture := testDescriptor(t, 2, func(d *Descriptor) { d.Expiry = testNow.Add(MaxDescriptorLifetime + time.Hour) })
	// A descriptor naming peer 3 but signed by key 2.
	impostor := &Descriptor{Expiry: testNow.Add(time.Hour), Seq: 1}
	_ = impostor.Sign(testKey(t, 2))
	impostor.Peer = other.Peer
	impostorRaw, _ := impostor.Marshal()
	oversized := append(bytes.Clone(raw), make([]byte, MaxDescriptorSize)...)

	cases := []struct {
		name string
		raw  []byte
		want peer.ID
		err  error
	}{
		{"tampered field", flipped, good.Peer, ErrBadSignature},
		{"forged signature", forgedSig, good.Peer, ErrBadSignature},
		{"signed by another key", impostorRaw, other.Peer, ErrBadSignature},
		{"wrong peer for key", raw, other.Peer, ErrWrongPeer},
		{"expired", expired, good.Peer, ErrExpired},
		{"expiry too far ahead", farFuture, good.Peer, ErrTooFarFuture},
		{"oversized", oversized, good.Peer, ErrDescriptorTooLarge},
		{"truncated", raw[:len(raw)-1], good.Peer, ErrDescriptorMalformed},
		{"trailing junk", append(bytes.Clone(raw), 0), good.Peer, ErrDescriptorMalformed},
		{"empty", nil, good.Peer, ErrDescriptorMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := NewDirectory(func() time.Time { return testNow })
			changed, err := dir.Add(tc.raw, tc.want)
			if !errors.Is(err, tc.err) || changed {
				t.Fatalf("Add = %v, %v; want %v", changed, err, tc.err)
			}
			if dir.Len() != 0 {
				t.Fatal("rejected descriptor entered the directory")
			}
			if dir.Rejections()[tc.err.Error()] != 1 {
				t.Fatalf("rejection not counted: %v", dir.Rejections())
			}
		})
	}
}

func TestDirectorySeq(t *testing.T) {
	t.Parallel()
	now := testNow
	dir := NewDirectory(func() time.Time { return now })
	d5, raw5 := testDescriptor(t, 4, func(d *Descriptor) { d.Seq = 5 })
	_, raw6 := testDescriptor(t, 4, func(d *Descriptor) { d.Seq = 6; d.Bandwidth = 99 })
	steps := []struct {
		raw     []byte
		changed bool
		err     error
	}{
		{raw5, true, nil},
		{raw5, false, nil}, // same record again: no change, no error
		{raw6, true, nil},
		{raw5, false, ErrStale}, // replayed older seq
	}
	for i, s := range steps {
		changed, err := dir.Add(s.raw, d5.Peer)
		if changed != s.changed || !errors.Is(err, s.err) {
			t.Fatalf("step %d: Add = %v, %v; want %v, %v", i, changed, err, s.changed, s.err)
		}
	}
	if got, _ := dir.Get(d5.Peer); got.Seq != 6 || got.Bandwidth != 99 {
		t.Fatalf("directory holds seq %d", got.Seq)
	}
	now = now.Add(2 * time.Hour)
	if dir.Len() != 0 {
		t.Fatal("expired descriptor still live")
	}
}

func TestValidatorSelect(t *testing.T) {
	t.Parallel()
	d, raw5 := testDescriptor(t, 5, func(d *Descriptor) { d.Seq = 5 })
	_, raw9 := testDescriptor(t, 5, func(d *Descriptor) { d.Seq = 9 })
	v := Validator{Now: func() time.Time { return testNow }}
	key := DescriptorKey(d.Peer)
	if err := v.Validate(key, raw5); err != nil {
		t.Fatal(err)
	}
	if err := v.Validate("/relay/nonsense", raw5); !errors.Is(err, ErrBadKey) {
		t.Fatalf("bad key: %v", err)
	}
	if i, err := v.Select(key, [][]byte{raw5, []byte("junk"), raw9}); err != nil || i != 2 {
		t.Fatalf("Select = %d, %v; want 2", i, err)
	}
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"relay", "gateway", "market", "worker"} {
		r, err := ParseRole(name)
		if err != nil || len(r.Names()) != 1 || r.Names()[0] != name {
			t.Fatalf("ParseRole(%q) = %v, %v", name, r, err)
		}
	}
	if _, err := ParseRole("admin"); err == nil {
		t.Fatal("unknown role accepted")
	}
}

// TestDirectoryFull: a flood of valid descriptors from distinct peers stops
// at MaxDirectoryEntries; known peers still update, and room returns as
// entries expire.
func TestDirectoryFull(t *testing.T) {
	t.Parallel()
	now := testNow
	dir := NewDirectory(func() time.Time { return now })
	var first *Descriptor
	for i := range MaxDirectoryEntries {
		d := &Descriptor{Seq: 1, Expiry: now.Add(time.Duration(1+i%2) * time.Hour)}
		k, _, _ := crypto.GenerateEd25519Key(nil)
		if err := d.Sign(k); err != nil {
			t.Fatal(err)
		}
		raw, _ := d.Marshal()
		if _, err := dir.Add(raw, ""); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if first == nil {
			first = d
		}
	}
	_, extra := testDescriptor(t, 77, nil)
	if _, err := dir.Add(extra, ""); !errors.Is(err, ErrDirectoryFull) {
		t.Fatalf("entry past the cap: %v, want ErrDirectoryFull", err)
	}
	now = now.Add(90 * time.Minute) // half the entries expire
	_, extra = testDescriptor(t, 77, func(d *Descriptor) { d.Expiry = now.Add(time.Hour) })
	if _, err := dir.Add(extra, ""); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
}
