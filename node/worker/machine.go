package worker

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"cyclecash/node/service"
)

// What a worker reads from its own machine: the load average it yields to,
// and its persistent account key (open mode).

// busy reports whether the 1-minute load average exceeds compute.yield_load.
// Where /proc/loadavg cannot be read, the machine is never busy.
func (w *Worker) busy() bool {
	if w.cfg.YieldLoad <= 0 {
		return false
	}
	read := loadAverage
	if w.hooks.LoadAverage != nil {
		read = w.hooks.LoadAverage
	}
	load, err := read()
	return err == nil && load > w.cfg.YieldLoad
}

// loadAverage reads the 1-minute load average from /proc/loadavg.
func loadAverage() (float64, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, errors.New("node: empty /proc/loadavg")
	}
	return strconv.ParseFloat(f[0], 64)
}

// loadOrCreateAccountKey returns the open worker's Ed25519 account key,
// creating it (0600) on first use. Its hash is the worker's account at
// every gateway.
func loadOrCreateAccountKey(path string) (ed25519.PrivateKey, error) {
	if b, err := os.ReadFile(path); err == nil {
		if len(b) != ed25519.SeedSize {
			return nil, fmt.Errorf("node: %s is not an account key", path)
		}
		if err := service.CheckSecretMode(path); err != nil {
			return nil, err
		}
		return ed25519.NewKeyFromSeed(b), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("node: account key: %w", err)
	}
	seed := make([]byte, ed25519.SeedSize)
	rand.Read(seed)
	if err := service.WriteFileAtomic(path, seed, 0o600); err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
