package wallet

import (
	"context"

	"cyclecash/ledger"
)

// Restore (NUT-13 with NUT-09): DefaultBatch outputs are re-derived per
// request, and a keyset is done after DefaultGap answers in a row with
// nothing in them.
const (
	DefaultBatch = 100
	DefaultGap   = 3
)

// Restore rebuilds the wallet's proofs from its seed: for every keyset the
// gateway still accepts, it re-derives outputs counter by counter, asks the
// gateway for the signatures it made on them, keeps the unspent proofs and
// moves each counter past the last one used. It returns the balance found.
func (w *Wallet) Restore(ctx context.Context) (uint64, error) {
	return w.RestoreWith(ctx, DefaultBatch, DefaultGap)
}

// RestoreWith is Restore with a chosen batch size and gap (the number of
// empty batches that ends a keyset).
func (w *Wallet) RestoreWith(ctx context.Context, batch, gap int) (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var list struct {
		Keysets []struct {
			ID   ledger.KeysetID `json:"id"`
			Unit string          `json:"unit"`
		} `json:"keysets"`
	}
	if err := w.do(ctx, "GET", "/v1/keysets", nil, &list); err != nil {
		return 0, err
	}
	have := map[ledger.Point]bool{}
	for _, p := range w.st.Proofs {
		have[p.C] = true
	}
	var found uint64
	for _, k := range list.Keysets {
		if k.Unit != ledger.Unit {
			continue
		}
		ps, err := w.restoreKeyset(ctx, k.ID, uint64(batch), gap)
		if err != nil {
			return found, err
		}
		for _, p := range ps {
			if !have[p.C] {
				w.st.Proofs = append(w.st.Proofs, p)
				found += p.Amount
			}
		}
	}
	return found, w.save()
}

func (w *Wallet) restoreKeyset(ctx context.Context, id ledger.KeysetID, batch uint64, gap int) ([]ledger.Proof, error) {
	ks, err := w.keyset(ctx, id)
	if err != nil {
		return nil, err
	}
	var proofs []ledger.Proof
	next, empty := uint64(0), 0
	for counter := uint64(0); empty < gap; counter += batch {
		got, last, err := w.restoreBatch(ctx, ks, counter, batch)
		if err != nil {
			return nil, err
		}
		if len(got) == 0 {
			empty++
			continue
		}
		empty, next = 0, last+1
		proofs = append(proofs, got...)
	}
	if next > w.st.Counters[id] {
		w.st.Counters[id] = next
	}
	return w.unspent(ctx, proofs)
}

// restoreBatch asks for the signatures on counters [from, from+n).
func (w *Wallet) restoreBatch(ctx context.Context, ks *keysetKeys, from, n uint64) ([]ledger.Proof, uint64, error) {
	pre := make([]premint, n)
	byB := map[ledger.Point]int{}
	for i := range pre {
		p, err := w.deriveAt(ks.ID, from+uint64(i), 1) // the gateway looks outputs up by B_ only
		if err != nil {
			return nil, 0, err
		}
		pre[i], byB[p.msg.B] = p, i
	}
	var ans ledger.RestoreResponse
	if err := w.do(ctx, "POST", "/v1/restore", map[string]any{"outputs": messages(pre)}, &ans); err != nil {
		return nil, 0, err
	}
	var out []ledger.Proof
	var last uint64
	for i, o := range ans.Outputs {
		j, ok := byB[o.B]
		if !ok || i >= len(ans.Signatures) {
			continue
		}
		p := pre[j]
		p.msg.Amount = ans.Signatures[i].Amount
		proof, err := unblindOne(ks, p, ans.Signatures[i])
		if err != nil {
			return nil, 0, err
		}
		out = append(out, proof)
		last = max(last, from+uint64(j))
	}
	return out, last, nil
}

// unspent keeps the proofs the gateway reports UNSPENT.
func (w *Wallet) unspent(ctx context.Context, ps []ledger.Proof) ([]ledger.Proof, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	ys := make([]ledger.Point, len(ps))
	for i, p := range ps {
		y, err := p.Y()
		if err != nil {
			return nil, err
		}
		ys[i] = y
	}
	states, err := w.checkState(ctx, ys)
	if err != nil {
		return nil, err
	}
	var out []ledger.Proof
	for i, s := range states {
		if s.State == ledger.Unspent {
			out = append(out, ps[i])
		}
	}
	return out, nil
}
