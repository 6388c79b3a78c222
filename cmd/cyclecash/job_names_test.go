package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cyclecash/node"
)

// TestResultsNamedAfterInputs: results are written as INPUT.out (or
// INPUT.STATUS), not task-NNNNN.out; names that would collide, or that
// are not plain file names, are made unique or fall back to task-NNNNN.
func TestResultsNamedAfterInputs(t *testing.T) {
	res := &node.JobResults{}
	res.State, res.Used, res.Reserved, res.Change = "done", 5, 6, ""
	res.Results = []node.TaskResult{
		{Index: 0, State: "accepted", Status: "ok", Output: []byte("a")},
		{Index: 1, State: "accepted", Status: "ok", Output: []byte("b")},
		{Index: 2, State: "accepted", Status: "exit 3", Output: []byte("c")},
		{Index: 3, State: "accepted", Status: "ok", Output: []byte("d")},
		{Index: 4, State: "accepted", Status: "ok", Output: []byte("e")},
		{Index: 5, State: "failed"},
		{Index: 6, State: "accepted", Status: "ok", Output: []byte("g")},
	}
	inputs := []string{"1000.txt", "task-00006", "bad", "../escape", "change", "never", "x"}
	dir := t.TempDir()
	var out strings.Builder
	if err := writeResults(&out, res, dir, inputs); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"1000.txt.out":   "a",
		"task-00006.out": "b", // an input really named task-00006
		"bad.exit-3":     "c",
		"task-00003.out": "d", // "../escape" is no file name
		"change.out":     "e",
		"x.out":          "g",
	}
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if w, ok := want[e.Name()]; !ok || string(b) != w {
			t.Errorf("%s holds %q, want %q (known: %v)", e.Name(), b, w, ok)
		}
	}
	if len(got) != len(want) {
		t.Errorf("wrote %v, want %d files", got, len(want))
	}
	// Inputs whose result names collide get distinct names.
	names := resultNames([]node.TaskResult{{Index: 0, State: "accepted", Status: "ok"}, {Index: 1, State: "accepted", Status: "ok"}},
		[]string{"task-00001", "task-00001"})
	if names[0] == names[1] || names[0] != "task-00001.out" {
		t.Errorf("colliding names: %v", names)
	}
	// change.token is never a result's name.
	names = resultNames([]node.TaskResult{{Index: 0, State: "accepted", Status: "token"}}, []string{"change"})
	if names[0] == "change.token" {
		t.Errorf("a result named change.token: %v", names)
	}
}

// TestJobNamesRecorded: the names submit records beside the node come
// back for results, and a job ID cannot point the record elsewhere.
func TestJobNamesRecorded(t *testing.T) {
	data := t.TempDir()
	in := []string{"1000.txt", "2000.txt"}
	secret := filepath.Join(data, "jobs", "j1.json") // the node's record: the job secret
	os.MkdirAll(filepath.Dir(secret), 0o700)
	if err := os.WriteFile(secret, []byte(`{"secret":"s"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := saveJobNames(data, "j1", in); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(secret); string(b) != `{"secret":"s"}` {
		t.Fatalf("recording the names overwrote the job secret: %q", b)
	}
	got, err := loadJobNames(data, "j1")
	if err != nil || !slices.Equal(got, in) {
		t.Fatalf("loadJobNames = %v, %v", got, err)
	}
	if got, err := loadJobNames(data, "j2"); got != nil || err != nil {
		t.Fatalf("an unrecorded job: %v, %v", got, err)
	}
	for _, id := range []string{"../j1", "a/b", ".hidden", ""} {
		if err := saveJobNames(data, id, in); err == nil {
			t.Errorf("saveJobNames(%q) wrote a record", id)
		}
	}
	if st, err := os.Stat(filepath.Join(data, "jobs", "j1.inputs.json")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("record: %v, %v", st, err)
	}
}

// TestReadJobNames: submit reads the inputs in name order and returns the
// names beside them.
func TestReadJobNames(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.txt", "a.txt"} {
		os.WriteFile(filepath.Join(dir, n), []byte(n), 0o600)
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o700)
	mod := filepath.Join(t.TempDir(), "m.wasm")
	os.WriteFile(mod, []byte("m"), 0o600)
	req, names, err := readJob(mod, dir)
	if err != nil || !slices.Equal(names, []string{"a.txt", "b.txt"}) || string(req.Inputs[0]) != "a.txt" {
		t.Fatalf("readJob: %v %v", names, err)
	}
}

// The change token is a bearer token: writeResults replaces whatever
// stands at change.token and at a result's name (a file left readable by
// others, a symlink planted to send the token elsewhere) with a fresh
// 0600 file, and never writes through the link. os.WriteFile kept the old
// mode and followed the link.
func TestResultsReplaceWhatStandsThere(t *testing.T) {
	dir, elsewhere := t.TempDir(), filepath.Join(t.TempDir(), "planted")
	if err := os.WriteFile(elsewhere, []byte("planted\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(dir, "change.token")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "in.out"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := &node.JobResults{Results: []node.TaskResult{{Index: 0, State: "accepted", Status: "ok", Output: []byte("new")}}}
	res.State, res.Change = "done", "cashuBtoken"
	if err := writeResults(io.Discard, res, dir, []string{"in"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(elsewhere); string(b) != "planted\n" {
		t.Fatalf("the change token was written through a planted symlink: %q", b)
	}
	for name, want := range map[string]string{"change.token": "cashuBtoken\n", "in.out": "new"} {
		path := filepath.Join(dir, name)
		st, err := os.Lstat(path)
		b, _ := os.ReadFile(path)
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 || string(b) != want {
			t.Fatalf("%s: %v %v %q, want a regular 0600 file holding %q", name, st.Mode(), err, b, want)
		}
	}
}
