package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cyclecash/compute"
	"cyclecash/node/work"
)

// TestJobIDGrantsNothing: a worker is told a job's ID in its lease; with
// it (bare, with its own session token, or with a guessed secret) it can
// neither read the job's status or results, nor take its change, nor
// cancel it. The buyer's secret can, and the change is released once.
// On the old code the job ID alone did all of it.
func TestJobIDGrantsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newCrashRig(t)
	mux := http.NewServeMux()
	r.g.routes(mux)
	call := func(method, path, bearer string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, work.Prefix+path, nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}
	r.submit(ctx, "job1", r.tokens(ctx, 64), 1)
	r.submit(ctx, "job2", r.tokens(ctx, 64), 1)
	r.g.mu.Lock()
	r.g.sessions["worker-token"] = &workSession{worker: "o-thief", seen: r.g.now()}
	r.g.mu.Unlock()
	lease := call("POST", "lease", "worker-token")
	if lease.Code != http.StatusOK || !strings.Contains(lease.Body.String(), `"Job": "job`) {
		t.Fatalf("lease: %d %s", lease.Code, lease.Body)
	}
	for _, s := range r.secret {
		if strings.Contains(lease.Body.String(), s) || strings.Contains(lease.Body.String(), secretHash(s)) {
			t.Fatal("a worker's lease carries a job secret")
		}
	}
	r.accept(ctx, "o-open", "s-stealth", crashFuel) // job1 or job2 done
	for _, id := range []string{"job1", "job2"} {
		if job, _ := r.g.queue.Job(id); job.State != compute.JobRunning {
			if err := r.g.settleJob(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, id := range []string{"job1", "job2"} {
		for _, bearer := range []string{"", "worker-token", strings.Repeat("0", 64), r.secret[other(id)]} {
			for _, c := range []struct{ method, path string }{{"GET", "jobs/" + id}, {"GET", "jobs/" + id + "/results"}, {"POST", "jobs/" + id + "/cancel"}} {
				if rec := call(c.method, c.path, bearer); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "cashu") {
					t.Errorf("%s %s with %q: %d %s", c.method, c.path, bearer, rec.Code, rec.Body)
				}
			}
		}
	}
	if job, _ := r.g.queue.Job("job2"); job.State == compute.JobCancelled {
		t.Fatal("a worker cancelled a job")
	}
	done := "job1"
	if job, _ := r.g.queue.Job("job1"); job.State == compute.JobRunning {
		done = "job2"
	}
	first := call("GET", "jobs/"+done+"/results", r.secret[done])
	if first.Code != http.StatusOK || !strings.Contains(first.Body.String(), `"change": "cashu`) {
		t.Fatalf("buyer's results: %d %s", first.Code, first.Body)
	}
	if again := call("GET", "jobs/"+done, r.secret[done]); again.Code != http.StatusOK || strings.Contains(again.Body.String(), "cashu") {
		t.Fatalf("change released twice: %d %s", again.Code, again.Body)
	}
	if rec := call("POST", "jobs/"+other(done)+"/cancel", r.secret[other(done)]); rec.Code != http.StatusOK {
		t.Fatalf("buyer's cancel: %d %s", rec.Code, rec.Body)
	}
}

func other(id string) string { return map[string]string{"job1": "job2", "job2": "job1"}[id] }
