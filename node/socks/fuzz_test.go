package socks

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

// FuzzReadRequest: whatever parses re-encodes to exactly the bytes read,
// and the parser never reads past one request.
func FuzzReadRequest(f *testing.F) {
	f.Add(Request{Cmd: CmdConnect, Atyp: AtypDomain, Name: testName, Port: 80}.Append(nil))
	f.Add(Request{Cmd: CmdBind, Atyp: AtypIPv4, IP: netip.MustParseAddr("10.0.0.1"), Port: 1}.Append(nil))
	f.Add(Request{Cmd: CmdUDPAssociate, Atyp: AtypIPv6, IP: netip.MustParseAddr("::1"), Port: 65535}.Append(nil))
	f.Add([]byte{5, 1, 0, 9, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		req, err := ReadRequest(r)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrAddrType) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		used := len(b) - r.Len()
		if got := req.Append(nil); !bytes.Equal(got, b[:used]) {
			t.Fatalf("round trip %x != %x", got, b[:used])
		}
	})
}
