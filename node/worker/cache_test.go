package worker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cyclecash/compute"
	"cyclecash/node/work"
)

// TestModuleCacheBounded: the attacker is a gateway (or buyers through
// it) handing a worker module after module. The worker's module cache on
// disk stays within compute.cache_bytes, evicting the least recently used
// module and never the one in use; a module used again stays. On the old
// code every module was kept forever.
func TestModuleCacheBounded(t *testing.T) {
	mods := map[string][]byte{}
	var hashes []compute.Hash
	for i := range 12 {
		b := []byte(strings.Repeat(fmt.Sprintf("module %d ", i), 100)) // ~1 KB each
		h := compute.Hash(sha256.Sum256(b))
		mods[hex.EncodeToString(h[:])] = b
		hashes = append(hashes, h)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := mods[filepath.Base(r.URL.Path)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	dial := func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", srv.Listener.Addr().String())
	}
	const bound = 4 << 10
	w := &Worker{cfg: work.Config{CacheBytes: bound}.WithDefaults(false), log: slog.New(slog.DiscardHandler),
		dir: t.TempDir(), client: work.NewClient(dial, 1)}
	if err := os.MkdirAll(filepath.Join(w.dir, "modules"), 0o700); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, h := range hashes {
		if _, err := w.module(ctx, h); err != nil {
			t.Fatal(err)
		}
		if _, err := w.module(ctx, hashes[0]); err != nil { // module 0 is used again after each new one
			t.Fatal(err)
		}
		var total int64
		entries, _ := os.ReadDir(filepath.Join(w.dir, "modules"))
		for _, e := range entries {
			info, _ := e.Info()
			total += info.Size()
		}
		if total > bound {
			t.Fatalf("after %d modules the cache holds %d bytes, bound %d", i+1, total, bound)
		}
		if _, err := os.Stat(filepath.Join(w.dir, "modules", h.String()+".wasm")); err != nil {
			t.Fatalf("module %d, just fetched, was evicted", i)
		}
	}
	if _, err := os.Stat(filepath.Join(w.dir, "modules", hashes[0].String()+".wasm")); err != nil {
		t.Fatal("the module in steady use was evicted")
	}
	if _, err := os.Stat(filepath.Join(w.dir, "modules", hashes[1].String()+".wasm")); err == nil {
		t.Fatal("the least recently used module was kept")
	}
}
