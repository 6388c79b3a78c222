package tor

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Config configures Start and Attach. The zero value (plus Dir) starts a
// private tor on loopback ports chosen by tor, with no fallback to direct
// dialling.
type Config struct {
	// Dir is our data directory; tor's lives in Dir/tor (0700), its log in
	// Dir/tor/tor.log and onion service keys in Dir/tor/onion (0600).
	Dir string
	// Binary is the tor executable; "" looks up tor on PATH, then
	// /usr/sbin/tor (Debian) and /usr/bin/tor.
	Binary string
	// Control, when set (host:port), makes Attach use an existing tor.
	Control string
	// ControlPassword authenticates to Control (HASHEDPASSWORD); "" uses
	// the cookie tor names in PROTOCOLINFO, or no authentication.
	ControlPassword string
	// BootstrapTimeout bounds the wait for 100%; 0 means 3 minutes.
	BootstrapTimeout time.Duration
	// Progress, if set, is called on every bootstrap progress change.
	Progress func(percent int, summary string)
	// Fallback allows dialling directly when tor is gone or its SOCKS port
	// is unreachable. Never for .onion addresses.
	Fallback bool
	// Torrc holds extra torrc lines for a started tor (bridges, or the
	// DirAuthority lines of a private network).
	Torrc []string
}

const defaultBootstrapTimeout = 3 * time.Minute

func (c Config) bootstrapTimeout() time.Duration {
	if c.BootstrapTimeout <= 0 {
		return defaultBootstrapTimeout
	}
	return c.BootstrapTimeout
}

// torDir is tor's own data directory inside ours.
func (c Config) torDir() string { return filepath.Join(c.Dir, "tor") }

// LogPath is where a started tor writes its notice log.
func (c Config) LogPath() string { return filepath.Join(c.torDir(), "tor.log") }

func (c Config) validate() error {
	if c.Dir == "" {
		return fmt.Errorf("%w: dir is empty", ErrConfig)
	}
	if !filepath.IsAbs(c.Dir) {
		return fmt.Errorf("%w: dir must be absolute", ErrConfig)
	}
	for _, l := range c.Torrc {
		if strings.ContainsAny(l, "\r\n") {
			return fmt.Errorf("%w: torrc line contains a newline", ErrConfig)
		}
	}
	return nil
}

// binary resolves the tor executable.
func (c Config) binary() (string, error) {
	if c.Binary != "" {
		if st, err := os.Stat(c.Binary); err != nil || !st.Mode().IsRegular() {
			return "", fmt.Errorf("%w: %s", ErrTorMissing, c.Binary)
		}
		return c.Binary, nil
	}
	if p, err := exec.LookPath("tor"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/tor", "/usr/bin/tor"} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w on PATH (apt-get install tor)", ErrTorMissing)
}
