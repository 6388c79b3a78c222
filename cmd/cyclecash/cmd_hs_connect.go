package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cyclecash/node"
)

// hsStdin is what `hs connect` pipes to the service; tests replace it.
var hsStdin io.Reader = os.Stdin

// cmdHSConnect is `cyclecash hs connect --data DIR ADDRESS.mesh[:PORT]`:
// stdin to the service, the service to stdout, through the running node's
// SOCKS5 proxy (--socks, else where the node in DIR says it listens, else
// its `socks` key), like nc. PORT defaults to 80.
func cmdHSConnect(ctx context.Context, data, config, socksFlag string, target string, stdout io.Writer) error {
	host, port, err := splitMeshTarget(target)
	if err != nil {
		return err
	}
	proxy := socksFlag
	if proxy == "" && data != "" {
		proxy, err = runningSocks(ctx, data)
		if err != nil {
			return err
		}
	}
	if proxy == "" {
		path := config
		if path == "" {
			path = filepath.Join(data, "node.toml")
		}
		cfg, err := readConfig(path)
		if err != nil {
			return err
		}
		proxy = cfg.Socks
	}
	if proxy == "" || proxy == "off" {
		return errors.New("hs connect: the node runs no SOCKS5 proxy; set socks in node.toml (e.g. \"" + node.DefaultSocks + "\") or pass --socks")
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", proxy)
	if err != nil {
		return fmt.Errorf("hs connect: the node's SOCKS5 proxy: %w (is the node running?)", err)
	}
	defer c.Close()
	if err := socksConnect(c, host, port); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(c, hsStdin)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		close(done)
	}()
	_, err = io.Copy(stdout, c)
	return err
}

// runningSocks asks the node running in data where its SOCKS5 proxy is,
// so a node whose default port was busy is never mistaken for whatever
// holds that port. "" (no error) when no node answers: the config decides.
func runningSocks(ctx context.Context, data string) (string, error) {
	c, err := node.ClientOf(data)
	if err != nil {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := c.Status(ctx)
	if err != nil {
		return "", nil
	}
	switch st.Socks.State {
	case "listening":
		return st.Socks.Addr, nil
	case "busy":
		return "", errors.New("hs connect: the node runs no SOCKS5 proxy: its default address " + st.Socks.Addr + " was busy at start; set socks in node.toml or pass --socks")
	}
	return "", errors.New("hs connect: the node runs no SOCKS5 proxy; set socks in node.toml (e.g. \"" + node.DefaultSocks + "\") or pass --socks")
}

func cmpOrString(a, b string) string {
	if a == "" {
		return b
	}
	return a
}

// splitMeshTarget parses ADDRESS.mesh[:PORT].
func splitMeshTarget(s string) (string, uint16, error) {
	host, port := s, uint16(80)
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		p, err := strconv.ParseUint(s[i+1:], 10, 16)
		if err != nil || p == 0 {
			return "", 0, fmt.Errorf("hs connect: bad port in %q", s)
		}
		host, port = s[:i], uint16(p)
	}
	if !strings.HasSuffix(host, ".mesh") || len(host) > 255 {
		return "", 0, fmt.Errorf("hs connect: %q is not a .mesh address", host)
	}
	return host, port, nil
}

// socksReplies names the SOCKS5 reply codes the node's proxy sends.
var socksReplies = map[byte]string{1: "general failure", 2: "not allowed (not a valid .mesh address)",
	4: "service unreachable", 5: "refused (port not served)", 7: "command not supported", 8: "address type not supported"}

// socksConnect speaks RFC 1928 CONNECT with a domain name on c.
func socksConnect(c net.Conn, host string, port uint16) error {
	if _, err := c.Write([]byte{5, 1, 0}); err != nil {
		return err
	}
	var sel [2]byte
	if _, err := io.ReadFull(c, sel[:]); err != nil || sel != [2]byte{5, 0} {
		return fmt.Errorf("hs connect: SOCKS5 method selection failed: %v", err)
	}
	req := append([]byte{5, 1, 0, 3, byte(len(host))}, host...)
	if _, err := c.Write(binary.BigEndian.AppendUint16(req, port)); err != nil {
		return err
	}
	var head [4]byte
	if _, err := io.ReadFull(c, head[:]); err != nil {
		return fmt.Errorf("hs connect: SOCKS5 reply: %w", err)
	}
	if head[1] != 0 {
		return fmt.Errorf("hs connect: %s (SOCKS5 reply %d)", cmpOrString(socksReplies[head[1]], "error"), head[1])
	}
	skip := map[byte]int{1: 4 + 2, 4: 16 + 2}[head[3]]
	if head[3] == 3 {
		var l [1]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			return err
		}
		skip = int(l[0]) + 2
	}
	_, err := io.ReadFull(c, make([]byte, skip))
	return err
}
