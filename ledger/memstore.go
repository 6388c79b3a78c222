package ledger

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"sync"
)

// MemStore is an in-memory Store for tests: one mutex serializes every
// transaction, and a failed Update leaves no trace (writes are buffered in
// a copy and swapped in on success).
type MemStore struct {
	mu sync.Mutex
	st memState
}

var _ Store = (*MemStore)(nil)

type memState struct {
	responses map[[32]byte]memResponse
	proofs    map[Point]ProofRecord
	sigs      map[Point]BlindSignature
	quotes    map[string]Quote
	escrows   map[string]Escrow
	totals    map[KeysetID]KeysetTotals
	minted    map[int64]uint64
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{st: memState{
		responses: map[[32]byte]memResponse{}, proofs: map[Point]ProofRecord{},
		sigs: map[Point]BlindSignature{}, quotes: map[string]Quote{},
		escrows: map[string]Escrow{}, totals: map[KeysetID]KeysetTotals{},
		minted: map[int64]uint64{},
	}}
}

func (s memState) clone() memState {
	return memState{maps.Clone(s.responses), maps.Clone(s.proofs), maps.Clone(s.sigs),
		maps.Clone(s.quotes), maps.Clone(s.escrows), maps.Clone(s.totals), maps.Clone(s.minted)}
}

// Update runs fn on a copy and keeps it if fn succeeds.
func (m *MemStore) Update(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := &memTx{st: m.st.clone()}
	if err := fn(tx); err != nil {
		return err
	}
	m.st = tx.st
	return nil
}

// View runs fn on the current state.
func (m *MemStore) View(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return fn(&memTx{st: m.st, readOnly: true})
}

// Close does nothing.
func (m *MemStore) Close() error { return nil }

type memTx struct {
	st       memState
	readOnly bool
}

type memResponse struct {
	body []byte
	at   int64
}

func (t *memTx) Response(key [32]byte) ([]byte, error) { return t.st.responses[key].body, nil }

func (t *memTx) PutResponse(key [32]byte, resp []byte, at int64) error {
	t.st.responses[key] = memResponse{bytes.Clone(resp), at}
	return nil
}

func (t *memTx) PruneResponses(before int64, limit int) (int, error) {
	n := 0
	for k, r := range t.st.responses {
		if n == limit {
			break
		}
		if r.at < before {
			delete(t.st.responses, k)
			n++
		}
	}
	return n, nil
}

func (t *memTx) Proofs(ys []Point) ([]ProofRecord, error) {
	out := make([]ProofRecord, len(ys))
	for i, y := range ys {
		rec, ok := t.st.proofs[y]
		if !ok {
			rec = ProofRecord{Y: y, State: Unspent}
		}
		out[i] = rec
	}
	return out, nil
}

func (t *memTx) InsertProofs(recs []ProofRecord) error {
	for _, r := range recs {
		if old, ok := t.st.proofs[r.Y]; ok {
			return StateError(old.State)
		}
	}
	for _, r := range recs {
		t.st.proofs[r.Y] = r
		t.addSpent(r, +1)
	}
	return nil
}

func (t *memTx) UpdateProofs(recs []ProofRecord) error {
	for _, r := range recs {
		t.addSpent(t.st.proofs[r.Y], -1)
		t.st.proofs[r.Y] = r
		t.addSpent(r, +1)
	}
	return nil
}

func (t *memTx) DeleteProofs(ys []Point) error {
	for _, y := range ys {
		t.addSpent(t.st.proofs[y], -1)
		delete(t.st.proofs, y)
	}
	return nil
}

func (t *memTx) addSpent(r ProofRecord, sign int) {
	if r.State != Spent {
		return
	}
	tot := t.st.totals[r.Keyset]
	if sign > 0 {
		tot.Spent += r.Amount
	} else {
		tot.Spent -= r.Amount
	}
	t.st.totals[r.Keyset] = tot
}

func (t *memTx) Signatures(bs []Point) ([]*BlindSignature, error) {
	out := make([]*BlindSignature, len(bs))
	for i, b := range bs {
		if s, ok := t.st.sigs[b]; ok {
			out[i] = &s
		}
	}
	return out, nil
}

func (t *memTx) InsertSignatures(outs []SignedOutput) error {
	for _, o := range outs {
		if _, ok := t.st.sigs[o.B]; ok {
			return ErrOutputsSigned
		}
	}
	for _, o := range outs {
		t.st.sigs[o.B] = o.Sig
		tot := t.st.totals[o.Sig.ID]
		tot.Issued += o.Sig.Amount
		t.st.totals[o.Sig.ID] = tot
	}
	return nil
}

func (t *memTx) Quote(id string) (*Quote, error) {
	if q, ok := t.st.quotes[id]; ok {
		return &q, nil
	}
	return nil, nil
}

func (t *memTx) PutQuote(q Quote) error { t.st.quotes[q.ID] = q; return nil }

func (t *memTx) ExpiredQuotes(before int64, limit int) ([]string, error) {
	var out []string
	for id, q := range t.st.quotes {
		if len(out) == limit {
			break
		}
		if q.State == QuoteUnpaid && q.Expiry < before {
			out = append(out, id)
		}
	}
	return out, nil
}

func (t *memTx) DeleteQuote(id string) error { delete(t.st.quotes, id); return nil }

// Sizes returns the number of records the store holds per kind, so tests
// can check that it stays bounded.
func (m *MemStore) Sizes() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return map[string]int{"responses": len(m.st.responses), "proofs": len(m.st.proofs),
		"signatures": len(m.st.sigs), "quotes": len(m.st.quotes), "escrows": len(m.st.escrows),
		"totals": len(m.st.totals), "minted": len(m.st.minted)}
}

func (t *memTx) Escrow(id string) (*Escrow, error) {
	if e, ok := t.st.escrows[id]; ok {
		e.Ys = slices.Clone(e.Ys)
		return &e, nil
	}
	return nil, nil
}

func (t *memTx) PutEscrow(e Escrow) error {
	e.Ys = slices.Clone(e.Ys)
	t.st.escrows[e.ID] = e
	return nil
}

func (t *memTx) RollUp(id KeysetID, limit int) (int, error) {
	n := 0
	for y, r := range t.st.proofs {
		if n == limit {
			return n, nil
		}
		if r.Keyset == id {
			delete(t.st.proofs, y)
			n++
		}
	}
	for b, s := range t.st.sigs {
		if n == limit {
			break
		}
		if s.ID == id {
			delete(t.st.sigs, b)
			n++
		}
	}
	return n, nil
}

func (t *memTx) Totals() (map[KeysetID]KeysetTotals, error) { return maps.Clone(t.st.totals), nil }

func (t *memTx) Minted(day int64) (uint64, error) { return t.st.minted[day], nil }

func (t *memTx) AddMinted(day int64, amount uint64) error {
	t.st.minted[day] += amount
	return nil
}

// StateError is the error for inserting a proof already in state s.
func StateError(s State) error {
	if s == Pending {
		return ErrPending
	}
	return ErrAlreadySpent
}
