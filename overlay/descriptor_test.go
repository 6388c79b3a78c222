package overlay

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// testPoWBits keeps test identities cheap; test directories and validators
// ask for exactly this difficulty.
const testPoWBits = 4

// newTestDirectory is a directory at a fixed clock with the test difficulty.
func newTestDirectory(now func() time.Time) *Directory {
	d := NewDirectory(now)
	d.SetPolicy(DirectoryPolicy{PoWBits: testPoWBits})
	return d
}

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
	if err := d.SignPoW(testKey(t, seed), testPoWBits); err != nil {
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
	checkGolden(t, "testdata/descriptor_v2.hex", raw)
}

// TestDescriptorLayout checks the v2 fields at the offsets the layout
// comment gives, independently of the encoder: the cells version right
// after the magic, the proof-of-work nonce right before the signature.
func TestDescriptorLayout(t *testing.T) {
	t.Parallel()
	d, raw := testDescriptor(t, 9, func(d *Descriptor) { d.Cells = 2 })
	if string(raw[:4]) != "ccd2" || raw[4] != 2 {
		t.Fatalf("header %x, want magic ccd2 and cells version 2", raw[:5])
	}
	nonce := raw[len(raw)-sigSize-8 : len(raw)-sigSize]
	var want [8]byte
	for i := range want {
		want[i] = byte(d.PoW >> (56 - 8*i))
	}
	if !bytes.Equal(nonce, want[:]) {
		t.Fatalf("nonce bytes %x, want %x", nonce, want)
	}
	if powZeros(d.Peer, d.PoW) < testPoWBits {
		t.Fatal("signed descriptor does not carry its proof of work")
	}
}

// TestDescriptorV1Refused: a v1 relay (no cells version, no proof of work)
// is refused by v2 directories rather than misread.
func TestDescriptorV1Refused(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/descriptor_v1.hex")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseDescriptor(raw); !errors.Is(err, ErrDescriptorMalformed) {
		t.Fatalf("v1 descriptor: %v, want ErrDescriptorMalformed", err)
	}
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
	_ = impostor.SignPoW(testKey(t, 2), testPoWBits)
	impostor.Peer = other.Peer
	impostorRaw, _ := impostor.Marshal()
	oversized := append(bytes.Clone(raw), make([]byte, MaxDescriptorSize)...)
	withAddr := func(s string) []byte {
		_, r := testDescriptor(t, 2, func(d *Descriptor) {
			d.Addrs = []ma.Multiaddr{ma.StringCast("/ip4/10.1.2.3/tcp/1"), ma.StringCast(s)}
		})
		return r
	}
	lazy := &Descriptor{Expiry: testNow.Add(time.Hour), Seq: 1, Addrs: good.Addrs}
	for powZeros(good.Peer, lazy.PoW) >= testPoWBits {
		lazy.PoW++
	}
	_ = lazy.SignPoW(testKey(t, 2), 0) // difficulty 0: keeps the failing nonce
	lazyRaw, _ := lazy.Marshal()

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
		{"dns4 address", withAddr("/dns4/relay.example/tcp/4001"), good.Peer, ErrAddrNotIP},
		{"dns6 address", withAddr("/dns6/relay.example/tcp/4001"), good.Peer, ErrAddrNotIP},
		{"dnsaddr address", withAddr("/dnsaddr/relay.example"), good.Peer, ErrAddrNotIP},
		{"unspecified address", withAddr("/ip4/0.0.0.0/tcp/4001"), good.Peer, ErrAddrNotIP},
		{"no proof of work", lazyRaw, good.Peer, ErrInsufficientWork},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := newTestDirectory(func() time.Time { return testNow })
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
	dir := newTestDirectory(func() time.Time { return now })
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
	v := Validator{Now: func() time.Time { return testNow }, PoWBits: testPoWBits}
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
