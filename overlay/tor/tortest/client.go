package tortest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Client is a tor client of the network started outside the code under
// test, as an operator's system tor would be: a test attaches to its
// control port.
type Client struct {
	ControlPort int
	SocksPort   int
	proc        *proc
}

// PID is the client's process id (0 once it has exited).
func (c *Client) PID() int { return c.proc.pid() }

// Close stops the client.
func (c *Client) Close() { c.proc.stop() }

// HashPassword returns tor's HashedControlPassword form of password.
func HashPassword(password string) (string, error) {
	bin, err := Binary()
	if err != nil {
		return "", err
	}
	out, err := exec.Command(bin, "--quiet", "--hash-password", password).Output()
	if err != nil {
		return "", fmt.Errorf("tortest: hash password: %w", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], "16:") {
		return "", fmt.Errorf("tortest: hash password: unexpected output")
	}
	return lines[len(lines)-1], nil
}

// StartClient launches a client tor in dir (0700) with a control port and
// a SOCKS port on loopback plus the extra torrc lines (say, an
// authentication method). It does not wait for bootstrap.
func (n *Network) StartClient(dir string, extra ...string) (*Client, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tortest: %w", err)
	}
	ports, err := FreePorts(2)
	if err != nil {
		return nil, err
	}
	lines := append(n.common(dir), fmt.Sprintf("ControlPort 127.0.0.1:%d", ports[0]),
		fmt.Sprintf("SocksPort 127.0.0.1:%d", ports[1]))
	torrc := filepath.Join(dir, "torrc")
	if err := os.WriteFile(torrc, []byte(strings.Join(append(lines, extra...), "\n")+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("tortest: %w", err)
	}
	p, err := startTor(torrc, dir)
	if err != nil {
		return nil, err
	}
	return &Client{ControlPort: ports[0], SocksPort: ports[1], proc: p}, nil
}
