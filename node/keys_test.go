package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestIdentityPersistsWith0600(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k1, created, err := loadOrCreateIdentity(dir)
	if err != nil || !created {
		t.Fatalf("first load: created=%v err=%v", created, err)
	}
	st, _ := os.Stat(filepath.Join(dir, identityFile))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("identity mode %v, want 0600", st.Mode().Perm())
	}
	k2, created, err := loadOrCreateIdentity(dir)
	if err != nil || created || !k1.Equals(k2) {
		t.Fatalf("second load: created=%v err=%v same=%v", created, err, k1.Equals(k2))
	}
	if err := os.Chmod(filepath.Join(dir, identityFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadOrCreateIdentity(dir); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("world-readable identity accepted: %v", err)
	}
}

func TestOnionKeyRotation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		at       time.Duration
		rotated  bool
		previous bool
	}{
		{0, true, false}, // created
		{OnionKeyLifetime - time.Minute, false, false}, // still current
		{OnionKeyLifetime, true, true},                 // rotated; old one kept for overlap
		{2*OnionKeyLifetime - time.Minute, false, true},
		{2 * OnionKeyLifetime, true, true}, // the first key is gone now
	}
	var first, prevPub [32]byte
	for i, s := range steps {
		k, rotated, err := loadOrCreateOnionKeys(dir, t0.Add(s.at))
		if err != nil {
			t.Fatal(err)
		}
		if rotated != s.rotated || (k.Previous != nil) != s.previous {
			t.Fatalf("step %d: rotated=%v previous=%v", i, rotated, k.Previous != nil)
		}
		if i == 0 {
			first = k.Public()
		}
		if rotated && i > 0 && k.Public() == prevPub {
			t.Fatalf("step %d: rotation kept the same key", i)
		}
		prevPub = k.Public()
	}
	k, _, _ := loadOrCreateOnionKeys(dir, t0.Add(2*OnionKeyLifetime))
	if k.Public() == first {
		t.Fatal("first key still current")
	}
	st, _ := os.Stat(filepath.Join(dir, onionKeysFile))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("onion key mode %v", st.Mode().Perm())
	}
}

func TestCorruptOnionKeysRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, onionKeysFile), []byte(`{"current":{"private":"AAAA"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadOrCreateOnionKeys(dir, time.Now()); err == nil {
		t.Fatal("corrupt onion key file accepted")
	}
}

func TestAPIRefusesNetworkAddresses(t *testing.T) {
	t.Parallel()
	for addr, ok := range map[string]bool{
		"unix": true, "unix:/tmp/x.sock": true, "127.0.0.1:7480": true, "[::1]:7480": true, "localhost:1": true,
		"0.0.0.0:7480": false, "10.0.0.1:7480": false, ":7480": false, "example.com:80": false, "garbage": false,
	} {
		_, err := Config{DataDir: "/d", API: addr}.apiEndpoint()
		if (err == nil) != ok {
			t.Errorf("api %q: err = %v, want ok=%v", addr, err, ok)
		}
	}
}
