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

	"cyclecash/node/service"
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
func (c fakeCircuit) Discard(context.Context) (net.Conn, error) {
	a, b := net.Pipe()
	go ServeDiscard(b)
	return a, nil
}
func (c fakeCircuit) Destination() string      { return c.to }
func (c fakeCircuit) Hops() int                { return c.hops }
func (c fakeCircuit) BuildTime() time.Duration { return time.Millisecond }
func (c fakeCircuit) Close() error             { return nil }

// TestProbeBounds: a probe is a diagnostic: count, size and hops are
// bounded and a bad target is refused before any circuit is built, each
// refusal under its sentinel and, on the control API, its code (they used
// to go out with code 0); a circuit that fails is reported, not fatal;
// results carry what was asked.
func TestProbeBounds(t *testing.T) {
	t.Parallel()
	var n servicetest.Net
	h := n.NewHost("me", "relay", t.TempDir())
	f := &fakeCircuits{}
	p := New(h, f)
	for _, tc := range []struct {
		req  ProbeRequest
		want error
	}{
		{ProbeRequest{To: "x", Count: maxProbeCount + 1}, ErrBounds},
		{ProbeRequest{To: "x", Hops: 8}, ErrBounds},
		{ProbeRequest{To: "x", Size: maxProbeSize + 1}, ErrBounds},
		{ProbeRequest{To: "bad target"}, ErrTarget},
	} {
		if _, err := p.Probe(context.Background(), tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.req, err, tc.want)
		}
		body, _ := json.Marshal(tc.req)
		w := httptest.NewRecorder()
		h.API.ServeHTTP(w, httptest.NewRequest("POST", "/v1/probe", bytes.NewReader(body)))
		if e := service.DecodeError(w.Body.Bytes()); w.Code != 400 || e.Code == 0 || e.Code != CodeOf(tc.want) {
			t.Errorf("%+v on the control API: %d %s, want the code of %v", tc.req, w.Code, w.Body, tc.want)
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
	if e := service.DecodeError(w.Body.Bytes()); w.Code != 400 || e.Detail != "node: probe: malformed request" || e.Code == 0 || e.Code != CodeOf(ErrMalformed) {
		t.Fatalf("unknown field: %d %s", w.Code, w.Body)
	}
}
