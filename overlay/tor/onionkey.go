package tor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cretz/bine/control"
)

var serviceNameRE = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// keyPath is the file holding a named service's key. The name is checked
// first, so it cannot leave the onion directory.
func (c Config) keyPath(name string) (string, error) {
	if !serviceNameRE.MatchString(name) {
		return "", fmt.Errorf("%w: %q", ErrBadServiceName, name)
	}
	return filepath.Join(c.torDir(), "onion", name+".key"), nil
}

// loadKey returns the stored key of a service, or nil when there is none
// yet. The file holds tor's own "ED25519-V3:<base64>" form.
func loadKey(path string) (*control.ED25519Key, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tor: read onion key: %w", err)
	}
	return parseKey(strings.TrimSpace(string(b)))
}

// parseKey parses "ED25519-V3:<base64 of the 64-byte expanded key>".
func parseKey(s string) (*control.ED25519Key, error) {
	typ, blob, ok := strings.Cut(s, ":")
	if !ok || control.KeyType(typ) != control.KeyTypeED25519V3 {
		return nil, fmt.Errorf("%w: not an ED25519-V3 key", ErrBadKey)
	}
	k, err := control.ED25519KeyFromBlob(blob)
	if err != nil || len(k.PrivateKey()) != 64 {
		return nil, fmt.Errorf("%w: bad key encoding", ErrBadKey)
	}
	return k, nil
}

func formatKey(k *control.ED25519Key) string {
	return string(control.KeyTypeED25519V3) + ":" + k.Blob() + "\n"
}

// storeKey writes a key 0600 (atomically) in a 0700 directory.
func storeKey(path string, k *control.ED25519Key) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("tor: onion key directory: %w", err)
	}
	if err := writeFileAtomic(path, []byte(formatKey(k))); err != nil {
		return fmt.Errorf("tor: store onion key: %w", err)
	}
	return nil
}
