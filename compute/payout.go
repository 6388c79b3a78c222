package compute

import (
	"crypto/sha256"
	"encoding/hex"
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
// unit each to the first workers in Valid (report order). The sum is
// exactly task.Units, never more: the supply of units grows only by what
// a buyer consumed. Tasks not accepted pay nothing.
func Payouts(task *TaskRecord) []Payout {
	if task.State != TaskAccepted || len(task.Valid) == 0 {
		return nil
	}
	n := uint64(len(task.Valid))
	share, rest := task.Units/n, task.Units%n
	out := make([]Payout, 0, n)
	for i, w := range task.Valid {
		u := share
		if uint64(i) < rest {
			u++
		}
		if u > 0 {
			out = append(out, Payout{Worker: w, Units: u})
		}
	}
	return out
}
