package pgqueue

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"cyclecash/compute"

	"github.com/jackc/pgx/v5"
)

// ptx implements compute.Tx with SQL over the kv table. In a Claim
// transaction (locking), Get locks the row it reads and a Scan of the
// claimed table locks the rows it yields, one at a time, skipping rows
// other transactions hold.
type ptx struct {
	ctx     context.Context
	tx      pgx.Tx
	claim   string // the table scanned with SKIP LOCKED; "" outside Claim
	locking bool
	// err is the first failure: after it PostgreSQL refuses every further
	// statement, so it is what the transaction reports even when the
	// caller dropped it (a serialization failure must reach the retry).
	err error
}

// fail records the transaction's first error and returns err.
func (t *ptx) fail(err error) error {
	if t.err == nil {
		t.err = err
	}
	return err
}

var _ compute.Tx = (*ptx)(nil)

// cursors names the cursors of claiming scans, unique per process.
var cursors atomic.Uint64

func (t *ptx) Get(table, key string) ([]byte, error) {
	if t.err != nil {
		return nil, t.err
	}
	q := `SELECT value FROM kv WHERE tbl = $1 AND key = $2`
	if t.locking {
		q += ` FOR UPDATE`
	}
	var v []byte
	err := t.tx.QueryRow(t.ctx, q, table, []byte(key)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, t.fail(fmt.Errorf("pgqueue: get %s: %w", table, err))
	}
	return v, nil
}

func (t *ptx) Put(table, key string, value []byte) error {
	if t.err != nil {
		return t.err
	}
	if value == nil {
		value = []byte{}
	}
	_, err := t.tx.Exec(t.ctx, `INSERT INTO kv (tbl, key, value) VALUES ($1, $2, $3)
		ON CONFLICT (tbl, key) DO UPDATE SET value = EXCLUDED.value`, table, []byte(key), value)
	if err != nil {
		return t.fail(fmt.Errorf("pgqueue: put %s: %w", table, err))
	}
	return nil
}

// rangeOf returns the WHERE clause and arguments selecting keys with the
// prefix: key >= prefix AND key < the prefix's successor.
func rangeOf(table, prefix string) (string, []any) {
	where, args := `tbl = $1 AND key >= $2`, []any{table, []byte(prefix)}
	if end := successor([]byte(prefix)); end != nil {
		where, args = where+` AND key < $3`, append(args, end)
	}
	return where, args
}

// successor is the least byte string greater than every string with the
// prefix p, or nil when there is none (p empty or all 0xff).
func successor(p []byte) []byte {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] != 0xff {
			end := append([]byte(nil), p[:i+1]...)
			end[i]++
			return end
		}
	}
	return nil
}

func (t *ptx) Scan(table, prefix string, fn func(string, []byte) error) error {
	if t.err != nil {
		return t.err
	}
	if t.claim != "" && table == t.claim {
		return t.claimScan(table, prefix, fn)
	}
	where, args := rangeOf(table, prefix)
	rows, err := t.tx.Query(t.ctx, `SELECT key, value FROM kv WHERE `+where+` ORDER BY key`, args...)
	if err != nil {
		return t.fail(fmt.Errorf("pgqueue: scan %s: %w", table, err))
	}
	defer rows.Close()
	type kv struct{ k, v []byte }
	var all []kv // buffered: fn may run queries on this transaction
	for rows.Next() {
		var r kv
		if err := rows.Scan(&r.k, &r.v); err != nil {
			return t.fail(fmt.Errorf("pgqueue: scan %s: %w", table, err))
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return t.fail(fmt.Errorf("pgqueue: scan %s: %w", table, err))
	}
	for _, r := range all {
		if err := fn(string(r.k), r.v); err != nil {
			return err
		}
	}
	return nil
}

// claimScan reads through a cursor, one row per FETCH, so that only the
// rows fn has seen are locked: a lease locks the tasks it examined up to
// the one it takes, and a concurrent lease skips exactly those.
func (t *ptx) claimScan(table, prefix string, fn func(string, []byte) error) error {
	name := pgx.Identifier{fmt.Sprintf("claim_%d", cursors.Add(1))}.Sanitize()
	where, args := rangeOf(table, prefix)
	_, err := t.tx.Exec(t.ctx, `DECLARE `+name+` NO SCROLL CURSOR FOR SELECT key, value FROM kv WHERE `+
		where+` ORDER BY key FOR UPDATE SKIP LOCKED`, args...)
	if err != nil {
		return t.fail(fmt.Errorf("pgqueue: claim %s: %w", table, err))
	}
	defer t.tx.Exec(context.WithoutCancel(t.ctx), `CLOSE `+name)
	for {
		var k, v []byte
		err := t.tx.QueryRow(t.ctx, `FETCH NEXT FROM `+name).Scan(&k, &v)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return t.fail(fmt.Errorf("pgqueue: claim %s: %w", table, err))
		}
		if err := fn(string(k), v); err != nil {
			return err
		}
	}
}
