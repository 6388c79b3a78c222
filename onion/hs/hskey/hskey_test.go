package hskey

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "market.key")
	k, created, err := LoadOrCreate(path, rand.Reader)
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", st.Mode().Perm(), err)
	}
	again, created, err := LoadOrCreate(path, rand.Reader)
	if err != nil || created || again.Public() != k.Public() {
		t.Fatalf("reload: %v %v", created, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("left %d files behind", len(entries))
	}
}

// Another local user could read a key file left group- or world-readable
// and impersonate the service: it is refused, not used.
func TestReadableKeyRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if _, _, err := LoadOrCreate(path, rand.Reader); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrReadable) {
		t.Fatalf("group-readable key: %v", err)
	}
	if _, _, err := LoadOrCreate(path, rand.Reader); !errors.Is(err, ErrReadable) {
		t.Fatalf("LoadOrCreate replaced a readable key: %v", err)
	}
}

func TestCorruptKeyRefused(t *testing.T) {
	dir := t.TempDir()
	for i, content := range []string{"", "cyclecash-hs-identity-v1 abcd\n", "ssh-ed25519 AAAA\n",
		"cyclecash-hs-identity-v1 " + string(make([]byte, 64)) + "\n"} {
		path := filepath.Join(dir, string(rune('a'+i)))
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); !errors.Is(err, ErrFormat) {
			t.Errorf("%q: %v", content, err)
		}
	}
}
