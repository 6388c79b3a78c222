package pgstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"

	"cyclecash/ledger"

	"github.com/jackc/pgx/v5"
)

// ptx implements ledger.Tx with SQL; batches use unnest over arrays and
// are sorted by key, so concurrent writers lock rows in one order.
type ptx struct {
	ctx context.Context
	tx  pgx.Tx
}

var _ ledger.Tx = (*ptx)(nil)

func (t *ptx) Response(key [32]byte) ([]byte, error) {
	var body []byte
	err := t.tx.QueryRow(t.ctx, `SELECT body FROM responses WHERE key = $1`, key[:]).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return body, err
}

func (t *ptx) PutResponse(key [32]byte, resp []byte, at int64) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO responses (key, body, at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET body = EXCLUDED.body, at = EXCLUDED.at`, key[:], resp, at)
	return err
}

// PruneResponses also folds the totals' deltas (foldTotals): Prune runs
// it at most once a minute, in a write transaction.
func (t *ptx) PruneResponses(before int64, limit int) (int, error) {
	if err := t.foldTotals(); err != nil {
		return 0, err
	}
	tag, err := t.tx.Exec(t.ctx, `DELETE FROM responses WHERE key IN
		(SELECT key FROM responses WHERE at < $1 LIMIT $2)`, before, limit)
	return int(tag.RowsAffected()), err
}

func pointBytes(ps []ledger.Point) [][]byte {
	out := make([][]byte, len(ps))
	for i := range ps {
		out[i] = ps[i][:]
	}
	return out
}

func (t *ptx) Proofs(ys []ledger.Point) ([]ledger.ProofRecord, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT y, keyset, amount, state, escrow FROM proofs WHERE y = ANY($1)`, pointBytes(ys))
	if err != nil {
		return nil, err
	}
	found := map[ledger.Point]ledger.ProofRecord{}
	for rows.Next() {
		var r ledger.ProofRecord
		var y []byte
		var amount int64
		if err := rows.Scan(&y, &r.Keyset, &amount, &r.State, &r.Escrow); err != nil {
			return nil, err
		}
		copy(r.Y[:], y)
		r.Amount = uint64(amount)
		found[r.Y] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]ledger.ProofRecord, len(ys))
	for i, y := range ys {
		r, ok := found[y]
		if !ok {
			r = ledger.ProofRecord{Y: y, State: ledger.Unspent}
		}
		out[i] = r
	}
	return out, nil
}

func sortRecs(recs []ledger.ProofRecord) []ledger.ProofRecord {
	s := slices.Clone(recs)
	slices.SortFunc(s, func(a, b ledger.ProofRecord) int { return bytes.Compare(a.Y[:], b.Y[:]) })
	return s
}

func recArrays(recs []ledger.ProofRecord) (ys [][]byte, ks []string, amts []int64, states, escrows []string) {
	for i := range recs {
		r := &recs[i]
		ys = append(ys, r.Y[:])
		ks = append(ks, string(r.Keyset))
		amts = append(amts, int64(r.Amount))
		states = append(states, string(r.State))
		escrows = append(escrows, r.Escrow)
	}
	return
}

