package main

import (
	"os"
	"path/filepath"
	"reflect"
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
