package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"cyclecash/node"
)

// A job's results are named after its input files (1000.txt gives
// 1000.txt.out). The names never leave the buyer's machine: the gateway
// sees inputs by index only. `job submit` records them beside the node's
// own record of the job (DATA/jobs/JOBID.inputs.json with --data, never
// JOBID.json, which holds the job secret; else the user's cache
// directory) and `job results` reads them back, or re-reads --inputs DIR.

// jobNamesPath is where the input names of job id are recorded.
func jobNamesPath(data, id string) (string, error) {
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return "", fmt.Errorf("job: %q is not a job ID", id)
	}
	dir := filepath.Join(data, "jobs")
	if data == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(cache, "cyclecash", "jobs")
	}
	return filepath.Join(dir, id+".inputs.json"), nil
}

// saveJobNames records names for job id; failing to, it only warns: the
// results can still be named with --inputs.
func saveJobNames(data, id string, names []string) error {
	path, err := jobNamesPath(data, id)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, _ := json.Marshal(names)
	return node.WriteFileAtomic(path, b, 0o600)
}

// loadJobNames returns the recorded names of job id, nil when none are.
func loadJobNames(data, id string) ([]string, error) {
	path, err := jobNamesPath(data, id)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return nil, fmt.Errorf("job: %s: %v", path, err)
	}
	return names, nil
}

// resultNames names each task's result file: NAME.out for a result, or
// NAME.STATUS for a task whose module failed, NAME being the input's file
// name when known (a safe base name) and task-NNNNN otherwise. Names are
// unique, and never change.token.
func resultNames(res []node.TaskResult, inputs []string) map[int]string {
	used := map[string]bool{"change.token": true}
	out := map[int]string{}
	for _, t := range res {
		if t.State != "accepted" {
			continue
		}
		base := fmt.Sprintf("task-%05d", t.Index)
		if t.Index >= 0 && t.Index < len(inputs) && safeName(inputs[t.Index]) {
			base = inputs[t.Index]
		}
		ext := ".out"
		if t.Status != "ok" {
			ext = "." + strings.ReplaceAll(t.Status, " ", "-")
		}
		name := base + ext
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s~%d%s", base, i, ext)
		}
		used[name] = true
		out[t.Index] = name
	}
	return out
}

// safeName reports whether s is a plain file name (no directory part).
func safeName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\\x00") && filepath.Base(s) == s
}
