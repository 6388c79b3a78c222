package compute

import "fmt"

// Expire drops every expired lease so its replica can be dispatched again,
// and returns how many it dropped; it also accepts the tasks whose spot
// check found no independent worker within SpotWait. Lease does the same lazily for the task
// it hands out; a gateway calls Expire on a timer to keep records tidy.
func (q *Queue) Expire() (int, error) {
	n := 0
	err := q.store.Update(func(tx Tx) error {
		n = 0
		type change struct {
			job  *JobRecord
			task *TaskRecord
		}
		var changed []change
		var jobs []*JobRecord
		err := scanRecords(tx, TableJobs, "", func(j *JobRecord) error {
			if j.State == JobRunning {
				jobs = append(jobs, j)
			}
			return nil
		})
		now := q.cfg.Now()
		for _, job := range jobs {
			if err != nil {
				break
			}
			err = scanRecords(tx, TableTasks, job.ID+"/", func(t *TaskRecord) error {
				d := dropExpired(t, now, job.Manifest.Replication)
				if d > 0 || q.spotLapsed(t) {
					n += d
					changed = append(changed, change{job, t})
				}
				return nil
			})
		}
		for _, c := range changed { // tasks out of tries fail here
			if err == nil {
				err = q.settle(tx, c.job, c.task)
			}
			if err == nil {
				err = putRecord(tx, TableTasks, taskKey(c.task.Job, c.task.Index), c.task)
			}
		}
		return err
	})
	return n, err
}

// Cancel stops dispatching a running job; accepted tasks stay billable.
func (q *Queue) Cancel(id string) error {
	return q.store.Update(func(tx Tx) error {
		job, err := q.job(tx, id)
		if err != nil || job.State != JobRunning {
			return err
		}
		job.State = JobCancelled
		return putRecord(tx, TableJobs, id, job)
	})
}

// Job returns the job's record: state, counts, and the fuel and units of
// its accepted tasks (what the gateway consumes from the buyer's escrow).
func (q *Queue) Job(id string) (*JobRecord, error) {
	var job *JobRecord
	err := q.store.View(func(tx Tx) (err error) {
		job, err = q.job(tx, id)
		return err
	})
	return job, err
}

func (q *Queue) job(tx Tx, id string) (*JobRecord, error) {
	job, err := getRecord[JobRecord](tx, TableJobs, id)
	if err == nil && job == nil {
		err = fmt.Errorf("%w: job %q", ErrNotFound, id)
	}
	return job, err
}

// Tasks returns the job's task records in input order: results, fuel and
// units of accepted tasks, and the workers to pay for each.
func (q *Queue) Tasks(id string) ([]TaskRecord, error) {
	var tasks []TaskRecord
	err := q.store.View(func(tx Tx) error {
		return scanRecords(tx, TableTasks, id+"/", func(t *TaskRecord) error {
			tasks = append(tasks, *t)
			return nil
		})
	})
	return tasks, err
}

// Worker returns a worker's track record (zero if unknown).
func (q *Queue) Worker(id string) (WorkerRecord, error) {
	var w *WorkerRecord
	err := q.store.View(func(tx Tx) (err error) {
		w, err = getRecord[WorkerRecord](tx, TableWorkers, id)
		return err
	})
	if w == nil {
		return WorkerRecord{ID: id}, err
	}
	return *w, err
}

// spotLapsed reports an open task whose quorum agreed and whose spot check
// waited SpotWait in vain.
func (q *Queue) spotLapsed(t *TaskRecord) bool {
	return t.State == TaskOpen && t.Check && !t.AgreedAt.IsZero() && q.quorum(t) == t.Quorum
}
