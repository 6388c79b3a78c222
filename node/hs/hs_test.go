package hs

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"cyclecash/onion/hs"
)

// pipeCirc is one end of two joined circuits in memory; it records the
// most E2E cells ever queued unread at it.
type pipeCirc struct {
	in, out chan []byte
	done    chan struct{}
	once    *sync.Once
	mu      sync.Mutex
	maxLen  int
	hold    *sync.Mutex // held: the reader is stalled (its process is busy)
}

func pipePair() (*pipeCirc, *pipeCirc) {
	a2b, b2a := make(chan []byte, 4096), make(chan []byte, 4096)
	done, once := make(chan struct{}), &sync.Once{}
	return &pipeCirc{in: b2a, out: a2b, done: done, once: once, hold: &sync.Mutex{}},
		&pipeCirc{in: a2b, out: b2a, done: done, once: once, hold: &sync.Mutex{}}
}

func (p *pipeCirc) LastHop() ([]byte, [32]byte) { return []byte("rp"), [32]byte{} }
func (p *pipeCirc) Send(cmd hs.Command, data []byte) error {
	select {
	case <-p.done:
		return ErrStreamClosed
	default:
	}
	p.out <- append([]byte{byte(cmd)}, data...)
	return nil
}
func (p *pipeCirc) Recv(ctx context.Context) (hs.Command, []byte, error) {
	p.hold.Lock()
	//lint:ignore SA2001 a gate: Recv waits while the test holds p.hold
	p.hold.Unlock()
	p.mu.Lock()
	p.maxLen = max(p.maxLen, len(p.in))
	p.mu.Unlock()
	select {
	case m := <-p.in:
		return hs.Command(m[0]), m[1:], nil
	case <-p.done:
		return 0, nil, ErrStreamClosed
	}
}
func (p *pipeCirc) Done() <-chan struct{} { return p.done }
func (p *pipeCirc) Close() error          { p.once.Do(func() { close(p.done) }); return nil }

// e2ePair returns the two ends of a real end-to-end layer.
func e2ePair(t *testing.T) (*hs.E2E, *hs.E2E) {
	t.Helper()
	id, _ := hs.NewIdentityKey(rand.Reader)
	svc, _ := hs.NewService(hs.ServiceConfig{Identity: id, Rand: rand.Reader})
	keys, _ := svc.AddIntroPoint([]byte("relay"))
	pubs, _ := svc.Descriptors(nowForTest())
	d, err := hs.Open(pubs[0].Value, id.Public(), nowForTest(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var cookie hs.Cookie
	ci, _ := hs.NewClientIntro(hs.IntroduceRequest{Service: id.Public(), Intro: keys.Point([]byte("relay")), Period: d.Period,
		Time: nowForTest(), Cookie: cookie, RP: []byte("rp")}, rand.Reader)
	ch, _ := ci.Challenge(d.PoWSeed)
	sol, _ := ch.Solve(d.PoWEffort, rand.Reader, 0)
	msg, _ := ci.Introduce1(sol)
	if err := svc.Introduce2(msg, nowForTest()); err != nil {
		t.Fatal(err)
	}
	in, _ := svc.Next(nowForTest())
	r1, se, err := in.Rendezvous1()
	if err != nil {
		t.Fatal(err)
	}
	ce, err := ci.Rendezvous2(r1[hs.CookieSize:])
	if err != nil {
		t.Fatal(err)
	}
	return ce, se
}

// TestStreamWindow: 2 MiB each way arrive intact, and the reader never
// has more than the window of cells queued unread (the sender waits for
// SENDMEs), so a joined circuit's queues stay bounded.
func TestStreamWindow(t *testing.T) {
	ce, se := e2ePair(t)
	pa, pb := pipePair()
	a, b := sessionPair(t, pa, pb, ce, se)
	data := make([]byte, 2<<20)
	rand.Read(data)
	errs := make(chan error, 2)
	for _, s := range []*stream{a, b} {
		go func() {
			_, err := s.Write(data)
			if err == nil {
				err = s.CloseWrite()
			}
			errs <- err
		}()
	}
	for _, s := range []*stream{b, a} {
		got, err := io.ReadAll(s)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*pipeCirc{pa, pb} {
		p.mu.Lock()
		n := p.maxLen
		p.mu.Unlock()
		if n > windowCells+2 {
			t.Fatalf("%d cells queued unread, window %d", n, windowCells)
		}
	}
}

// TestStreamTampered: a cell the rendezvous point altered breaks the
// stream with an error instead of delivering altered bytes.
func TestStreamTampered(t *testing.T) {
	ce, se := e2ePair(t)
	pa, pb := pipePair()
	sb := newSession(pb, se, time.Hour, nil)
	sb.mu.Lock()
	b := sb.addLocked(1)
	sb.mu.Unlock()
	go sb.run()
	cell, _ := ce.Seal(hs.InnerMsg{Cmd: innerData, StreamID: 1, Data: []byte("pay 5 units")})
	cell[3] ^= 1
	pa.out <- append([]byte{byte(hs.CmdE2E)}, cell...)
	if _, err := b.Read(make([]byte, 64)); !errors.Is(err, hs.ErrE2E) {
		t.Fatalf("read after tampering: %v, want hs.ErrE2E", err)
	}
}

// TestPortMap: only loopback IP literals and absolute unix socket paths
// are targets.
func TestPortMap(t *testing.T) {
	long := "80 unix:/" + strings.Repeat("s", maxUnixPath)
	for _, bad := range []string{"80 example.com:80", "80 10.0.0.1:80", "80 0.0.0.0:80", "x 127.0.0.1:80", "80", "0 127.0.0.1:1", "80 127.0.0.1:0",
		"80 unix:", "80 unix:site.sock", "80 unix:../site.sock", long} {
		if _, err := (ServiceConfig{Name: "w", Ports: []string{bad}}).PortMap(); !errors.Is(err, ErrConfig) {
			t.Errorf("%q: %v, want ErrConfig", bad, err)
		}
	}
	m, err := ServiceConfig{Name: "w", Ports: []string{"80 127.0.0.1:8080", "443 [::1]:8443", "7 unix:/run/w.sock"}}.PortMap()
	if err != nil || m[80] != "127.0.0.1:8080" || m[443] != "[::1]:8443" || m[7] != "unix:/run/w.sock" {
		t.Fatalf("%v %v", m, err)
	}
	if n, a := targetNetwork(m[7]); n != "unix" || a != "/run/w.sock" {
		t.Fatalf("unix target dials %s %s", n, a)
	}
	if _, err := (ServiceConfig{Name: "../x", Ports: []string{"80 127.0.0.1:1"}}).PortMap(); !errors.Is(err, ErrConfig) {
		t.Fatal("a name with a path accepted")
	}
}

func nowForTest() time.Time { return time.Unix(1_800_000_000, 0) }
