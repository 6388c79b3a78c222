package gateway

import (
	"context"
	"net/http"
	"time"

	"cyclecash/node/work"
)

// sessionIdle is how long a worker session lasts without a request; a
// worker whose session expired registers again on the 401.
const sessionIdle = time.Hour

// workSession is a registered worker session.
type workSession struct {
	worker string
	mode   string    // work.WorkerOpen or work.WorkerStealth
	seen   time.Time // last request
}

// authed resolves the bearer token to the session's worker ID.
func (g *Gateway) authed(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := work.Bearer(r)
		worker, mode := "", ""
		g.mu.Lock()
		if s := g.sessions[tok]; s != nil {
			s.seen, worker, mode = g.now(), s.worker, s.mode
		}
		g.mu.Unlock()
		if !ok || worker == "" {
			work.WriteError(w, work.ErrUnauthorized, http.StatusUnauthorized)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), modeKey{}, mode)), worker)
	}
}

// expireSessions drops the sessions idle for longer than sessionIdle:
// anyone may register, and a stealth worker uses a new key every start.
func (g *Gateway) expireSessions() {
	cutoff := g.now().Add(-sessionIdle)
	g.mu.Lock()
	defer g.mu.Unlock()
	for tok, s := range g.sessions {
		if s.seen.Before(cutoff) {
			delete(g.sessions, tok)
		}
	}
}
