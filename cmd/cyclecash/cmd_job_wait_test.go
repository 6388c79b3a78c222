package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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

// TestJobResultsNamedEndToEnd: `job submit` then `job results JOBID
// --out DIR` (flags after the ID) against a node API write each result
// under its input's name, which the API never saw.
func TestJobResultsNamedEndToEnd(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	var sawNames bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/v1/jobs":
			var body bytes.Buffer
			body.ReadFrom(r.Body)
			sawNames = strings.Contains(body.String(), "1000.txt")
			json.NewEncoder(w).Encode("j9")
		case r.URL.Path == "/v1/jobs/j9/results":
			res := node.JobResults{Results: []node.TaskResult{
				{Index: 0, State: "accepted", Status: "ok", Output: []byte("168\n")},
				{Index: 1, State: "accepted", Status: "ok", Output: []byte("135\n")},
			}}
			res.ID, res.State, res.Tasks, res.Accepted = "j9", "done", 2, 2
			json.NewEncoder(w).Encode(res)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	api := strings.TrimPrefix(srv.URL, "http://")
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.Mkdir(in, 0o700)
	os.WriteFile(filepath.Join(in, "1000.txt"), []byte("0 1000"), 0o600)
	os.WriteFile(filepath.Join(in, "2000.txt"), []byte("1000 2000"), 0o600)
	os.WriteFile(filepath.Join(dir, "m.wasm"), []byte("m"), 0o600)
	out, errs, code := cli("job", "submit", "--api", api, "--wasm", filepath.Join(dir, "m.wasm"), "--inputs", in, "--budget", "2", "cashuBx")
	if code != 0 || out != "j9" {
		t.Fatalf("submit: exit %d, %q %q", code, out, errs)
	}
	if sawNames {
		t.Fatal("the input file names reached the node's API")
	}
	res := filepath.Join(dir, "res")
	if _, errs, code := cli("job", "results", "j9", "--api", api, "--out", res); code != 0 {
		t.Fatalf("results: exit %d: %s", code, errs)
	}
	for name, want := range map[string]string{"1000.txt.out": "168\n", "2000.txt.out": "135\n"} {
		if b, err := os.ReadFile(filepath.Join(res, name)); err != nil || string(b) != want {
			t.Errorf("%s: %q, %v", name, b, err)
		}
	}
}
