package compute

import (
	"slices"
	"time"
)

// recheck reopens the accepted tasks that a caught worker w was valid on:
// its votes are struck, the task needs its quorum again (plus a spot
// check) from workers that have not held it, and the job no longer counts
// it. Tasks of jobs that are no longer running cannot be reopened; they
// go to w.Revoked for the gateway to claw back. cur is the job being
// settled (its record is written by the caller); skip is the task that
// caught w.
func (q *Queue) recheck(tx Tx, cur *JobRecord, skip string, w *WorkerRecord) error {
	keys := w.Accepted
	w.Accepted = nil
	for _, key := range keys {
		if key == skip {
			continue
		}
		task, err := getRecord[TaskRecord](tx, TableTasks, key)
		if err != nil {
			return err
		}
		if task == nil || task.State != TaskAccepted || !slices.Contains(task.Valid, w.ID) {
			continue
		}
		job := cur
		if task.Job != cur.ID {
			if job, err = getRecord[JobRecord](tx, TableJobs, task.Job); err != nil {
				return err
			}
		}
		if job == nil || job.State != JobRunning {
			w.Revoked = keepLast(append(w.Revoked, key))
			continue
		}
		w.Fuel = max(w.Fuel-task.Fuel, 0)
		reopen(job, task, w.ID)
		if err := putRecord(tx, TableTasks, key, task); err != nil {
			return err
		}
		if job != cur {
			if err := putRecord(tx, TableJobs, job.ID, job); err != nil {
				return err
			}
		}
	}
	return nil
}

// reopen returns an accepted task to the open state without the votes of
// the caught worker.
func reopen(job *JobRecord, task *TaskRecord, caught string) {
	job.Accepted--
	job.Fuel -= task.Fuel
	job.Units -= task.Units
	task.Reports = slices.DeleteFunc(task.Reports, func(r Report) bool { return r.Worker == caught })
	task.State, task.Fuel, task.Units, task.Output, task.Valid = TaskOpen, 0, 0, nil, nil
	task.Check, task.AgreedAt, task.Rechecks = true, time.Time{}, task.Rechecks+1
	if task.Trusted != "" {
		task.Trusted, task.Quorum = "", job.Manifest.Replication
	}
}
