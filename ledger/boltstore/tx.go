package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"slices"

	"cyclecash/ledger"

	bolt "go.etcd.io/bbolt"
)

// btx implements ledger.Tx over a bbolt transaction. Records are JSON;
// totals are two big-endian uint64 (issued, spent); minted is one.
type btx struct {
	tx    *bolt.Tx
	wrote bool
}

var _ ledger.Tx = (*btx)(nil)

func (t *btx) b(name []byte) *bolt.Bucket { return t.tx.Bucket(name) }

func (t *btx) put(bucket, k []byte, v any) error {
	t.wrote = true
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.b(bucket).Put(k, raw)
}

func get[T any](t *btx, bucket, k []byte) (*T, error) {
	raw := t.b(bucket).Get(k)
	if raw == nil {
		return nil, nil
	}
	v := new(T)
	return v, json.Unmarshal(raw, v)
}

func (t *btx) Response(key [32]byte) ([]byte, error) {
	return bytes.Clone(t.b(bResponses).Get(key[:])), nil
}

// PruneResponses walks the time index from its start. Answers stored
// before the index existed have no entry and are kept.
func (t *btx) PruneResponses(before int64, limit int) (int, error) {
	var old [][]byte
	c := t.b(bResponseAt).Cursor()
	for k, _ := c.First(); k != nil && len(old) < limit; k, _ = c.Next() {
		if len(k) != 40 || int64(binary.BigEndian.Uint64(k[:8])) >= before {
			break
		}
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		t.wrote = true
		if err := t.b(bResponses).Delete(k[8:]); err != nil {
			return 0, err
		}
		if err := t.b(bResponseAt).Delete(k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

func (t *btx) PutResponse(key [32]byte, resp []byte, at int64) error {
	t.wrote = true
	if err := t.b(bResponses).Put(key[:], resp); err != nil {
		return err
	}
	return t.b(bResponseAt).Put(append(binary.BigEndian.AppendUint64(nil, uint64(at)), key[:]...), nil)
}

func (t *btx) Proofs(ys []ledger.Point) ([]ledger.ProofRecord, error) {
	out := make([]ledger.ProofRecord, len(ys))
	for i, y := range ys {
		r, err := get[ledger.ProofRecord](t, bProofs, y[:])
		if err != nil {
			return nil, err
		}
		if r == nil {
			r = &ledger.ProofRecord{Y: y, State: ledger.Unspent}
		}
		out[i] = *r
	}
	return out, nil
}

func (t *btx) InsertProofs(recs []ledger.ProofRecord) error {
	b := t.b(bProofs)
	for _, r := range recs {
		if old := b.Get(r.Y[:]); old != nil {
			var o ledger.ProofRecord
			if err := json.Unmarshal(old, &o); err != nil {
				return err
			}
			return ledger.StateError(o.State)
		}
	}
	sorted := slices.Clone(recs)
	slices.SortFunc(sorted, func(a, b ledger.ProofRecord) int { return bytes.Compare(a.Y[:], b.Y[:]) })
	for _, r := range sorted {
		if err := t.put(bProofs, r.Y[:], r); err != nil {
			return err
		}
		if err := t.addSpent(r, 1); err != nil {
			return err
		}
	}
	return nil
}

func (t *btx) UpdateProofs(recs []ledger.ProofRecord) error {
	for _, r := range recs {
		old, err := get[ledger.ProofRecord](t, bProofs, r.Y[:])
		if err != nil {
			return err
		}
		if old != nil {
			if err := t.addSpent(*old, -1); err != nil {
				return err
			}
		}
		if err := t.put(bProofs, r.Y[:], r); err != nil {
			return err
		}
		if err := t.addSpent(r, 1); err != nil {
			return err
		}
	}
	return nil
}

func (t *btx) DeleteProofs(ys []ledger.Point) error {
	for _, y := range ys {
		old, err := get[ledger.ProofRecord](t, bProofs, y[:])
		if err != nil || old == nil {
			return err
		}
		t.wrote = true
		if err := t.addSpent(*old, -1); err != nil {
			return err
		}
		if err := t.b(bProofs).Delete(y[:]); err != nil {
			return err
		}
	}
	return nil
}

func (t *btx) addSpent(r ledger.ProofRecord, sign int) error {
	if r.State != ledger.Spent {
		return nil
	}
	return t.addTotals(r.Keyset, 0, int64(sign)*int64(r.Amount))
}

func (t *btx) addTotals(id ledger.KeysetID, issued, spent int64) error {
	tot := t.totals(id)
	tot.Issued = uint64(int64(tot.Issued) + issued)
	tot.Spent = uint64(int64(tot.Spent) + spent)
	var v [16]byte
	binary.BigEndian.PutUint64(v[:8], tot.Issued)
	binary.BigEndian.PutUint64(v[8:], tot.Spent)
	t.wrote = true
	return t.b(bTotals).Put([]byte(id), v[:])
}

func (t *btx) totals(id ledger.KeysetID) ledger.KeysetTotals {
	v := t.b(bTotals).Get([]byte(id))
	if len(v) != 16 {
		return ledger.KeysetTotals{}
	}
	return ledger.KeysetTotals{Issued: binary.BigEndian.Uint64(v[:8]), Spent: binary.BigEndian.Uint64(v[8:])}
}

func (t *btx) Signatures(bs []ledger.Point) ([]*ledger.BlindSignature, error) {
	out := make([]*ledger.BlindSignature, len(bs))
	for i, b := range bs {
		s, err := get[ledger.BlindSignature](t, bSigs, b[:])
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func (t *btx) InsertSignatures(outs []ledger.SignedOutput) error {
	b := t.b(bSigs)
	for _, o := range outs {
		if b.Get(o.B[:]) != nil {
			return ledger.ErrOutputsSigned
		}
	}
	for _, o := range outs {
		if err := t.put(bSigs, o.B[:], o.Sig); err != nil {
			return err
		}
		if err := t.addTotals(o.Sig.ID, int64(o.Sig.Amount), 0); err != nil {
			return err
		}
	}
	return nil
}

func (t *btx) Quote(id string) (*ledger.Quote, error) {
	q, err := get[quoteRec](t, bQuotes, []byte(id))
	if q == nil || err != nil {
		return nil, err
	}
	out := q.Quote
	out.PaidBy = q.PaidBy
	return &out, nil
}

// quoteRec stores the fields ledger.Quote hides from JSON.
type quoteRec struct {
	ledger.Quote
	PaidBy string `json:"paid_by"`
}

func (t *btx) PutQuote(q ledger.Quote) error {
	return t.put(bQuotes, []byte(q.ID), quoteRec{q, q.PaidBy})
}

// ExpiredQuotes scans the quotes bucket (pruning is periodic, not on the
// request path).
func (t *btx) ExpiredQuotes(before int64, limit int) ([]string, error) {
	var out []string
	c := t.b(bQuotes).Cursor()
	for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
		var q ledger.Quote
		if err := json.Unmarshal(v, &q); err != nil {
			return nil, err
		}
		if q.State == ledger.QuoteUnpaid && q.Expiry < before {
			out = append(out, string(k))
		}
	}
	return out, nil
}

func (t *btx) DeleteQuote(id string) error {
	t.wrote = true
	return t.b(bQuotes).Delete([]byte(id))
}

func (t *btx) Escrow(id string) (*ledger.Escrow, error) {
	return get[ledger.Escrow](t, bEscrows, []byte(id))
}

func (t *btx) PutEscrow(e ledger.Escrow) error { return t.put(bEscrows, []byte(e.ID), e) }

// RollUp walks the proofs and signatures buckets (neither is indexed by
// keyset; roll-ups are rare and batched).
func (t *btx) RollUp(id ledger.KeysetID, limit int) (int, error) {
	var doomed [2][][]byte
	for i, bucket := range [][]byte{bProofs, bSigs} {
		err := t.b(bucket).ForEach(func(k, v []byte) error {
			if len(doomed[0])+len(doomed[1]) == limit {
				return nil
			}
			var rec struct {
				Keyset ledger.KeysetID // ProofRecord
				ID     ledger.KeysetID `json:"id"` // BlindSignature
			}
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			if rec.Keyset == id || rec.ID == id {
				doomed[i] = append(doomed[i], bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	for i, bucket := range [][]byte{bProofs, bSigs} {
		for _, k := range doomed[i] {
			t.wrote = true
			if err := t.b(bucket).Delete(k); err != nil {
				return 0, err
			}
		}
	}
	return len(doomed[0]) + len(doomed[1]), nil
}

func (t *btx) Totals() (map[ledger.KeysetID]ledger.KeysetTotals, error) {
	out := map[ledger.KeysetID]ledger.KeysetTotals{}
	err := t.b(bTotals).ForEach(func(k, _ []byte) error {
		out[ledger.KeysetID(k)] = t.totals(ledger.KeysetID(k))
		return nil
	})
	return out, err
}

func dayKey(day int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(day)) }

func (t *btx) Minted(day int64) (uint64, error) {
	v := t.b(bMinted).Get(dayKey(day))
	if len(v) != 8 {
		return 0, nil
	}
	return binary.BigEndian.Uint64(v), nil
}

func (t *btx) AddMinted(day int64, amount uint64) error {
	n, _ := t.Minted(day)
	t.wrote = true
	return t.b(bMinted).Put(dayKey(day), binary.BigEndian.AppendUint64(nil, n+amount))
}