func (t *ptx) InsertProofs(recs []ledger.ProofRecord) error {
	ys, ks, amts, states, escrows := recArrays(sortRecs(recs))
	rows, err := t.tx.Query(t.ctx, `WITH ins AS (INSERT INTO proofs (y, keyset, amount, state, escrow)
		SELECT * FROM unnest($1::bytea[], $2::text[], $3::bigint[], $4::text[], $5::text[])
		ON CONFLICT (y) DO NOTHING RETURNING y, keyset, amount, state),
		tot AS (`+addTotals(`SELECT keyset, 0, sum(amount) FROM ins WHERE state = 'SPENT' GROUP BY keyset`)+`)
		SELECT y FROM ins`, ys, ks, amts, states, escrows)
	if err != nil {
		return err
	}
	inserted := map[string]bool{}
	for rows.Next() {
		var y []byte
		if err := rows.Scan(&y); err != nil {
			rows.Close()
			return err
		}
		inserted[string(y)] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(inserted) == len(recs) {
		return nil
	}
	// The existing records decide the error; SPENT wins over PENDING.
	var clash [][]byte
	for _, y := range ys {
		if !inserted[string(y)] {
			clash = append(clash, y)
		}
	}
	var state string
	err = t.tx.QueryRow(t.ctx, `SELECT state FROM proofs WHERE y = ANY($1) ORDER BY state DESC LIMIT 1`, clash).Scan(&state)
	if err != nil {
		return err
	}
	return ledger.StateError(ledger.State(state))
}

func (t *ptx) UpdateProofs(recs []ledger.ProofRecord) error {
	ys, _, _, states, escrows := recArrays(sortRecs(recs))
	_, err := t.tx.Exec(t.ctx, `WITH up AS (UPDATE proofs p SET state = u.state, escrow = u.escrow
		FROM (SELECT u.y, u.state, u.escrow, o.state AS was
			FROM unnest($1::bytea[], $2::text[], $3::text[]) AS u(y, state, escrow) JOIN proofs o ON o.y = u.y) u
		WHERE p.y = u.y RETURNING p.keyset, p.amount, p.state, u.was),
		tot AS (`+addTotals(`SELECT keyset, 0, sum(CASE WHEN state = 'SPENT' THEN amount ELSE 0 END
			- CASE WHEN was = 'SPENT' THEN amount ELSE 0 END) AS d FROM up GROUP BY keyset`)+`)
		SELECT 1`, ys, states, escrows)
	return err
}

func (t *ptx) DeleteProofs(ys []ledger.Point) error {
	_, err := t.tx.Exec(t.ctx, `WITH del AS (DELETE FROM proofs WHERE y = ANY($1) RETURNING keyset, amount, state),
		tot AS (`+addTotals(`SELECT keyset, 0, -sum(amount) FROM del WHERE state = 'SPENT' GROUP BY keyset`)+`)
		SELECT 1`, pointBytes(ys))
	return err
}

func (t *ptx) Signatures(bs []ledger.Point) ([]*ledger.BlindSignature, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT b, body FROM signatures WHERE b = ANY($1)`, pointBytes(bs))
	if err != nil {
		return nil, err
	}
	found := map[ledger.Point]*ledger.BlindSignature{}
	for rows.Next() {
		var b, body []byte
		if err := rows.Scan(&b, &body); err != nil {
			return nil, err
		}
		s := new(ledger.BlindSignature)
		if err := json.Unmarshal(body, s); err != nil {
			return nil, err
		}
		found[ledger.Point(b)] = s
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*ledger.BlindSignature, len(bs))
	for i, b := range bs {
		out[i] = found[b]
	}
	return out, nil
}

func (t *ptx) InsertSignatures(outs []ledger.SignedOutput) error {
	s := slices.Clone(outs)
	slices.SortFunc(s, func(a, b ledger.SignedOutput) int { return bytes.Compare(a.B[:], b.B[:]) })
	var bs, bodies [][]byte
	var ks []string
	var amts []int64
	for i := range s {
		body, err := json.Marshal(s[i].Sig)
		if err != nil {
			return err
		}
		bs, bodies = append(bs, s[i].B[:]), append(bodies, body)
		ks, amts = append(ks, string(s[i].Sig.ID)), append(amts, int64(s[i].Sig.Amount))
	}
	var n int
	err := t.tx.QueryRow(t.ctx, `WITH ins AS (INSERT INTO signatures (b, keyset, amount, body)
		SELECT * FROM unnest($1::bytea[], $2::text[], $3::bigint[], $4::bytea[])
		ON CONFLICT (b) DO NOTHING RETURNING keyset, amount),
		tot AS (`+addTotals(`SELECT keyset, sum(amount), 0 FROM ins GROUP BY keyset`)+`)
		SELECT count(*) FROM ins`, bs, ks, amts, bodies).Scan(&n)
	if err != nil {
		return err
	}
	if n != len(outs) { // the statement is rolled back with the transaction
		return ledger.ErrOutputsSigned
	}
	return nil
}

// addTotals is the statement that appends the (keyset, issued, spent)
// rows of sel to keyset_deltas, skipping zero changes (each change of the
// tables it counts runs it in the same statement: migration 0004).
func addTotals(sel string) string {
	return `INSERT INTO keyset_deltas (keyset, issued, spent)
		SELECT * FROM (` + sel + `) AS c(keyset, issued, spent) WHERE c.issued <> 0 OR c.spent <> 0`
}

// foldTotals moves keyset_deltas into keyset_totals (run by Prune).
func (t *ptx) foldTotals() error {
	_, err := t.tx.Exec(t.ctx, `WITH d AS (DELETE FROM keyset_deltas RETURNING keyset, issued, spent)
		INSERT INTO keyset_totals AS k (keyset, issued, spent)
		SELECT keyset, sum(issued), sum(spent) FROM d GROUP BY keyset ORDER BY keyset
		ON CONFLICT (keyset) DO UPDATE SET issued = k.issued + EXCLUDED.issued, spent = k.spent + EXCLUDED.spent`)
	return err
}
