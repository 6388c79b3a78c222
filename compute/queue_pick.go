package compute

import (
	"encoding/binary"
	"math/rand/v2"
)

// TableMeta holds the queue's own counters.
const TableMeta = "queuemeta"

const askKey = "asks"

// maxCandidates bounds the tasks one lease chooses among.
const maxCandidates = 64

// MinSpotCheck is the floor of QueueConfig.SpotCheck.
const MinSpotCheck = 0.10

type candidate struct {
	job  *JobRecord
	task *TaskRecord
}

// Sequencer is an optional Store method: a source of lease numbers outside
// any transaction (a PostgreSQL sequence), so concurrent leases on a shared
// store do not all write one counter row and conflict on it. Numbers must
// rise with every call; Lease draws one per call, before any retry.
type Sequencer interface {
	NextAsk() (uint64, error)
}

// nextAsk counts lease calls; a task records the ask of its last lease.
func (q *Queue) nextAsk(tx Tx) (uint64, error) {
	b, err := tx.Get(TableMeta, askKey)
	if err != nil {
		return 0, err
	}
	n := uint64(0)
	if len(b) == 8 {
		n = binary.BigEndian.Uint64(b)
	}
	n++
	return n, tx.Put(TableMeta, askKey, binary.BigEndian.AppendUint64(nil, n))
}

// candidates lists up to maxCandidates tasks worker may take at ask, and
// expires running jobs past their deadline.
func (q *Queue) candidates(tx Tx, worker string, ask uint64) ([]candidate, error) {
	var jobs []*JobRecord
	err := scanRecords(tx, TableJobs, "", func(j *JobRecord) error {
		if j.State == JobRunning {
			jobs = append(jobs, j)
		}
		return nil
	})
	now := q.cfg.Now()
	var out []candidate
	for _, job := range jobs {
		if err != nil || len(out) >= maxCandidates {
			break
		}
		if now.Unix() >= job.Manifest.DeadlineUnix {
			err = q.expireJob(tx, job.ID)
			continue
		}
		err = scanRecords(tx, TableTasks, job.ID+"/", func(t *TaskRecord) error {
			if t.State != TaskOpen {
				return nil
			}
			dropExpired(t, now, job.Manifest.Replication)
			if q.wants(t, job, worker, ask) {
				out = append(out, candidate{job, t})
			}
			if len(out) >= maxCandidates {
				return errStopScan
			}
			return nil
		})
		if err == errStopScan {
			err = nil
		}
	}
	return out, err
}

func (q *Queue) expireJob(tx Tx, id string) error {
	job, err := q.job(tx, id) // the latest record, held (Claimer)
	if err != nil || job.State != JobRunning {
		return err
	}
	job.State = JobExpired
	return putRecord(tx, TableJobs, job.ID, job)
}

// pick draws an index in [0, n).
func (q *Queue) pick(n int) int {
	if q.cfg.Rand == nil {
		return rand.IntN(n)
	}
	return min(int(q.cfg.Rand()*float64(n)), n-1)
}

// quorum is the task's quorum now: one more while a spot check is due.
func (q *Queue) quorum(t *TaskRecord) int {
	if !t.Check {
		return t.Quorum
	}
	if !t.AgreedAt.IsZero() && !q.cfg.Now().Before(t.AgreedAt.Add(q.cfg.SpotWait)) {
		return t.Quorum // no independent worker asked in time
	}
	return t.Quorum + 1
}
