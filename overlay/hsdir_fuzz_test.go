package overlay

import (
	"bytes"
	"encoding/binary"
	"testing"

	"cyclecash/onion/hs"
)

// FuzzHSDirRequest: whatever a circuit sends the directory front, the
// parser either refuses it or returns a request that encodes back to the
// bytes it consumed, within the descriptor size bound.
func FuzzHSDirRequest(f *testing.F) {
	var idx hs.Index
	idx[0] = 1
	f.Add(append(append([]byte{hsdirGet}, idx[:]...), 0, 0))
	f.Add(append(append(append([]byte{hsdirPut}, idx[:]...), 0, 3), 'a', 'b', 'c'))
	f.Add([]byte{hsdirPut, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		op, gotIdx, v, err := readHSDirRequest(bytes.NewReader(b))
		if err != nil {
			return
		}
		if len(v) > hs.MaxDescriptorSize || (op == hsdirGet && len(v) != 0) {
			t.Fatalf("op %d with %d bytes accepted", op, len(v))
		}
		enc := append(append([]byte{op}, gotIdx[:]...), binary.BigEndian.AppendUint16(nil, uint16(len(v)))...)
		enc = append(enc, v...)
		if !bytes.HasPrefix(b, enc) {
			t.Fatal("parsed request does not re-encode to its input")
		}
	})
}
