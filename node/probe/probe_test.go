package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cyclecash/node/service/servicetest"
)

// fakeCircuits builds echo "circuits" over net.Pipe; the destination named
// "down" fails to build.
type fakeCircuits struct{ built int }

func (f *fakeCircuits) Check(to string) error {
	if to == "" || strings.Contains(to, " ") {
		return errors.New("node: target: bad")
	}
	return nil
}
func (f *fakeCircuits) MaxHops() int     { return 7 }
func (f *fakeCircuits) DefaultHops() int { return 3 }

func (f *fakeCircuits) Build(_ context.Context, to string, hops int) (Circuit, error) {
	if to == "down" {
		return nil, errors.New("node: no circuit")
	}
	f.built++
	return fakeCircuit{to: to, hops: hops + 1}, nil
}

type fakeCircuit struct {
	to   string
	hops int
}

func (c fakeCircuit) Echo(context.Context) (net.Conn, error) {
	a, b := net.Pipe()
	go func() { defer b.Close(); io.Copy(b, b) }()
	return a, nil
}
func (c fakeCircuit) Destination() string      { return c.to }
func (c fakeCircuit) Hops() int                { return c.hops }
func (c fakeCircuit) BuildTime() time.Duration { return time.Millisecond }
func (c fakeCircuit) Close() error             { return nil }

// TestProbeBounds: a probe is a diagnostic: count, size and hops are
// bounded and a bad target is refused before any circuit is built; a
// circuit that fails is reported, not fatal; results carry what was asked.
func TestProbeBounds(t *testing.T) {
	t.Parallel()
	var n servicetest.Net
	h := n.NewHost("me", "relay", t.TempDir())
	f := &fakeCircuits{}
	p := New(h, f)
	for _, req := range []ProbeRequest{{To: "x", Count: maxProbeCount + 1}, {To: "x", Hops: 8}, {To: "x", Size: maxProbeSize + 1}, {To: "bad target"}} {
		if _, err := p.Probe(context.Background(), req); err == nil {
			t.Errorf("%+v accepted", req)
		}
	}
	if f.built != 0 {
		t.Fatalf("refused probes built %d circuits", f.built)
	}
	res, err := p.Probe(context.Background(), ProbeRequest{To: "gw", Hops: 2, Count: 2, Size: 4096})
	if err != nil || len(res) != 2 || res[1].Circuit != 2 || res[0].Hops != 3 || res[0].Bytes != 4096 || res[0].Error != "" || res[0].Destination != "gw" {
		t.Fatalf("probe: %+v %v", res, err)
	}
	down, err := p.Probe(context.Background(), ProbeRequest{To: "down"})
	if err != nil || len(down) != 1 || down[0].Error == "" || down[0].Hops != 4 {
		t.Fatalf("failed build: %+v %v", down, err)
	}
	w := httptest.NewRecorder()
	h.API.ServeHTTP(w, httptest.NewRequest("POST", "/v1/probe", bytes.NewReader([]byte(`{"to":"gw","evil":1}`))))
	var body struct{ Detail string }
	if json.Unmarshal(w.Body.Bytes(), &body); w.Code != 400 || body.Detail != "node: probe: malformed request" {
		t.Fatalf("unknown field: %d %s", w.Code, w.Body)
	}
}
