package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cyclecash/node"
)

// TestConfigTemplateIsDefaults: the node.toml init writes decodes to exactly
// node.Defaults, so the file documents what a node really does.
func TestConfigTemplateIsDefaults(t *testing.T) {
	t.Parallel()
	want := node.Defaults()
	want.DataDir = "/var/lib/cyclecash"
	text, err := renderConfig(want)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "node.toml")
	if err := os.WriteFile(path, text, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("template decodes to\n%+v\nwant\n%+v", got, want)
	}
}

// TestFlagsWinOverFile: a flag given on the command line replaces the file's
// value; keys without a flag keep the file's.
func TestFlagsWinOverFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "node.toml")
	body := "data = \"" + dir + "\"\nroles = [\"gateway\"]\nfamily = \"acme\"\nlisten = [\"/ip4/127.0.0.1/tcp/1\"]\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var f nodeFlags
	fs := newFlagSet("run", os.Stderr)
	f.register(fs)
	if err := fs.Parse([]string{"--config", path, "--role", "relay", "--role", "market", "--listen", "/ip4/127.0.0.1/tcp/2"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := f.load(fs)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Roles, []string{"relay", "market"}) || cfg.Family != "acme" ||
		!reflect.DeepEqual(cfg.Listen, []string{"/ip4/127.0.0.1/tcp/2"}) || cfg.DataDir != dir {
		t.Fatalf("merged config wrong: %+v", cfg)
	}
}

// FuzzConfig: any node.toml text either is refused in one error line
// that names what is wrong, or decodes to a config whose rendering (the
// file init writes) decodes again without error to the same rendering.
func FuzzConfig(f *testing.F) {
	def := node.Defaults()
	def.DataDir = "/var/lib/cyclecash"
	text, err := renderConfig(def)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(text)
	for _, s := range []string{
		"data = \"x\"\nlisten = [\"/ip4/127.0.0.1/tcp/1\"]\n",
		"bandwidth = -1\n", "bandwidth = \"lots\"\n", "family = \"a\\u0000b\\\"c\"\n",
		"[compute]\ncpu_share = 1\nyield_load = 1e300\n", "descriptor_lifetime = \"-1s\"\n",
		"[ledger]\ncapacity = 10\nhttp = \"127.0.0.1:1\"\n", "listne = []\n", "roles = [\"relay\", \"gateway\"]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		cfg, err := decodeConfig(text)
		if err != nil {
			if msg := oneLine(err); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("error %q is not one line", msg)
			}
			return
		}
		out, err := renderConfig(cfg)
		if err != nil {
			t.Fatalf("rendering a decoded config: %v", err)
		}
		again, err := decodeConfig(out)
		if err != nil {
			t.Fatalf("the rendering of a good config is refused: %v\n%s", err, out)
		}
		out2, err := renderConfig(again)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("rendering changed after a round trip (%v):\n%s\n---\n%s", err, out, out2)
		}
	})
}
