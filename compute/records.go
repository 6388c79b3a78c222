package compute

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"
)

// JobState is where a job is in its life.
type JobState uint8

// Job states.
const (
	JobRunning   JobState = iota // tasks are being dispatched
	JobDone                      // every task accepted or failed
	JobExpired                   // the deadline passed first
	JobCancelled                 // the buyer or gateway cancelled it
)

// TaskState is where a task is in its life.
type TaskState uint8

// Task states.
const (
	TaskOpen     TaskState = iota // needs results
	TaskAccepted                  // a quorum agreed; billable
	TaskFailed                    // no quorum within the replica or attempt cap
)

// JobRecord is a job as stored. Manifest.Inputs is emptied: inputs live in
// the task records.
type JobRecord struct {
	ID       string
	Manifest Manifest
	Tasks    int
	State    JobState
	Accepted int    // tasks accepted
	Failed   int    // tasks failed
	Fuel     int64  // fuel of accepted tasks
	Units    uint64 // units of accepted tasks: what the buyer is charged
}

// Lease is one replica of a task handed to one worker.
type Lease struct {
	Job     string
	Task    int
	Worker  string
	Expires time.Time
}

// TaskRecord is a task as stored.
type TaskRecord struct {
	Job     string
	Index   int
	Input   []byte
	State   TaskState
	Quorum  int      // agreeing results needed; 1 when a trusted worker has it
	Trusted string   // the trusted worker when Quorum was lowered to 1
	Leases  []Lease  // outstanding replicas
	Tried   []string // every worker ever leased this task
	Reports []Report
	// Check marks a secret spot check: one replica more than Quorum. It is
	// drawn at submit and never shown to workers.
	Check    bool
	AgreedAt time.Time // when Quorum agreed while a spot check was still due
	HeldAt   uint64    // the ask (lease call count) of the last lease
	Excused  int       // crash reports from workers without a record
	Rechecks int       // times reopened because a worker it trusted was caught
	// Set once accepted:
	Fuel   int64
	Units  uint64
	Output []byte
	Status Status
	Valid  []string // workers to pay
}

// WorkerRecord is a worker's track record for adaptive replication.
type WorkerRecord struct {
	ID               string
	ConsecutiveValid int // results in a row that another worker independently confirmed
	Valid, Invalid   int
	Fuel             int64    // fuel of accepted results (saturating): the worker's earnings
	Caught           int      // times outvoted
	Accepted         []string // keys of the latest accepted tasks it was valid on, for re-checks
	Revoked          []string // accepted tasks of finished jobs it was valid on when it was caught
}

// maxAcceptedKept bounds WorkerRecord.Accepted and Revoked.
const maxAcceptedKept = 256

// Seed is the random seed of a task, the same for every replica.
func Seed(job string, index int) [32]byte {
	return sha256.Sum256(fmt.Appendf(nil, "cyclecash task seed\x00%s\x00%d", job, index))
}

func taskKey(job string, index int) string { return fmt.Sprintf("%s/%08d", job, index) }

func getRecord[T any](tx Tx, table, key string) (*T, error) {
	b, err := tx.Get(table, key)
	if err != nil || b == nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("compute: corrupt %s record %q: %w", table, key, err)
	}
	return v, nil
}

func putRecord(tx Tx, table, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(table, key, b)
}

func scanRecords[T any](tx Tx, table, prefix string, fn func(*T) error) error {
	return tx.Scan(table, prefix, func(key string, b []byte) error {
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("compute: corrupt %s record %q: %w", table, key, err)
		}
		return fn(v)
	})
}
