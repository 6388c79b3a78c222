package gateway

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"cyclecash/node/work"
)

// TestSessionsExpire: every registration opens a session (a stealth
// worker makes a fresh key each time it starts, and anyone reaching the
// work service may register), so sessions left idle are dropped and the
// gateway's table does not grow without bound. A worker whose session was
// dropped registers again on the 401.
func TestSessionsExpire(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	g := newCrashRig(t).g
	g.now = func() time.Time { return now }
	register := func() string {
		pub, priv, _ := ed25519.GenerateKey(nil)
		body, _ := json.Marshal(work.RegisterRequest{Mode: work.WorkerStealth, Key: pub, Time: now.Unix(),
			Sig: ed25519.Sign(priv, work.RegisterMessage(work.WorkerStealth, now.Unix()))})
		w := httptest.NewRecorder()
		g.handleRegister(w, httptest.NewRequest("POST", work.Prefix+"register", bytes.NewReader(body)))
		var ans work.RegisterAnswer
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &ans) != nil {
			t.Fatalf("register: %d %s", w.Code, w.Body)
		}
		return ans.Token
	}
	call := func(tok string) int {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", work.Prefix+"account", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		g.authed(func(w http.ResponseWriter, r *http.Request, worker string) {})(w, r)
		return w.Code
	}
	busy := register()
	for range 100 {
		register()
	}
	now = now.Add(sessionIdle / 2)
	if code := call(busy); code != 200 {
		t.Fatalf("live session: %d", code)
	}
	now = now.Add(sessionIdle/2 + time.Second)
	g.expireSessions()
	if n := len(g.sessions); n != 1 {
		t.Fatalf("%d sessions after the idle ones expired, want 1", n)
	}
	if code := call(busy); code != 200 {
		t.Fatalf("session in use: %d", code)
	}
	now = now.Add(sessionIdle + time.Second)
	g.expireSessions()
	if code := call(busy); code != 401 {
		t.Fatalf("expired session: %d, want 401", code)
	}
}
