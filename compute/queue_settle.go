package compute

import (
	"fmt"
	"slices"
)

// Complete records the result of a lease. A deterministic result is a vote;
// a deadline or crash only frees the replica for another worker. It returns
// the task's state afterwards. Results on expired or unknown leases, or for
// jobs no longer running, fail with ErrLeaseExpired.
func (q *Queue) Complete(l Lease, res Result) (TaskState, error) {
	var state TaskState
	err := q.store.Update(func(tx Tx) error {
		job, task, err := q.leased(tx, l)
		if err != nil {
			return err
		}
		if res.Status.Deterministic() {
			task.Reports = append(task.Reports, Report{Worker: l.Worker, Status: res.Status,
				Digest: res.Digest(job.Manifest.Output), Fuel: res.FuelUsed, Output: res.Output})
		} else {
			untrust(task, job.Manifest.Replication) // a lost replica, as if its lease expired
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
	v := Decide(task.Reports, task.Quorum, job.Manifest.Replication+q.cfg.MaxExtra)
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
		if err := q.credit(tx, v, task.Fuel); err != nil {
			return err
		}
	case v.Failed || len(task.Tried) >= q.maxTries(job) && len(task.Leases) == 0:
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

// credit updates the track records: valid workers earn the task's fuel and
// extend their streak; outvoted workers lose theirs.
func (q *Queue) credit(tx Tx, v Verdict, fuel int64) error {
	update := func(id string, valid bool) error {
		w, err := getRecord[WorkerRecord](tx, TableWorkers, id)
		if err != nil {
			return err
		}
		if w == nil {
			w = &WorkerRecord{ID: id}
		}
		if valid {
			w.ConsecutiveValid++
			w.Valid++
			w.Fuel += fuel
		} else {
			w.ConsecutiveValid = 0
			w.Invalid++
		}
		return putRecord(tx, TableWorkers, id, w)
	}
	for _, id := range v.Valid {
		if err := update(id, true); err != nil {
			return err
		}
	}
	for _, id := range v.Invalid {
		if err := update(id, false); err != nil {
			return err
		}
	}
	return nil
}
