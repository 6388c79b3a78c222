package buyer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"cyclecash/node/service"
	"cyclecash/node/work"
)

// JobsDir holds, in the buyer's data directory, one file per job it
// submitted (<job ID>.json, 0600): the gateway that took it, the job's
// secret (the credential of its status, results and cancel), and the
// change token once the gateway has released it (it does so once), so
// `cyclecash job status|results|cancel JOBID` work as long as the file
// is there.
const JobsDir = "jobs"

// jobFile is what the buyer keeps about one job.
type jobFile struct {
	Gateway string `json:"gateway"`
	Secret  string `json:"secret"`
	Change  string `json:"change,omitempty"`
}

// validJobID accepts the gateway's job IDs only, so that an ID from the
// control API never names a path outside JobsDir.
func validJobID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func (b *Buyer) jobPath(id string) string {
	return filepath.Join(b.h.DataDir(), JobsDir, id+".json")
}

// saveJob writes the job's file atomically, 0600.
func (b *Buyer) saveJob(id string, f jobFile) error {
	if !validJobID(id) {
		return fmt.Errorf("%w: gateway answered a malformed job ID", work.ErrJob)
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(b.h.DataDir(), JobsDir), 0o700); err != nil {
		return err
	}
	return service.WriteFileAtomic(b.jobPath(id), raw, 0o600)
}

// loadJob reads the job's file; a job this buyer did not submit is
// unknown.
func (b *Buyer) loadJob(id string) (jobFile, error) {
	var f jobFile
	if !validJobID(id) {
		return f, fmt.Errorf("%w: unknown job", work.ErrJob)
	}
	raw, err := os.ReadFile(b.jobPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return f, fmt.Errorf("%w: unknown job (not submitted from this node)", work.ErrJob)
	}
	if err == nil {
		err = json.Unmarshal(raw, &f)
	}
	return f, err
}

// keepChange records a change token the gateway released (it does so
// once) and fills in the one kept before. A change that cannot be saved
// is still answered, so that it reaches the user.
func (b *Buyer) keepChange(id string, f jobFile, st *work.JobStatus) {
	switch {
	case st.Change != "" && st.Change != f.Change:
		f.Change = st.Change
		if err := b.saveJob(id, f); err != nil {
			b.h.Logger().Warn("compute: could not keep a job's change token; save it from the answer", "err", err)
		}
	case st.Change == "" && st.Settled:
		st.Change = f.Change
	}
}
