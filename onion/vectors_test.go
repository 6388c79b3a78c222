package onion

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"lukechampine.com/adiantum"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func writeJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", name), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAdiantumKnownVectors cross-checks the primitive against the Adiantum
// reference vectors, independently of our own golden files.
func TestAdiantumKnownVectors(t *testing.T) {
	t.Parallel()
	var vs []struct{ Source, Key, Tweak, Plaintext, Ciphertext string }
	readJSON(t, "adiantum_known.json", &vs)
	for _, v := range vs {
		t.Run(v.Source, func(t *testing.T) {
			t.Parallel()
			c := adiantum.New(unhex(t, v.Key))
			got := c.Encrypt(unhex(t, v.Plaintext), unhex(t, v.Tweak))
			if hex.EncodeToString(got) != v.Ciphertext {
				t.Fatalf("ciphertext %x, want %s", got, v.Ciphertext)
			}
		})
	}
}

type handshakeVector struct {
	Seed      string `json:"seed"` // ChaCha8 seed for all randomness
	Identity  string `json:"identity"`
	OnionPub  string `json:"onion_pub"`
	Create    string `json:"create_payload"`
	Created   string `json:"created_payload"`
	FwdCipher string `json:"fwd_cipher_key"`
	FwdMAC    string `json:"fwd_mac_key"`
	FwdChain  string `json:"fwd_chain"`
	BwdCipher string `json:"bwd_cipher_key"`
	BwdMAC    string `json:"bwd_mac_key"`
	BwdChain  string `json:"bwd_chain"`
}

// runHandshake performs a deterministic handshake and fills the outputs.
func runHandshake(t *testing.T, v *handshakeVector) {
	t.Helper()
	rng := rand.NewChaCha8([32]byte(unhex(t, v.Seed)))
	key, err := GenerateOnionKey(rng)
	if err != nil {
		t.Fatal(err)
	}
	id := unhex(t, v.Identity)
	hs, create, err := StartHandshake(rng, id, key.Public)
	if err != nil {
		t.Fatal(err)
	}
	reply, rk, err := respondHandshake(rng, id, key, create[KeyIDSize:], new(MemoryReplaySet))
	if err != nil {
		t.Fatal(err)
	}
	ck, err := hs.Finish(reply)
	if err != nil {
		t.Fatal(err)
	}
	if *ck != *rk {
		t.Fatal("client and relay derived different keys")
	}
	h := hex.EncodeToString
	v.OnionPub, v.Create, v.Created = h(key.Public[:]), h(create[:]), h(reply)
	v.FwdCipher, v.FwdMAC, v.FwdChain = h(ck.forward.cipher[:]), h(ck.forward.mac[:]), h(ck.forward.chain[:])
	v.BwdCipher, v.BwdMAC, v.BwdChain = h(ck.backward.cipher[:]), h(ck.backward.mac[:]), h(ck.backward.chain[:])
}

func TestHandshakeVectors(t *testing.T) {
	t.Parallel()
	var vs []handshakeVector
	if *update {
		for i, id := range []string{"", "relay", "12D3KooWExamplePeerIdentity"} {
			seed := make([]byte, 32)
			seed[0] = byte(i + 1)
			vs = append(vs, handshakeVector{Seed: hex.EncodeToString(seed), Identity: hex.EncodeToString([]byte(id))})
			runHandshake(t, &vs[i])
		}
		writeJSON(t, "handshake.json", vs)
	}
	readJSON(t, "handshake.json", &vs)
	for _, want := range vs {
		t.Run(want.Identity, func(t *testing.T) {
			t.Parallel()
			got := want
			runHandshake(t, &got)
			if got != want {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

type layerVector struct {
	Cipher, MAC, Chain string
	Backward           bool
	Plaintexts         []string // three consecutive relay bodies
	Ciphertexts        []string // seal() of each, in order (chained)
}

func runLayer(t *testing.T, v *layerVector) {
	t.Helper()
	var k dirKeys
	copy(k.cipher[:], unhex(t, v.Cipher))
	copy(k.mac[:], unhex(t, v.MAC))
	copy(k.chain[:], unhex(t, v.Chain))
	dir := Forward
	if v.Backward {
		dir = Backward
	}
	enc, dec := newLayer(&k, dir), newLayer(&k, dir)
	v.Ciphertexts = nil
	for _, p := range v.Plaintexts {
		body := [BodySize]byte(unhex(t, p))
		enc.seal(&body)
		v.Ciphertexts = append(v.Ciphertexts, hex.EncodeToString(body[:]))
		if !dec.open(&body) || hex.EncodeToString(body[TagSize:]) != p[2*TagSize:] {
			t.Fatal("layer does not round-trip")
		}
	}
}

func TestLayerVectors(t *testing.T) {
	t.Parallel()
	var vs []layerVector
	if *update {
		rng := rand.NewChaCha8([32]byte{42})
		for i := range 2 {
			v := layerVector{Cipher: hex.EncodeToString(randomBytes(rng, 32)), MAC: hex.EncodeToString(randomBytes(rng, 32)),
				Chain: hex.EncodeToString(randomBytes(rng, TagSize)), Backward: i == 1}
			for range 3 {
				v.Plaintexts = append(v.Plaintexts, hex.EncodeToString(randomBytes(rng, BodySize)))
			}
			runLayer(t, &v)
			vs = append(vs, v)
		}
		writeJSON(t, "layer.json", vs)
	}
	readJSON(t, "layer.json", &vs)
	for i, want := range vs {
		t.Run(string(rune('a'+i)), func(t *testing.T) {
			t.Parallel()
			got := want
			got.Plaintexts = append([]string(nil), want.Plaintexts...)
			runLayer(t, &got)
			for j := range want.Ciphertexts {
				if got.Ciphertexts[j] != want.Ciphertexts[j] {
					t.Fatalf("cell %d: ciphertext\n%s\nwant\n%s", j, got.Ciphertexts[j], want.Ciphertexts[j])
				}
			}
		})
	}
}
