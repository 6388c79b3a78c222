package onion

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/flynn/noise"
)

var update = flag.Bool("update", false, "rewrite testdata vectors from the reference models (never from the code under test)")

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", name), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

type noiseVector struct {
	Source        string   `json:"source"`
	RespStatic    string   `json:"resp_static"`
	InitEphemeral string   `json:"init_ephemeral"`
	RespEphemeral string   `json:"resp_ephemeral"`
	Payloads      []string `json:"payloads"`
	Ciphertexts   []string `json:"ciphertexts"`
}

// TestNoiseNKVectors drives the handshake configuration both roles use
// (nkConfig with newSuite, i.e. our x25519 under flynn/noise) with the fixed
// ephemerals of the published Noise_NK_25519_ChaChaPoly_BLAKE2s vectors:
// both handshake messages and the first transport message each way (which
// pin the split keys k1, k2) must match.
func TestNoiseNKVectors(t *testing.T) {
	t.Parallel()
	var vs []noiseVector
	readJSON(t, "noise_nk.json", &vs)
	for _, v := range vs {
		t.Run(v.Source, func(t *testing.T) {
			t.Parallel()
			got, _, _ := runNoiseVector(t, v)
			for i := range v.Ciphertexts {
				if got[i] != v.Ciphertexts[i] {
					t.Fatalf("message %d: %s\nwant %s", i, got[i], v.Ciphertexts[i])
				}
			}
		})
	}
}

// runNoiseVector returns the four messages and the client's split state.
func runNoiseVector(t *testing.T, v noiseVector) ([]string, *noise.HandshakeState, [2]*noise.CipherState) {
	static, err := ecdh.X25519().NewPrivateKey(unhex(t, v.RespStatic))
	if err != nil {
		t.Fatal(err)
	}
	ccfg := nkConfig(newSuite(nil), bytes.NewReader(unhex(t, v.InitEphemeral)), nil)
	ccfg.Initiator, ccfg.PeerStatic = true, static.PublicKey().Bytes()
	rcfg := nkConfig(newSuite(static), bytes.NewReader(unhex(t, v.RespEphemeral)), nil)
	rcfg.StaticKeypair = noise.DHKey{Private: static.Bytes(), Public: static.PublicKey().Bytes()}
	c, err1 := noise.NewHandshakeState(ccfg)
	r, err2 := noise.NewHandshakeState(rcfg)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	m0, _, _, err1 := c.WriteMessage(nil, unhex(t, v.Payloads[0]))
	_, _, _, err2 = r.ReadMessage(nil, m0)
	m1, r1, r2, err3 := r.WriteMessage(nil, unhex(t, v.Payloads[1]))
	_, c1, c2, err4 := c.ReadMessage(nil, m1)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || c1 == nil || r2 == nil {
		t.Fatal(err1, err2, err3, err4)
	}
	m2, err1 := c1.Encrypt(nil, nil, unhex(t, v.Payloads[2]))
	m3, err2 := r2.Encrypt(nil, nil, unhex(t, v.Payloads[3]))
	if err1 != nil || err2 != nil || r1.UnsafeKey() != c1.UnsafeKey() {
		t.Fatal(err1, err2)
	}
	h := hex.EncodeToString
	return []string{h(m0), h(m1), h(m2), h(m3)}, c, [2]*noise.CipherState{c1, c2}
}

// refHKDF is HKDF-SHA256 written from RFC 5869 §2.2-2.3 with HMAC only.
func refHKDF(ikm, salt, info []byte, n int) []byte {
	ext := hmac.New(sha256.New, salt)
	ext.Write(ikm)
	prk := ext.Sum(nil)
	var okm, prev []byte
	for i := byte(1); len(okm) < n; i++ {
		m := hmac.New(sha256.New, prk)
		m.Write(prev)
		m.Write(info)
		m.Write([]byte{i})
		prev = m.Sum(nil)
		okm = append(okm, prev...)
	}
	return okm[:n]
}

