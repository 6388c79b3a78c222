package compute

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"
)

// QueueConfig configures a Queue. The zero value is a safe default: no
// adaptive trust, wall-clock time.
type QueueConfig struct {
	// LeaseGrace is added to a task's timeout to set its lease expiry.
	LeaseGrace time.Duration
	// MaxExtra is how many results beyond the quorum a task may collect
	// before it fails for want of agreement.
	MaxExtra int
	// MaxTries caps the leases one task may be given (lost ones included);
	// 0 means 2 × (replication + MaxExtra).
	MaxTries int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand draws uniformly from [0, 1) for adaptive replication, spot
	// checks and the choice of task; nil disables adaptive replication and
	// spot checks (every task is replicated exactly Replication times) and
	// chooses tasks with math/rand/v2.
	Rand func() float64
	// SpotCheck is the probability that a task secretly needs one replica
	// more than its quorum (drawn at submit, never shown to workers); it
	// is raised to MinSpotCheck when lower. Only with Rand set.
	SpotCheck float64
	// SpotWait bounds how long a spot check waits, after the quorum
	// agreed, for an independent worker to ask; then the task is accepted
	// unchecked (by Expire). A worker cannot shorten it; in a network with
	// more workers than replicas one asks within seconds. 0 means
	// DefaultSpotWait.
	SpotWait time.Duration
	// Logger receives debug records; nil is silent.
	Logger *slog.Logger
}

// DefaultSpotWait is QueueConfig.SpotWait's default.
const DefaultSpotWait = 5 * time.Second

// Queue is the gateway's task queue: jobs split into tasks, tasks leased to
// workers with expiry, results validated by quorum, accepted tasks
// accounted in fuel and units. All state lives in the Store; the Queue is
// safe for concurrent use to the extent the Store serializes transactions.
type Queue struct {
	store Store
	cfg   QueueConfig
}

