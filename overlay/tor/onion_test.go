package tor

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"golang.org/x/net/proxy"
)

// httpService serves body on a loopback listener.
func httpService(t testing.TB, body string) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, body)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l
}

// fetchVia GETs url through a SOCKS5 proxy with x/net/proxy, an
// implementation independent of ours.
func fetchVia(ctx context.Context, socks, url string) (string, error) {
	d, err := proxy.SOCKS5("tcp", socks, nil, proxy.Direct)
	if err != nil {
		return "", err
	}
	cd := d.(proxy.ContextDialer)
	c := &http.Client{Transport: &http.Transport{DialContext: cd.DialContext}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// fetchFresh is fetchVia of a freshly published onion service, again
// while tor answers that its descriptor has not reached the directories
// yet or its introduction is not up (SOCKS replies 0xF0, 0xF2, 0xF3,
// 0xF7, which x/net/proxy reports as "unknown code"), until ctx ends.
func fetchFresh(ctx context.Context, socks, url string) (string, error) {
	for {
		body, err := fetchVia(ctx, socks, url)
		if err == nil || !onionNotYet.MatchString(err.Error()) || ctx.Err() != nil {
			return body, err
		}
		select {
		case <-ctx.Done():
			return body, err
		case <-time.After(time.Second):
		}
	}
}

var onionNotYet = regexp.MustCompile(`unknown code: (240|242|243|247)\b`)

// A service published by one tor is fetched by a second, separate tor
// client; restarted with the same data directory, the service keeps its
// address (the key persisted 0600).
func TestPublishFetchedBySecondClientAndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	srv := startClient(t, func(c *Config) { c.Dir = dir })
	l := httpService(t, "market says hi")
	o, err := srv.PublishListener(dialCtx(t), "market", 80, l)
	if err != nil {
		t.Fatal(err)
	}
	client := sharedClient(t)
	if client.PID() == srv.PID() {
		t.Fatal("the client is the server's tor")
	}
	body, err := fetchFresh(dialCtx(t), client.SocksAddr(), "http://"+o.Addr()+"/")
	if err != nil || body != "market says hi" {
		t.Fatalf("fetch over tor: %q %v", body, err)
	}
	if curl, err := exec.LookPath("curl"); err == nil { // the check, where curl exists
		out, err := exec.Command(curl, "-sS", "--max-time", "60", "--socks5-hostname", client.SocksAddr(),
			"http://"+o.Addr()+"/").Output()
		if err != nil || string(out) != "market says hi" {
			t.Fatalf("curl over tor: %q %v", out, err)
		}
	}
	key := filepath.Join(dir, "tor", "onion", "market.key")
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	srv.Close()
	again := startClient(t, func(c *Config) { c.Dir = dir })
	o2, err := again.PublishListener(dialCtx(t), "market", 80, l)
	if err != nil {
		t.Fatal(err)
	}
	if o2.ID != o.ID {
		t.Fatalf("address changed across restart: %s -> %s", o.ID, o2.ID)
	}
}

func TestPublishRejectsBadInputBeforeTouchingTor(t *testing.T) {
	dir := t.TempDir()
	tr := newTor(Config{Dir: dir}, nil, nil, nil)
	cases := []struct {
		name, target string
		port         int
		want         error
	}{
		{"../escape", "127.0.0.1:80", 80, ErrBadServiceName},
		{"", "127.0.0.1:80", 80, ErrBadServiceName},
		{"Upper", "127.0.0.1:80", 80, ErrBadServiceName},
		{"ok", "10.1.2.3:80", 80, ErrBadAddr},    // not loopback: tor must not proxy onward
		{"ok", "example.com:80", 80, ErrBadAddr}, // names are not checked targets
		{"ok", "127.0.0.1:80", 0, ErrBadAddr},
	}
	for _, c := range cases {
		_, err := tr.Publish(context.Background(), c.name, c.port, c.target)
		if !errors.Is(err, c.want) {
			t.Errorf("%q %q %d: %v, want %v", c.name, c.target, c.port, err, c.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("bad input wrote %v", ents)
	}
	if err := os.MkdirAll(filepath.Join(dir, "tor", "onion"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tor", "onion", "bad.key"), []byte("RSA1024:AAAA"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Publish(context.Background(), "bad", 80, "127.0.0.1:80"); !errors.Is(err, ErrBadKey) {
		t.Fatalf("corrupt key: %v, want ErrBadKey", err)
	}
}
