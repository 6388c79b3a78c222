package compute

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// WorkerID is the queue identity of a worker: derived from its public key
// alone, whatever mode (open or stealth) it registers in, so one key can
// never hold two replicas of one task under two names.
func WorkerID(pub []byte) string {
	sum := sha256.Sum256(append([]byte("cyclecash worker id\x00"), pub...))
	return "w-" + hex.EncodeToString(sum[:16])
}

// Payout is what one worker earns for one accepted task.
type Payout struct {
	Worker string
	Units  uint64
}

// Payouts splits an accepted task's units among its valid workers: the
// buyer is charged the task's units once (JobRecord.Units), so the
// replicas share them. Each gets Units/len(Valid); the remainder goes one
// unit each to workers in Valid starting at an offset drawn from a hash
// of the job and task, not in report order: the fastest reporters (open
// workers on direct streams) would otherwise take every odd unit, and a
// stealth worker on 1-unit tasks would earn nothing. The offset is
// deterministic, so a payout recomputed after a crash is the same. The sum is
// exactly task.Units, never more: the supply of units grows only by what
// a buyer consumed. Tasks not accepted pay nothing.
func Payouts(task *TaskRecord) []Payout {
	if task.State != TaskAccepted || len(task.Valid) == 0 {
		return nil
	}
	n := uint64(len(task.Valid))
	share, rest := task.Units/n, task.Units%n
	off := remainderOffset(task, n)
	out := make([]Payout, 0, n)
	for i, w := range task.Valid {
		u := share
		if (uint64(i)+n-off)%n < rest {
			u++
		}
		if u > 0 {
			out = append(out, Payout{Worker: w, Units: u})
		}
	}
	return out
}

// remainderOffset is where in task.Valid the remainder units start.
func remainderOffset(task *TaskRecord, n uint64) uint64 {
	sum := sha256.Sum256(fmt.Appendf(nil, "cyclecash payout remainder\x00%s\x00%d", task.Job, task.Index))
	return binary.BigEndian.Uint64(sum[:8]) % n
}