// TestHopKeySchedule: the hop keys after the vector handshake are the RFC
// 5869 expansion of k1 ‖ k2 under salt h, sliced as handshake.go says:
// forward Kc, Kt, Kn, chain, then the same backward.
func TestHopKeySchedule(t *testing.T) {
	t.Parallel()
	var vs []noiseVector
	readJSON(t, "noise_nk.json", &vs)
	_, hs, cs := runNoiseVector(t, vs[0])
	h := hs.ChannelBinding()
	k1, k2 := cs[0].UnsafeKey(), cs[1].UnsafeKey()
	keys, err := deriveHopKeys(h, k1, k2)
	if err != nil {
		t.Fatal(err)
	}
	okm := refHKDF(append(k1[:], k2[:]...), h, []byte("cyclecash onion hop keys v2"), 2*(96+16))
	for i, d := range []dirKeys{keys.forward, keys.backward} {
		want := okm[i*112 : (i+1)*112]
		got := append(append([]byte(nil), d.cipher[:]...), d.chain[:]...)
		if !bytes.Equal(got, want) {
			t.Fatalf("direction %d: keys %x\nwant %x", i, got, want)
		}
	}
}

type layerVector struct {
	Keys, Chain string
	Backward    bool
	Cmds        []Command
	Plaintexts  []string // consecutive relay bodies
	Ciphertexts []string // seal() of each, in order (chained)
}

func (v *layerVector) dirKeys(t testing.TB) *dirKeys {
	var k dirKeys
	copy(k.cipher[:], unhex(t, v.Keys))
	copy(k.chain[:], unhex(t, v.Chain))
	return &k
}

func (v *layerVector) reference(t testing.TB) []string {
	l := &refLayer{keys: unhex(t, v.Keys), backward: v.Backward, chain: [16]byte(unhex(t, v.Chain))}
	var out []string
	for i, p := range v.Plaintexts {
		out = append(out, hex.EncodeToString(l.seal(t, unhex(t, p), v.Cmds[i])))
	}
	return out
}

func randomLayerVector(rng *rand.ChaCha8, backward bool, cells int) layerVector {
	h := hex.EncodeToString
	v := layerVector{Keys: h(randomBytes(rng, wbKeys)), Chain: h(randomBytes(rng, TagSize)), Backward: backward}
	for i := range cells {
		v.Cmds = append(v.Cmds, []Command{CmdRelayEarly, CmdRelay}[i%2])
		v.Plaintexts = append(v.Plaintexts, h(randomBytes(rng, BodySize)))
	}
	return v
}

// checkLayer seals v's bodies with the real layer and opens them with a
// second one: ciphertexts must equal want, and every cell must be recognized.
func checkLayer(t *testing.T, v layerVector, want []string) {
	dir := Forward
	if v.Backward {
		dir = Backward
	}
	enc, dec := newLayer(v.dirKeys(t), dir), newLayer(v.dirKeys(t), dir)
	for j, p := range v.Plaintexts {
		body := [BodySize]byte(unhex(t, p))
		enc.seal(&body, v.Cmds[j])
		if got := hex.EncodeToString(body[:]); got != want[j] {
			t.Fatalf("cell %d: ciphertext\n%s\nwant\n%s", j, got, want[j])
		}
		if !dec.open(&body, v.Cmds[j]) || hex.EncodeToString(body[TagSize:]) != p[2*TagSize:] {
			t.Fatalf("cell %d: layer does not round-trip", j)
		}
	}
}

// TestLayerMatchesReference: the layer (tweak, tag, chain, roles) equals
// the reference model on random keys and bodies, both directions.
func TestLayerMatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.NewChaCha8([32]byte{26})
	for i := range 8 {
		v := randomLayerVector(rng, i%2 == 1, 5)
		checkLayer(t, v, v.reference(t))
	}
}

// TestLayerVectors pins the layer to known answers computed by the
// reference model (-update rewrites them from the reference only).
func TestLayerVectors(t *testing.T) {
	t.Parallel()
	var vs []layerVector
	if *update {
		rng := rand.NewChaCha8([32]byte{42})
		for i := range 2 {
			v := randomLayerVector(rng, i == 1, 3)
			v.Ciphertexts = v.reference(t)
			vs = append(vs, v)
		}
		writeJSON(t, "layer.json", vs)
	}
	readJSON(t, "layer.json", &vs)
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range vs {
		checkLayer(t, v, v.Ciphertexts)
	}
}
