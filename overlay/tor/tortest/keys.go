package tortest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

var fingerprintRE = regexp.MustCompile(`^[0-9A-F]{40}$`)

// Binary returns the path of the system tor: "tor" on PATH, else Debian's
// /usr/sbin/tor (outside a normal user's PATH).
func Binary() (string, error) {
	if p, err := exec.LookPath("tor"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/tor", "/usr/bin/tor"} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", ErrNoTor
}

func findBinaries() error {
	if _, err := Binary(); err != nil {
		return err
	}
	if _, err := exec.LookPath("tor-gencert"); err != nil {
		return ErrNoTor
	}
	return nil
}

// makeKeys creates every relay's identity (and the authorities' v3 keys and
// certificates) in parallel, then builds the DirAuthority lines.
func (n *Network) makeKeys() error {
	errs := make([]error, len(n.Relays))
	var wg sync.WaitGroup
	for i, r := range n.Relays {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.makeKeys()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, r := range n.Relays {
		if r.DirPort == 0 {
			continue
		}
		v3, err := v3Ident(filepath.Join(r.dir, "keys", "authority_certificate"))
		if err != nil {
			return err
		}
		n.dirAuths = append(n.dirAuths, fmt.Sprintf("DirAuthority %s orport=%d no-v2 v3ident=%s 127.0.0.1:%d %s",
			r.Name, r.ORPort, v3, r.DirPort, r.Fingerprint))
	}
	return nil
}

func (r *Relay) makeKeys() error {
	keys := filepath.Join(r.dir, "keys")
	if err := os.MkdirAll(keys, 0o700); err != nil {
		return fmt.Errorf("tortest: %w", err)
	}
	if r.DirPort != 0 {
		cmd := exec.Command("tor-gencert", "--create-identity-key", "--passphrase-fd", "0", "-m", "12",
			"-a", "127.0.0.1:"+strconv.Itoa(r.DirPort),
			"-i", filepath.Join(keys, "authority_identity_key"),
			"-s", filepath.Join(keys, "authority_signing_key"),
			"-c", filepath.Join(keys, "authority_certificate"))
		cmd.Stdin = strings.NewReader("\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("tortest: tor-gencert for %s: %v: %s", r.Name, err, firstLine(out))
		}
	}
	bin, _ := Binary()
	cmd := exec.Command(bin, "--ignore-missing-torrc", "-f", "/dev/null", "--orport", "1",
		"--datadirectory", r.dir, "--list-fingerprint", "--hush")
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("tortest: fingerprint of %s: %w", r.Name, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	fields := strings.Fields(lines[len(lines)-1])
	if len(fields) < 2 {
		return fmt.Errorf("tortest: no fingerprint for %s", r.Name)
	}
	r.Fingerprint = strings.Join(fields[1:], "")
	if !fingerprintRE.MatchString(r.Fingerprint) {
		return fmt.Errorf("tortest: bad fingerprint for %s", r.Name)
	}
	return nil
}

// v3Ident reads the authority identity fingerprint from its certificate.
func v3Ident(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("tortest: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "fingerprint" && fingerprintRE.MatchString(f[1]) {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("tortest: no fingerprint in %s", path)
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}
