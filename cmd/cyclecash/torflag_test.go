package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTorFlag: --tor turns the [tor] section on over a file that leaves
// it off, and keeps the file's other [tor] keys.
func TestTorFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "node.toml")
	body := "data = \"" + dir + "\"\n[tor]\nenabled = false\nonion_listen = true\nservices = [\"ledger 80 -> 127.0.0.1:3338\"]\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want bool
	}{{[]string{"--config", path}, false}, {[]string{"--config", path, "--tor"}, true}} {
		var f nodeFlags
		fs := newFlagSet("run", os.Stderr)
		f.register(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		cfg, err := f.load(fs)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Tor.Enabled != tc.want || !cfg.Tor.OnionListen || len(cfg.Tor.Services) != 1 {
			t.Fatalf("%v: tor config %+v", tc.args, cfg.Tor)
		}
	}
}
