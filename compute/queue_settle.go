package compute

import (
	"fmt"
	"math"
	"slices"
)

// Complete records the result of a lease. A deterministic result or a
// deadline is a vote (a deadline is billed at the whole budget once a
// quorum confirms it); a crash only frees the replica for another worker,
// and does not count against the task's tries when the worker has no
// record. Claimed fuel is clamped to the budget. It returns the task's
// state afterwards; a gateway must not tell the worker, or it could see
// a spot check. Results on expired or unknown leases, or for jobs no
// longer running, fail with ErrLeaseExpired.
func (q *Queue) Complete(l Lease, res Result) (TaskState, error) {
	var state TaskState
	err := q.store.Update(func(tx Tx) error {
		job, task, err := q.leased(tx, l)
		if err != nil {
			return err
		}
		budget := job.Manifest.FuelBudget()
		res.FuelUsed = min(max(res.FuelUsed, 0), budget)
		switch {
		case res.Status == StatusDeadline:
			res = Result{Status: StatusDeadline, FuelUsed: budget}
			fallthrough
		case res.Status.Votes():
			task.Reports = append(task.Reports, Report{Worker: l.Worker, Status: res.Status,
				Digest: res.Digest(job.Manifest.Output), Fuel: res.FuelUsed, Output: res.Output})
		default:
			untrust(task, job.Manifest.Replication) // a lost replica, as if its lease expired
			if w, err := getRecord[WorkerRecord](tx, TableWorkers, l.Worker); err != nil {
				return err
			} else if w == nil {
				task.Excused++
			}
		}
		if err := q.settle(tx, job, task); err != nil {
			return err
		}
		state = task.State
		return putRecord(tx, TableTasks, taskKey(task.Job, task.Index), task)
	})
	return state, err
}

// leased loads the job and task of l and removes l from the task, checking
// that it is outstanding and unexpired.
func (q *Queue) leased(tx Tx, l Lease) (*JobRecord, *TaskRecord, error) {
	job, err := getRecord[JobRecord](tx, TableJobs, l.Job)
	if err != nil {
		return nil, nil, err
	}
	task, err := getRecord[TaskRecord](tx, TableTasks, taskKey(l.Job, l.Task))
	if err != nil {
		return nil, nil, err // a store's conflict, retried by its Update
	}
	if job == nil || task == nil {
		return nil, nil, fmt.Errorf("%w: job %q task %d", ErrNotFound, l.Job, l.Task)
	}
	i := slices.IndexFunc(task.Leases, func(o Lease) bool { return o.Worker == l.Worker })
	if i < 0 || job.State != JobRunning || task.State != TaskOpen || !q.cfg.Now().Before(task.Leases[i].Expires) {
		return nil, nil, fmt.Errorf("%w: job %q task %d", ErrLeaseExpired, l.Job, l.Task)
	}
	task.Leases = slices.Delete(task.Leases, i, i+1)
	return job, task, nil
}

// settle applies the quorum verdict to task, its workers and its job.
func (q *Queue) settle(tx Tx, job *JobRecord, task *TaskRecord) error {
	v := Decide(task.Reports, q.quorum(task), q.maxResults(job))
	if !v.Accepted && task.Check && task.AgreedAt.IsZero() &&
		Decide(task.Reports, task.Quorum, q.maxResults(job)).Accepted {
		task.AgreedAt = q.cfg.Now() // the spot check is due from now
	}
	switch {
	case v.Accepted:
		best := task.Reports[v.Best]
		task.State, task.Fuel, task.Status, task.Output = TaskAccepted, best.Fuel, best.Status, best.Output
		task.Units = UnitsFor(best.Fuel, job.Manifest.UnitsPerTask)
		task.Valid = v.Valid
		task.Leases = nil // outstanding replicas are no longer needed
		job.Accepted++
		job.Fuel += task.Fuel
		job.Units += task.Units
		if err := q.credit(tx, job, task, v); err != nil {
			return err
		}
	case v.Failed || q.tries(task) >= q.maxTries(job) && len(task.Leases) == 0:
		task.State = TaskFailed
		job.Failed++
	default:
		return nil
	}
	if job.Accepted+job.Failed == job.Tasks {
		job.State = JobDone
	}
	return putRecord(tx, TableJobs, job.ID, job)
}

// credit updates the track records. Valid workers earn the task's fuel;
// their streak grows only when another worker independently agreed (an
// unreplicated acceptance proves nothing). Outvoted workers are caught:
// their streak is lost and their earlier accepted results re-checked.
func (q *Queue) credit(tx Tx, job *JobRecord, task *TaskRecord, v Verdict) error {
	key := taskKey(task.Job, task.Index)
	for _, id := range v.Valid {
		w, err := q.workerRecord(tx, id)
		if err != nil {
			return err
		}
		if len(v.Valid) >= 2 {
			w.ConsecutiveValid++
		}
		w.Valid++
		w.Fuel = satAdd(w.Fuel, task.Fuel)
		w.Accepted = keepLast(append(w.Accepted, key))
		if err := putRecord(tx, TableWorkers, id, w); err != nil {
			return err
		}
	}
	for _, id := range v.Invalid {
		w, err := q.workerRecord(tx, id)
		if err != nil {
			return err
		}
		w.ConsecutiveValid = 0
		w.Invalid++
		w.Caught++
		if err := q.recheck(tx, job, key, w); err != nil {
			return err
		}
		if err := putRecord(tx, TableWorkers, id, w); err != nil {
			return err
		}
	}
	return nil
}

func (q *Queue) workerRecord(tx Tx, id string) (*WorkerRecord, error) {
	w, err := getRecord[WorkerRecord](tx, TableWorkers, id)
	if err == nil && w == nil {
		w = &WorkerRecord{ID: id}
	}
	return w, err
}

func satAdd(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func keepLast(keys []string) []string {
	if len(keys) > maxAcceptedKept {
		keys = keys[len(keys)-maxAcceptedKept:]
	}
	return keys
}
