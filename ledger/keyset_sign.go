package ledger

import "io"

// SignOutput blind-signs one output with its DLEQ proof (NUT-00, NUT-12).
func (ks *Keyset) SignOutput(rand io.Reader, m BlindedMessage) (BlindSignature, error) {
	i, err := AmountIndex(m.Amount)
	if err != nil {
		return BlindSignature{}, err
	}
	b, err := m.B.Key()
	if err != nil {
		return BlindSignature{}, err
	}
	c := Sign(&ks.priv[i], b)
	d, err := ProveDLEQ(rand, &ks.priv[i], ks.pub[i], b, c)
	if err != nil {
		return BlindSignature{}, err
	}
	return BlindSignature{Amount: m.Amount, ID: ks.ID, C: PointOf(c), DLEQ: &d}, nil
}
