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
	// Ports maps virtual ports to loopback TCP targets:
	// "80 127.0.0.1:8080".
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

// PortMap parses Ports: virtual port → loopback host:port.
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
			return nil, fmt.Errorf("%w: %s: ports entry %q is not \"VIRTPORT 127.0.0.1:PORT\"", ErrConfig, c.Name, p)
		}
		if err := loopbackTarget(strings.TrimSpace(target)); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrConfig, c.Name, err)
		}
		m[uint16(v)] = strings.TrimSpace(target)
	}
	return m, nil
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