// NewQueue returns a queue over store.
func NewQueue(store Store, cfg QueueConfig) *Queue {
	if cfg.LeaseGrace <= 0 {
		cfg.LeaseGrace = 30 * time.Second
	}
	if cfg.MaxExtra <= 0 {
		cfg.MaxExtra = 3
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.SpotCheck = min(max(cfg.SpotCheck, MinSpotCheck), 1)
	if cfg.SpotWait <= 0 {
		cfg.SpotWait = DefaultSpotWait
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Queue{store: store, cfg: cfg}
}

// Assignment is what a worker needs to run one leased task.
type Assignment struct {
	Lease   Lease
	Module  Hash // the job's module, uninstrumented hash (Manifest.Module)
	Input   []byte
	Fuel    int64
	Seed    [32]byte
	Timeout time.Duration
	Output  string // Manifest.Output, for Result.Digest
}

// Submit queues a validated manifest under a new job ID.
func (q *Queue) Submit(id string, m *Manifest) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if !validJobID(id) {
		return fmt.Errorf("compute: job id %q: want 1..64 of [A-Za-z0-9_-]", id)
	}
	return q.store.Update(func(tx Tx) error {
		if old, err := getRecord[JobRecord](tx, TableJobs, id); err != nil || old != nil {
			return errors.Join(err, fmt.Errorf("%w: %q", ErrDuplicate, id))
		}
		job := JobRecord{ID: id, Manifest: *m, Tasks: len(m.Inputs)}
		job.Manifest.Inputs = nil
		for i, in := range m.Inputs {
			t := TaskRecord{Job: id, Index: i, Input: in, Quorum: m.Replication,
				Check: q.cfg.Rand != nil && q.cfg.Rand() < q.cfg.SpotCheck}
			if err := putRecord(tx, TableTasks, taskKey(id, i), &t); err != nil {
				return err
			}
		}
		return putRecord(tx, TableJobs, id, &job)
	})
}

// Lease hands worker one replica of a task it has never held, chosen at
// random among the tasks it may take, or returns nil when there is none.
// A task that has a replica out or reported is held back from the ask that
// immediately follows its last lease, so one operator asking twice in a
// row never holds two replicas of one task. Expired leases free their
// replica. On a Claimer, a lease that finds every task it could take held
// by concurrent leases waits for them, up to about 0.1 s, before it
// answers nil.
func (q *Queue) Lease(worker string) (*Assignment, error) {
	var a *Assignment
	update, claiming := q.store.Update, false
	if c, ok := q.store.(Claimer); ok {
		update, claiming = func(fn func(Tx) error) error { return c.Claim(TableTasks, fn) }, true
	}
	var seq uint64
	if s, ok := q.store.(Sequencer); ok {
		n, err := s.NextAsk()
		if err != nil {
			return nil, err
		}
		seq = n
	}
	lease := func(tx Tx) error {
		a = nil
		ask, err := seq, error(nil)
		if seq == 0 {
			ask, err = q.nextAsk(tx)
		}
		if err != nil {
			return err
		}
		cands, err := q.candidates(tx, worker, ask)
		if err != nil || len(cands) == 0 {
			return err
		}
		var c *candidate
		if l, ok := tx.(Locker); ok && claiming {
			c, err = q.claim(tx, l, cands, worker, ask)
		} else {
			c = &cands[q.pick(len(cands))]
		}
		if c == nil || err != nil {
			return err
		}
		a, err = q.leaseTask(tx, c.job, c.task, worker, ask)
		return err
	}
	err := update(lease)
	for wait := time.Millisecond; errors.Is(err, errAllBusy); wait *= 2 {
		if wait > maxBusyWait {
			return nil, nil // still all held by other leases: none for now
		}
		time.Sleep(wait/2 + rand.N(wait))
		err = update(lease)
	}
	return a, err
}

// claim holds one of cands for worker in a Claim, where cands were read
// without holding their rows: in random order it holds a candidate's row,
// rereads it and checks again that worker may take it. It skips the
// candidates other leases hold, and fails with errAllBusy when it found
// none but skipped some, so that Lease tries again in a new transaction
// rather than answer "no work" while work is left. (Waiting for a held row
// instead would deadlock with a lease holding a row this one rejected.)
func (q *Queue) claim(tx Tx, l Locker, cands []candidate, worker string, ask uint64) (*candidate, error) {
	busy := false
	for len(cands) > 0 {
		i := q.pick(len(cands))
		c := cands[i]
		cands[i] = cands[len(cands)-1]
		cands = cands[:len(cands)-1]
		b, held, err := l.TryGet(TableTasks, taskKey(c.job.ID, c.task.Index))
		if err != nil {
			return nil, err
		}
		if !held {
			busy = true
			continue
		}
		if ok, err := q.stillWants(&c, b, worker, ask); ok || err != nil {
			return &c, err
		}
	}
	if busy {
		return nil, errAllBusy
	}
	return nil, nil
}

// stillWants decodes c's task from b, its latest value, and reports whether
// worker may still take it.
func (q *Queue) stillWants(c *candidate, b []byte, worker string, ask uint64) (bool, error) {
	if b == nil {
		return false, nil
	}
	t := new(TaskRecord)
	if err := json.Unmarshal(b, t); err != nil {
		return false, fmt.Errorf("compute: corrupt %s record %q: %w", TableTasks, taskKey(c.job.ID, c.task.Index), err)
	}
	if t.State != TaskOpen {
		return false, nil
	}
	dropExpired(t, q.cfg.Now(), c.job.Manifest.Replication)
	c.task = t
	return q.wants(t, c.job, worker, ask), nil
}

var errStopScan = errors.New("stop")

// errAllBusy: every task a claiming lease could take was held by other
// leases. Lease retries with a doubling, jittered wait up to maxBusyWait.
var errAllBusy = errors.New("compute: every candidate task is held by another lease")

const maxBusyWait = 64 * time.Millisecond

// leaseTask leases task to worker at ask.
func (q *Queue) leaseTask(tx Tx, job *JobRecord, task *TaskRecord, worker string, ask uint64) (*Assignment, error) {
	now := q.cfg.Now()
	q.trustFirst(tx, task, worker)
	timeout := time.Duration(job.Manifest.TaskTimeoutMS) * time.Millisecond
	l := Lease{Job: job.ID, Task: task.Index, Worker: worker, Expires: now.Add(timeout + q.cfg.LeaseGrace)}
	task.Leases = append(task.Leases, l)
	task.Tried = append(task.Tried, worker)
	task.HeldAt = ask
	q.cfg.Logger.Debug("compute: lease", "task", task.Index)
	return &Assignment{Lease: l, Module: job.Manifest.Module, Input: task.Input,
			Fuel: job.Manifest.FuelBudget(), Seed: Seed(job.ID, task.Index),
			Timeout: timeout, Output: job.Manifest.Output},
		putRecord(tx, TableTasks, taskKey(job.ID, task.Index), task)
}

// wants reports whether task needs another replica and worker may run it:
// never two replicas of one task to the same worker.
func (q *Queue) wants(t *TaskRecord, job *JobRecord, worker string, ask uint64) bool {
	v := Decide(t.Reports, q.quorum(t), q.maxResults(job))
	held := (len(t.Leases) > 0 || len(t.Reports) > 0) && ask <= t.HeldAt+1
	return v.More > len(t.Leases) && !held && !slices.Contains(t.Tried, worker) && q.tries(t) < q.maxTries(job)
}

// tries is the number of leases that count against the task's cap:
// crashes reported by workers without a record are excused.
func (q *Queue) tries(t *TaskRecord) int { return len(t.Tried) - t.Excused }

// maxResults caps the votes a task may collect.
func (q *Queue) maxResults(job *JobRecord) int {
	return 2*job.Manifest.Replication + q.cfg.MaxExtra + 1
}

func (q *Queue) maxTries(job *JobRecord) int {
	if q.cfg.MaxTries > 0 {
		return q.cfg.MaxTries
	}
	return 2 * q.maxResults(job)
}

// trustFirst lowers the quorum to 1 when the first replica of a task goes
// to a worker adaptive replication trusts.
func (q *Queue) trustFirst(tx Tx, t *TaskRecord, worker string) {
	if q.cfg.Rand == nil || len(t.Tried) > 0 {
		return
	}
	w, err := getRecord[WorkerRecord](tx, TableWorkers, worker)
	if err != nil || w == nil {
		return
	}
	if !NeedsReplica(w.ConsecutiveValid, q.cfg.Rand()) {
		t.Quorum, t.Trusted = 1, worker
	}
}

// dropExpired removes t's expired leases and returns how many it removed.
// When the lease of a trusted worker expires, the task goes back to full
// replication.
func dropExpired(t *TaskRecord, now time.Time, replication int) int {
	n := len(t.Leases)
	t.Leases = slices.DeleteFunc(t.Leases, func(l Lease) bool { return !now.Before(l.Expires) })
	untrust(t, replication)
	return n - len(t.Leases)
}

// untrust restores full replication of a task whose trusted worker no
// longer holds it without having reported.
func untrust(t *TaskRecord, replication int) {
	held := slices.ContainsFunc(t.Leases, func(l Lease) bool { return l.Worker == t.Trusted })
	if t.Trusted != "" && !held && len(t.Reports) == 0 {
		t.Trusted, t.Quorum = "", replication
	}
}

func validJobID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
