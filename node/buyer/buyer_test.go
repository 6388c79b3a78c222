package buyer

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cyclecash/node/service/servicetest"
	"cyclecash/node/work"
)

// fakeGateway answers submit with a job ID and secret, and the job's
// status only to the secret's holder, releasing the change once.
func fakeGateway(t *testing.T, n *servicetest.Net) {
	gw := n.NewHost("gw", "gateway", t.TempDir())
	ln := work.NewListener()
	mux := http.NewServeMux()
	released := false
	mux.HandleFunc("POST "+work.Prefix+"jobs", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(work.SubmitAnswer{Job: "jabc", Secret: "s3cret"})
	})
	mux.HandleFunc("GET "+work.Prefix+"jobs/{id}", func(w http.ResponseWriter, r *http.Request) {
		if tok, _ := work.Bearer(r); tok != "s3cret" || r.PathValue("id") != "jabc" {
			work.WriteError(w, work.ErrJob, http.StatusNotFound)
			return
		}
		st := work.JobStatus{ID: "jabc", State: "done", Settled: true}
		if !released {
			st.Change, released = "cashuBchange", true
		}
		json.NewEncoder(w).Encode(st)
	})
	go http.Serve(ln, mux)
	t.Cleanup(func() { ln.Close() })
	gw.HandleCircuit(work.Service, ln.Put)
}

// TestBuyerKeepsJobSecret: the buyer keeps the job's secret (0600, never
// shown on the control API) and sends it with every job request, so
// `cyclecash job status JOBID` works unchanged; the change the gateway
// releases once is kept and answered again; a job this node did not
// submit (or a path-like ID) is unknown.
func TestBuyerKeepsJobSecret(t *testing.T) {
	t.Parallel()
	n := &servicetest.Net{}
	fakeGateway(t, n)
	dir := t.TempDir()
	h := n.NewHost("b", "relay", dir)
	New(h)
	api := func(method, path string, body []byte) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.API.ServeHTTP(rec, httptest.NewRequest(method, path, bytes.NewReader(body)))
		return rec
	}
	req, _ := json.Marshal(JobRequest{Module: []byte("m"), Inputs: [][]byte{{1}}, UnitsPerTask: 1})
	if rec := api("POST", "/v1/jobs", req); rec.Code != 200 || strings.Contains(rec.Body.String(), "s3cret") {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body)
	}
	fi, err := os.Stat(filepath.Join(dir, JobsDir, "jabc.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("job file: %v %v", fi, err)
	}
	for i := range 2 {
		rec := api("GET", "/v1/jobs/jabc", nil)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "cashuBchange") || strings.Contains(rec.Body.String(), "s3cret") {
			t.Fatalf("status %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	for _, id := range []string{"jother", "..%2Fjabc"} {
		if rec := api("GET", "/v1/jobs/"+id, nil); rec.Code == 200 {
			t.Errorf("job %s: %d %s", id, rec.Code, rec.Body)
		}
	}
}
