package pgstore

import (
	"encoding/json"
	"errors"

	"cyclecash/ledger"

	"github.com/jackc/pgx/v5"
)

// quoteRec stores the fields ledger.Quote hides from JSON.
type quoteRec struct {
	ledger.Quote
	PaidBy string `json:"paid_by"`
}

func getJSON[T any](t *ptx, sql, id string) (*T, error) {
	var body []byte
	err := t.tx.QueryRow(t.ctx, sql, id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := new(T)
	return v, json.Unmarshal(body, v)
}

func (t *ptx) putJSON(sql, id string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(t.ctx, sql, id, body)
	return err
}

func (t *ptx) Quote(id string) (*ledger.Quote, error) {
	q, err := getJSON[quoteRec](t, `SELECT body FROM quotes WHERE id = $1`, id)
	if q == nil || err != nil {
		return nil, err
	}
	out := q.Quote
	out.PaidBy = q.PaidBy
	return &out, nil
}

func (t *ptx) PutQuote(q ledger.Quote) error {
	return t.putJSON(`INSERT INTO quotes (id, body) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body`, q.ID, quoteRec{q, q.PaidBy})
}

// ExpiredQuotes uses the partial index of migration 0002.
func (t *ptx) ExpiredQuotes(before int64, limit int) ([]string, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT id FROM quotes
		WHERE body->>'state' = 'UNPAID' AND (body->>'expiry')::bigint < $1 LIMIT $2`, before, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (t *ptx) DeleteQuote(id string) error {
	_, err := t.tx.Exec(t.ctx, `DELETE FROM quotes WHERE id = $1`, id)
	return err
}

func (t *ptx) Escrow(id string) (*ledger.Escrow, error) {
	return getJSON[ledger.Escrow](t, `SELECT body FROM escrows WHERE id = $1`, id)
}

func (t *ptx) PutEscrow(e ledger.Escrow) error {
	return t.putJSON(`INSERT INTO escrows (id, body) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body`, e.ID, e)
}

// Totals reads the per-keyset running sums that migration 0004 added and
// the writes of tx.go keep (issued: signatures; spent: SPENT proofs): one row
// per keyset, whatever the number of records.
func (t *ptx) Totals() (map[ledger.KeysetID]ledger.KeysetTotals, error) {
	out := map[ledger.KeysetID]ledger.KeysetTotals{}
	rows, err := t.tx.Query(t.ctx, `SELECT keyset, sum(issued), sum(spent) FROM (
		SELECT keyset, issued, spent FROM keyset_totals
		UNION ALL SELECT keyset, issued, spent FROM keyset_deltas) t GROUP BY keyset`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var issued, spent int64
		if err := rows.Scan(&id, &issued, &spent); err != nil {
			return nil, err
		}
		tot := out[ledger.KeysetID(id)]
		tot.Issued += uint64(issued)
		tot.Spent += uint64(spent)
		out[ledger.KeysetID(id)] = tot
	}
	return out, rows.Err()
}

// RollUp deletes without the totals statement DeleteProofs runs.
func (t *ptx) RollUp(id ledger.KeysetID, limit int) (int, error) {
	n := 0
	for _, q := range []string{
		`DELETE FROM proofs WHERE y IN (SELECT y FROM proofs WHERE keyset = $1 LIMIT $2)`,
		`DELETE FROM signatures WHERE b IN (SELECT b FROM signatures WHERE keyset = $1 LIMIT $2)`,
	} {
		if n == limit {
			break
		}
		tag, err := t.tx.Exec(t.ctx, q, string(id), limit-n)
		if err != nil {
			return n, err
		}
		n += int(tag.RowsAffected())
	}
	return n, nil
}

func (t *ptx) Minted(day int64) (uint64, error) {
	var n int64
	err := t.tx.QueryRow(t.ctx, `SELECT amount FROM minted WHERE day = $1`, day).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return uint64(n), err
}

func (t *ptx) AddMinted(day int64, amount uint64) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO minted (day, amount) VALUES ($1, $2)
		ON CONFLICT (day) DO UPDATE SET amount = minted.amount + EXCLUDED.amount`, day, int64(amount))
	return err
}
