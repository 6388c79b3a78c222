package compute

// ClawBack settles what recheck could not undo: the accepted tasks of
// finished jobs that a worker was valid on when it was later caught
// (WorkerRecord.Revoked). For each, fn gets the worker and the task in
// the transaction that clears the worker's list, so a gateway takes back
// the worker's unpaid share exactly once; the worker's trust streak is
// reset there too, whatever it earned since. It returns how many revoked
// tasks fn saw. Workers are scanned, so a gateway calls it on its sweep,
// not per request.
func (q *Queue) ClawBack(fn func(tx Tx, worker string, task *TaskRecord) error) (int, error) {
	n := 0
	err := q.store.Update(func(tx Tx) error {
		n = 0
		var caught []*WorkerRecord
		if err := scanRecords(tx, TableWorkers, "", func(w *WorkerRecord) error {
			if len(w.Revoked) > 0 {
				caught = append(caught, w)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, w := range caught {
			for _, key := range w.Revoked {
				task, err := getRecord[TaskRecord](tx, TableTasks, key)
				if err != nil {
					return err
				}
				if task == nil {
					continue
				}
				if err := fn(tx, w.ID, task); err != nil {
					return err
				}
				n++
			}
			w.Revoked, w.ConsecutiveValid = nil, 0
			if err := putRecord(tx, TableWorkers, w.ID, w); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}
