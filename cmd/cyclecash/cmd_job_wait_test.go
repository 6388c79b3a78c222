package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"cyclecash/node"
)

// TestJobWaitProgress: --wait prints one progress line per change of the
// job's state on stderr (never a repeat), and returns once the job has
// ended and its escrow is settled, not merely ended.
func TestJobWaitProgress(t *testing.T) {
	t.Parallel()
	steps := []node.JobStatus{
		{State: "running", Tasks: 3},
		{State: "running", Tasks: 3, Accepted: 2, Used: 8},
		{State: "running", Tasks: 3, Accepted: 2, Used: 8}, // no change: no line
		{State: "done", Tasks: 3, Accepted: 2, Failed: 1, Used: 8},
		{State: "done", Tasks: 3, Accepted: 2, Failed: 1, Used: 8, Settled: true},
	}
	var mu sync.Mutex
	polls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/jobs/j1" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		st := steps[min(polls, len(steps)-1)]
		polls++
		mu.Unlock()
		st.ID = "j1"
		json.NewEncoder(w).Encode(st)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	if err := waitJob(ctx, node.NewClient(strings.TrimPrefix(srv.URL, "http://")), "j1", &stderr); err != nil {
		t.Fatal(err)
	}
	want := "job j1: running, 0/3 accepted, 0 failed, 0 units used\n" +
		"job j1: running, 2/3 accepted, 0 failed, 8 units used\n" +
		"job j1: done, 2/3 accepted, 1 failed, 8 units used\n"
	if stderr.String() != want {
		t.Fatalf("progress:\n%s\nwant:\n%s", stderr.String(), want)
	}
	if polls != len(steps) {
		t.Fatalf("%d polls, want %d: waitJob returned before the escrow was settled", polls, len(steps))
	}
}
