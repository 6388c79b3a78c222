package worker

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"cyclecash/node/service"
	"cyclecash/node/service/servicetest"
	"cyclecash/node/work"
)

// TestStatementRefusalKeepsItsCode: when the open worker cannot fetch its
// statement, its control API answers 502 with the work sentinel's code:
// the gateway's refusal passed on, or the worker's own ErrNoCompute when no
// gateway answers. (It used to answer code 0, which decodes as no
// sentinel at all.)
func TestStatementRefusalKeepsItsCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		refusal error // the gateway's answer to register; nil: no gateway
		want    error
	}{
		{"payment", fmt.Errorf("%w: nothing owed", work.ErrPayment), work.ErrPayment},
		{"unauthorized", work.ErrUnauthorized, work.ErrUnauthorized},
		{"job", fmt.Errorf("%w: bad mode", work.ErrJob), work.ErrJob},
		{"no gateway", nil, work.ErrNoCompute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var n servicetest.Net
			if tc.refusal != nil {
				gw := n.NewHost("gw", "gateway", t.TempDir())
				ln := work.NewListener()
				srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					work.WriteError(w, tc.refusal, http.StatusBadRequest)
				})}
				go srv.Serve(ln)
				t.Cleanup(func() { srv.Close() })
				gw.HandleDirect(work.Protocol, func(c net.Conn) { ln.Put(c) })
			}
			h := n.NewHost("w-open", "worker", t.TempDir())
			if _, err := New(h, work.Config{Mode: work.WorkerOpen}.WithDefaults(false), Hooks{}); err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.API.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/worker/statement", nil))
			e := service.DecodeError(rec.Body.Bytes())
			if rec.Code != http.StatusBadGateway || e.Code == 0 || !errors.Is(work.Sentinel(e.Code), tc.want) {
				t.Fatalf("statement refused: %d %s, want 502 with the code of %v", rec.Code, rec.Body, tc.want)
			}
		})
	}
}
