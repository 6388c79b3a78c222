package hs

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultIntroPoints is how many introduction points a service keeps.
const DefaultIntroPoints = 3

// ServiceConfig is one `[[hidden_service]]` entry.
type ServiceConfig struct {
	Name string `toml:"name"`
	// Key is the identity key file, relative to the data directory;
	// empty means "hs/<name>.key". Created (0600) on first start.
	Key string `toml:"key"`
	// Ports maps virtual ports to targets, a loopback TCP address, a unix
	// socket, or a role of this node serving in process:
	// "80 127.0.0.1:8080", "80 unix:/run/site.sock", "80 role:market".
	Ports []string `toml:"ports"`
	// IntroPoints is how many introduction points to keep; 0 = 3.
	IntroPoints int `toml:"intro_points"`
}

// KeyPath is where the service's identity key lives under dataDir.
func (c ServiceConfig) KeyPath(dataDir string) string {
	if c.Key == "" {
		return filepath.Join(dataDir, "hs", c.Name+".key")
	}
	if filepath.IsAbs(c.Key) {
		return c.Key
	}
	return filepath.Join(dataDir, c.Key)
}

// PortMap parses Ports: virtual port → loopback host:port, or
// "unix:" and the absolute path of a unix socket.
func (c ServiceConfig) PortMap() (map[uint16]string, error) {
	if c.Name == "" || strings.ContainsAny(c.Name, `/\.`) {
		return nil, fmt.Errorf("%w: name %q (letters, digits, - and _ only)", ErrConfig, c.Name)
	}
	if len(c.Ports) == 0 {
		return nil, fmt.Errorf("%w: %s: ports is empty", ErrConfig, c.Name)
	}
	m := map[uint16]string{}
	for _, p := range c.Ports {
		virt, target, ok := strings.Cut(strings.TrimSpace(p), " ")
		v, err := strconv.ParseUint(virt, 10, 16)
		if !ok || err != nil || v == 0 {
			return nil, fmt.Errorf("%w: %s: ports entry %q is not \"VIRTPORT 127.0.0.1:PORT\", \"VIRTPORT unix:/PATH\" or \"VIRTPORT role:NAME\"", ErrConfig, c.Name, p)
		}
		if err := checkTarget(strings.TrimSpace(target)); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrConfig, c.Name, err)
		}
		m[uint16(v)] = strings.TrimSpace(target)
	}
	return m, nil
}

// maxUnixPath is the longest socket path the kernel's sockaddr_un holds.
const maxUnixPath = 107

// checkTarget accepts a loopback IP literal with a port, "unix:" and an
// absolute socket path, or "role:" and a role name (the node checks that
// it plays it).
func checkTarget(t string) error {
	if name, ok := strings.CutPrefix(t, RolePrefix); ok {
		if name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz") != "" {
			return fmt.Errorf("target %q is not role: and a role name", t)
		}
		return nil
	}
	if path, ok := strings.CutPrefix(t, "unix:"); ok {
		if !filepath.IsAbs(path) || len(path) > maxUnixPath {
			return fmt.Errorf("target %q is not unix: and an absolute path of at most %d bytes", t, maxUnixPath)
		}
		return nil
	}
	return loopbackTarget(t)
}

// targetNetwork splits a checked target into net.Dial's network and address.
func targetNetwork(t string) (network, address string) {
	if path, ok := strings.CutPrefix(t, "unix:"); ok {
		return "unix", path
	}
	return "tcp", t
}

// loopbackTarget accepts only a loopback IP literal with a port.
func loopbackTarget(t string) error {
	host, port, err := net.SplitHostPort(t)
	if err != nil {
		return fmt.Errorf("target %q is not host:port", t)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("target %q is not a loopback IP literal", t)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return fmt.Errorf("target %q has a bad port", t)
	}
	return nil
}

// AddressOf returns the `.mesh` address of the service c names, loading or
// creating its key under dataDir.
func AddressOf(dataDir string, c ServiceConfig) (string, error) {
	key, err := loadKey(c, dataDir)
	if err != nil {
		return "", err
	}
	return key.Public().Address(), nil
}
