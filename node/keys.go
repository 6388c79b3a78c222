package node

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"cyclecash/node/service"
	"cyclecash/overlay"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// Key files in the data directory. Both hold secrets: 0600, written atomically.
const (
	identityFile  = "identity.key" // libp2p-marshalled Ed25519 private key
	onionKeysFile = "onion_keys.json"
	secretMode    = 0o600
	// OnionKeyLifetime is how long an onion key is announced; the previous
	// key keeps answering handshakes for one more lifetime (a week of
	// overlap), so clients holding an older descriptor still connect.
	OnionKeyLifetime = 7 * 24 * time.Hour
)

// nodeIdentity is the libp2p identity a node runs with: the persistent one
// in the data directory, or for a client-only node a fresh key per start,
// so its guard cannot link its sessions by identity and no identity of the
// node's relay life is ever used for its client circuits.
func nodeIdentity(cfg Config) (crypto.PrivKey, bool, error) {
	if cfg.ClientOnly {
		k, _, err := crypto.GenerateEd25519Key(rand.Reader)
		return k, false, err
	}
	return loadOrCreateIdentity(cfg.DataDir)
}

// loadOrCreateIdentity reads the node's identity key, creating it on first use.
func loadOrCreateIdentity(dir string) (crypto.PrivKey, bool, error) {
	path := filepath.Join(dir, identityFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if err := service.CheckSecretMode(path); err != nil {
			return nil, false, err
		}
		k, err := crypto.UnmarshalPrivateKey(b)
		if err != nil || k.Type() != crypto.Ed25519 {
			return nil, false, fmt.Errorf("node: %s is not an Ed25519 identity key", identityFile)
		}
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("node: read identity: %w", err)
	}
	k, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, false, err
	}
	raw, err := crypto.MarshalPrivateKey(k)
	if err != nil {
		return nil, false, err
	}
	if err := overlay.WriteFileAtomic(path, raw, secretMode); err != nil {
		return nil, false, err
	}
	return k, true, nil
}

// onionKey is one X25519 onion key with its creation time.
type onionKey struct {
	Private []byte    `json:"private"`
	Created time.Time `json:"created"`
}

// OnionKeys are the node's current onion key and the previous one, kept
// for a week of overlap after rotation.
type OnionKeys struct {
	Current  onionKey  `json:"current"`
	Previous *onionKey `json:"previous,omitempty"`
}

// Public returns the X25519 public key of the current onion key.
func (k *OnionKeys) Public() [32]byte {
	priv, err := ecdh.X25519().NewPrivateKey(k.Current.Private)
	if err != nil {
		panic("node: onion key validated at load is invalid")
	}
	var out [32]byte
	copy(out[:], priv.PublicKey().Bytes())
	return out
}

// loadOrCreateOnionKeys reads the onion keys, creating them on first use,
// and rotates them when the current key is older than OnionKeyLifetime.
// It reports whether the current key changed.
func loadOrCreateOnionKeys(dir string, now time.Time) (*OnionKeys, bool, error) {
	return nextOnionKeys(dir, now, false)
}

// nextOnionKeys is loadOrCreateOnionKeys, except that early rotates a
// current key of any age: the relay's replay set for it is filling
// (overlay.RelayLimits.ReplayLow), and a full set refuses every CREATE.
func nextOnionKeys(dir string, now time.Time, early bool) (*OnionKeys, bool, error) {
	path := filepath.Join(dir, onionKeysFile)
	keys := &OnionKeys{}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		keys = nil
	case err != nil:
		return nil, false, fmt.Errorf("node: read onion keys: %w", err)
	default:
		if err := service.CheckSecretMode(path); err != nil {
			return nil, false, err
		}
		if keys, err = parseOnionKeys(b); err != nil {
			return nil, false, err
		}
	}
	if keys != nil && !early && now.Sub(keys.Current.Created) < OnionKeyLifetime {
		return keys, false, nil
	}
	next, err := rotate(keys, now)
	if err != nil {
		return nil, false, err
	}
	raw, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return nil, false, err
	}
	if err := overlay.WriteFileAtomic(path, raw, secretMode); err != nil {
		return nil, false, err
	}
	return next, true, nil
}

// parseOnionKeys decodes onion_keys.json: both keys, when present, must be
// X25519 private keys (a bad previous key used to pass here and fail the
// node's start later, in the relay's key setup).
func parseOnionKeys(b []byte) (*OnionKeys, error) {
	keys := &OnionKeys{}
	if err := json.Unmarshal(b, keys); err != nil || !validX25519(keys.Current.Private) ||
		(keys.Previous != nil && !validX25519(keys.Previous.Private)) {
		return nil, fmt.Errorf("node: %s is corrupt", onionKeysFile)
	}
	return keys, nil
}

func rotate(old *OnionKeys, now time.Time) (*OnionKeys, error) {
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	next := &OnionKeys{Current: onionKey{Private: priv.Bytes(), Created: now}}
	if old != nil {
		prev := old.Current
		next.Previous = &prev
	}
	return next, nil
}

func validX25519(b []byte) bool {
	_, err := ecdh.X25519().NewPrivateKey(b)
	return err == nil
}
