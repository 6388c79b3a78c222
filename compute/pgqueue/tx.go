package pgqueue

import (
	"context"
	"errors"
	"fmt"

	"cyclecash/compute"

	"github.com/jackc/pgx/v5"
)

// ptx implements compute.Tx with SQL over the kv table. In a Claim
// transaction (locking), Get holds the row it reads and TryGet holds a row
// of the claimed table unless another transaction does (compute.Locker).
type ptx struct {
	ctx     context.Context
	tx      pgx.Tx
	claim   string // the table TryGet holds rows of; "" outside Claim
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

var (
	_ compute.Tx     = (*ptx)(nil)
	_ compute.Locker = (*ptx)(nil)
)

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

// TryGet implements compute.Locker. Outside a Claim, or for another
// table, it is Get and always holds.
func (t *ptx) TryGet(table, key string) ([]byte, bool, error) {
	if t.err != nil {
		return nil, false, t.err
	}
	if t.claim == "" || table != t.claim {
		v, err := t.Get(table, key)
		return v, err == nil, err
	}
	var v []byte
	err := t.tx.QueryRow(t.ctx, `SELECT value FROM kv WHERE tbl = $1 AND key = $2 FOR UPDATE SKIP LOCKED`,
		table, []byte(key)).Scan(&v)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, false, nil // held by another transaction, or missing
	case err != nil:
		return nil, false, t.fail(fmt.Errorf("pgqueue: claim %s: %w", table, err))
	}
	return v, true, nil
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
