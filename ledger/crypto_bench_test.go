package ledger

import (
	"crypto/rand"
	"testing"
)

func BenchmarkHashToCurve(b *testing.B) {
	for b.Loop() {
		HashToCurve([]byte("secret"))
	}
}

func BenchmarkSignWithDLEQ(b *testing.B) {
	ks, _ := DeriveKeyset(make([]byte, 32), 1)
	y, _ := HashToCurve([]byte("x"))
	m := BlindedMessage{Amount: 1, ID: ks.ID, B: PointOf(y)}
	for b.Loop() {
		ks.SignOutput(rand.Reader, m)
	}
}
