package tor

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cretz/bine/control"
	"github.com/cretz/bine/torutil/ed25519"
	ma "github.com/multiformats/go-multiaddr"
)

// Bootstrap phases as tor 0.4.9 prints them (control-spec 5.4 examples).
var bootstrapVectors = []string{
	`NOTICE BOOTSTRAP PROGRESS=0 TAG=starting SUMMARY="Starting"`,
	`NOTICE BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY="Connecting to a relay"`,
	`WARN BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY="Connecting to a relay" WARNING="Connection refused" REASON=CONNECTREFUSED COUNT=1 RECOMMENDATION=ignore`,
	`NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"`,
}

func TestParseBootstrapVectors(t *testing.T) {
	want := []Bootstrap{{0, "starting", "Starting", ""}, {5, "conn", "Connecting to a relay", ""},
		{5, "conn", "Connecting to a relay", "Connection refused"}, {100, "done", "Done", ""}}
	for i, v := range bootstrapVectors {
		if got, err := parseBootstrap(v); err != nil || got != want[i] {
			t.Errorf("%q: %+v %v", v, got, err)
		}
	}
	for _, bad := range []string{"", "NOTICE", "NOTICE BOOTSTRAP TAG=x", "NOTICE BOOTSTRAP PROGRESS=101", "NOTICE CLIENT PROGRESS=1"} {
		if _, err := parseBootstrap(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// Invariant: a parsed phase has 0..100 progress, and printing it back in
// tor's form parses to the same value.
func FuzzParseBootstrap(f *testing.F) {
	for _, v := range bootstrapVectors {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := parseBootstrap(s)
		if err != nil {
			return
		}
		if b.Percent < 0 || b.Percent > 100 {
			t.Fatalf("progress %d", b.Percent)
		}
		if strings.ContainsAny(b.Tag+b.Summary+b.Warning, `"`) || strings.Contains(b.Tag, " ") {
			return // not printable back in tor's grammar
		}
		again := fmt.Sprintf(`NOTICE BOOTSTRAP PROGRESS=%d TAG=%s SUMMARY="%s" WARNING="%s"`, b.Percent, b.Tag, b.Summary, b.Warning)
		if b2, err := parseBootstrap(again); err != nil || b2 != b {
			t.Fatalf("round trip %+v -> %+v %v", b, b2, err)
		}
	})
}

// connectReply encodes a SOCKS5 reply with a bound IPv4 address.
func connectReply(code byte) []byte {
	return binary.BigEndian.AppendUint16([]byte{5, code, 0, atypIPv4, 127, 0, 0, 1}, 9050)
}

func TestSocksReplyCodes(t *testing.T) {
	cases := map[byte]error{0: nil, 1: ErrExitRefused, 5: ErrExitRefused, 4: ErrUnreachable,
		6: ErrCircuitTimeout, 0xF0: ErrOnionUnreachable, 0xF6: ErrBadAddr, 0x42: ErrSOCKS}
	for code, want := range cases {
		err := readConnectReply(bytes.NewReader(connectReply(code)))
		if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
			t.Errorf("code %#x: %v, want %v", code, err, want)
		}
	}
}

// Invariant: any reply either parses (consuming exactly its length) or
// fails with ErrSOCKS-family errors; valid encodings round-trip the code.
func FuzzReadConnectReply(f *testing.F) {
	f.Add(connectReply(0))
	f.Add(connectReply(5))
	f.Add([]byte{5, 0, 0, atypDomain, 3, 'a', 'b', 'c', 0, 80})
	f.Add(append([]byte{5, 0xF0, 0, atypIPv6}, make([]byte, 18)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		err := readConnectReply(r)
		if err == nil && (len(b) < 4 || b[1] != 0) {
			t.Fatalf("accepted %x", b)
		}
		for _, code := range []byte{0, 1, 5, 0xF3} {
			if e := readConnectReply(bytes.NewReader(connectReply(code))); (e == nil) != (code == 0) {
				t.Fatalf("code %d: %v", code, e)
			}
		}
	})
}

func TestDialTarget(t *testing.T) {
	id := strings.Repeat("a", 56)
	good := map[string]string{
		"/onion3/" + id + ":4001":   id + ".onion:4001",
		"/ip4/127.0.0.1/tcp/80":     "127.0.0.1:80",
		"/ip6/::1/tcp/80":           "[::1]:80",
		"/dns4/example.com/tcp/443": "example.com:443",
	}
	for s, want := range good {
		if got, err := DialTarget(ma.StringCast(s)); err != nil || got != want {
			t.Errorf("%s: %q %v", s, got, err)
		}
	}
	for _, s := range []string{"/ip4/127.0.0.1/udp/80", "/ip4/127.0.0.1/udp/80/quic-v1", "/ip4/127.0.0.1/tcp/80/ws", "/ip4/1.2.3.4"} {
		if _, err := DialTarget(ma.StringCast(s)); !errors.Is(err, ErrBadAddr) {
			t.Errorf("%s accepted: %v", s, err)
		}
	}
}

// Invariant: whatever multiaddr DialTarget accepts becomes a host:port
// with a port in range, and an onion3 target ends in ".onion".
func FuzzDialTarget(f *testing.F) {
	for _, s := range []string{"/ip4/127.0.0.1/tcp/80", "/dns/x.example/tcp/1", "/ip6/::1/tcp/65535"} {
		f.Add(ma.StringCast(s).Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ma.NewMultiaddrBytes(b)
		if err != nil {
			return
		}
		hp, err := DialTarget(m)
		if err != nil {
			return
		}
		host, _, err := splitHostPort(hp)
		if err != nil {
			t.Fatalf("%s -> %q: %v", m, hp, err)
		}
		if _, onion := m.ValueForProtocol(ma.P_ONION3); onion == nil && !strings.HasSuffix(host, ".onion") {
			t.Fatalf("%s -> %q", m, hp)
		}
	})
}

// Invariant: a key file that parses formats back to the same bytes.
func FuzzParseKey(f *testing.F) {
	kp, err := ed25519.GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(formatKey(&control.ED25519Key{KeyPair: kp}))
	f.Add("ED25519-V3:")
	f.Add("RSA1024:AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := parseKey(strings.TrimSpace(s))
		if err != nil {
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("error outside ErrBadKey: %v", err)
			}
			return
		}
		k2, err := parseKey(strings.TrimSpace(formatKey(k)))
		if err != nil || !bytes.Equal(k2.PrivateKey(), k.PrivateKey()) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
