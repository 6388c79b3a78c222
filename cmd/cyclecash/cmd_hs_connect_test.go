package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// socksStandIn is a SOCKS5 listener for the CLI test (cmd may not import
// the test network; TestHiddenServiceThroughSocks covers the real proxy
// over a real mesh): CONNECT to a domain ending in ".mesh" port 7 reaches
// target, any other port is refused (reply 5), as the node's proxy does.
func socksStandIn(t *testing.T, target string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 3+5)
				if _, err := io.ReadFull(c, buf[:3]); err != nil {
					return
				}
				c.Write([]byte{5, 0})
				if _, err := io.ReadFull(c, buf[:5]); err != nil || buf[3] != 3 {
					return
				}
				name := make([]byte, int(buf[4])+2)
				if _, err := io.ReadFull(c, name); err != nil {
					return
				}
				port := int(name[len(name)-2])<<8 | int(name[len(name)-1])
				if !strings.HasSuffix(string(name[:len(name)-2]), ".mesh") || port != 7 {
					c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
					return
				}
				up, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer up.Close()
				c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0})
				go func() { io.Copy(up, c); up.(*net.TCPConn).CloseWrite() }()
				io.Copy(c, up)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestHSConnect: `hs connect --data DIR ADDRESS.mesh:7` pipes stdin to
// the service and its answer to stdout through the SOCKS5 proxy DIR's
// node.toml names (socks key), half-closing after stdin; a refused port
// exits 1 naming the refusal; a clearnet name is refused before any dial.
func TestHSConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				b, _ := io.ReadAll(c) // until the client's half-close
				io.WriteString(c, "got: "+string(b))
				c.Close()
			}()
		}
	}()
	proxy := socksStandIn(t, ln.Addr().String())
	addr := "aaaa.mesh"
	dir := t.TempDir()
	toml := "socks = \"" + proxy + "\"\n"
	if err := os.WriteFile(filepath.Join(dir, "node.toml"), []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(in string, args ...string) (string, string, int) { return runHSConnect(t, in, args[2:]...) }
	out, errs, code := run("hello mesh", "hs", "connect", "--data", dir, addr+":7")
	if code != 0 || out != "got: hello mesh" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if _, errs, code := run("", "hs", "connect", "--data", dir, addr+":8080"); code != 1 || !strings.Contains(errs, "refused") {
		t.Fatalf("unmapped port: exit %d, stderr %q", code, errs)
	}
	bare := t.TempDir()
	os.WriteFile(filepath.Join(bare, "node.toml"), []byte("socks = \"off\"\n"), 0o600)
	if _, errs, code := run("", "hs", "connect", "--data", bare, "x.mesh"); code != 1 || !strings.Contains(errs, "no SOCKS5 proxy") {
		t.Fatalf("no socks key: exit %d, stderr %q", code, errs)
	}
	if _, errs, code := run("", "hs", "connect", "--data", dir, "example.com:80"); code != 1 || !strings.Contains(errs, "not a .mesh address") {
		t.Fatalf("clearnet name: exit %d, stderr %q", code, errs)
	}
}

// runHSConnect runs `cyclecash hs connect ARGS` with stdin in.
func runHSConnect(t *testing.T, in string, args ...string) (string, string, int) {
	t.Helper()
	hsStdin = strings.NewReader(in)
	defer func() { hsStdin = os.Stdin }()
	var out, errb bytes.Buffer
	code := Main(context.Background(), append([]string{"hs", "connect"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}
