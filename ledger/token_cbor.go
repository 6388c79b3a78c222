package ledger

import "fmt"

// Mapping of a decoded CBOR tree onto Token. Unknown keys are ignored, as
// NUT-00 allows extensions; missing or mistyped required keys are refused.

var errToken = fmt.Errorf("%w: bad token", ErrMalformed)

func field[T any](m []cborKV, key string, required bool) (T, error) {
	var zero T
	for _, kv := range m {
		if kv.key != key {
			continue
		}
		v, ok := kv.val.(T)
		if !ok {
			return zero, fmt.Errorf("%w: field %q has the wrong type", errToken, key)
		}
		return v, nil
	}
	if required {
		return zero, fmt.Errorf("%w: field %q missing", errToken, key)
	}
	return zero, nil
}

func tokenFromCBOR(v any) (Token, error) {
	m, ok := v.([]cborKV)
	if !ok {
		return Token{}, errToken
	}
	var t Token
	var err error
	if t.Mint, err = field[string](m, "m", true); err != nil {
		return Token{}, err
	}
	if t.Unit, err = field[string](m, "u", true); err != nil {
		return Token{}, err
	}
	if t.Memo, err = field[string](m, "d", false); err != nil {
		return Token{}, err
	}
	groups, err := field[[]any](m, "t", true)
	if err != nil {
		return Token{}, err
	}
	for _, g := range groups {
		if t.Proofs, err = appendGroup(t.Proofs, g); err != nil {
			return Token{}, err
		}
	}
	if len(t.Proofs) == 0 {
		return Token{}, fmt.Errorf("%w: no proofs", errToken)
	}
	return t, nil
}

func appendGroup(out []Proof, g any) ([]Proof, error) {
	m, ok := g.([]cborKV)
	if !ok {
		return nil, errToken
	}
	id, err := field[[]byte](m, "i", true)
	if err != nil || len(id) == 0 {
		return nil, fmt.Errorf("%w: keyset id", errToken)
	}
	ps, err := field[[]any](m, "p", true)
	if err != nil {
		return nil, err
	}
	for _, pv := range ps {
		p, err := proofFromCBOR(pv)
		if err != nil {
			return nil, err
		}
		p.ID = hexID(id)
		out = append(out, p)
	}
	return out, nil
}

func proofFromCBOR(v any) (Proof, error) {
	m, ok := v.([]cborKV)
	if !ok {
		return Proof{}, errToken
	}
	var p Proof
	var err error
	if p.Amount, err = field[uint64](m, "a", true); err != nil {
		return Proof{}, err
	}
	if p.Secret, err = field[string](m, "s", true); err != nil {
		return Proof{}, err
	}
	c, err := field[[]byte](m, "c", true)
	if err != nil || len(c) != len(p.C) {
		return Proof{}, fmt.Errorf("%w: signature C", errToken)
	}
	copy(p.C[:], c)
	if p.Witness, err = field[string](m, "w", false); err != nil {
		return Proof{}, err
	}
	d, err := field[[]cborKV](m, "d", false)
	if err != nil {
		return Proof{}, err
	}
	if d != nil {
		if p.DLEQ, err = dleqFromCBOR(d); err != nil {
			return Proof{}, err
		}
	}
	return p, nil
}

func dleqFromCBOR(m []cborKV) (*DLEQ, error) {
	var d DLEQ
	for _, f := range []struct {
		key string
		dst *Scalar
	}{{"e", &d.E}, {"s", &d.S}} {
		b, err := field[[]byte](m, f.key, true)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("%w: dleq %s", errToken, f.key)
		}
		copy(f.dst[:], b)
	}
	r, err := field[[]byte](m, "r", false)
	if err != nil || (r != nil && len(r) != 32) {
		return nil, fmt.Errorf("%w: dleq r", errToken)
	}
	if r != nil {
		d.R = new(Scalar)
		copy(d.R[:], r)
	}
	return &d, nil
}
