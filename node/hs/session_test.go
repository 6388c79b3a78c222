package hs

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"cyclecash/onion/hs"
)

// sessionPair joins a client session on pa to a service session on pb
// and opens one stream, returning both of its ends.
func sessionPair(t *testing.T, pa, pb *pipeCirc, ce, se *hs.E2E) (*stream, *stream) {
	t.Helper()
	cli, accepted := joinedSessions(pa, pb, ce, se)
	return openPair(t, cli, accepted)
}

func joinedSessions(pa, pb *pipeCirc, ce, se *hs.E2E) (*session, chan *stream) {
	accepted := make(chan *stream, maxSessionStreams+1)
	cli := newSession(pa, ce, time.Hour, nil)
	svc := newSession(pb, se, time.Hour, func(st *stream, port uint16) {
		if port != 80 {
			st.Close() // refused: END before CONNECTED
			return
		}
		st.send(innerConnected, nil)
		accepted <- st
	})
	go cli.run()
	go svc.run()
	return cli, accepted
}

func openPair(t *testing.T, cli *session, accepted chan *stream) (*stream, *stream) {
	t.Helper()
	st, err := openStream(t.Context(), cli, 80)
	if err != nil {
		t.Fatal(err)
	}
	return st, <-accepted
}

// TestSessionSiblings: streams of one session are independent. A refused
// stream, a stream closed mid-way and a stream whose reader stalls with a
// full window all leave a sibling's transfer intact, on the same circuit.
func TestSessionSiblings(t *testing.T) {
	ce, se := e2ePair(t)
	pa, pb := pipePair()
	cli, accepted := joinedSessions(pa, pb, ce, se)
	stalled, stalledSvc := openPair(t, cli, accepted)
	if _, err := openStream(t.Context(), cli, 8080); !errors.Is(err, ErrRefused) {
		t.Fatalf("unmapped port: %v, want ErrRefused", err)
	}
	dying, dyingSvc := openPair(t, cli, accepted)
	dying.Write([]byte("half"))
	dying.Close()
	if b, err := io.ReadAll(dyingSvc); string(b) != "half" || err != nil {
		t.Fatalf("closed stream delivered %q, %v", b, err)
	}
	// The stalled stream's sender fills its window; nobody reads it.
	go stalledSvc.Write(make([]byte, (windowCells+10)*hs.MaxE2EData))

	a, b := openPair(t, cli, accepted)
	data := make([]byte, 1<<20)
	rand.Read(data)
	go func() { b.Write(data); b.CloseWrite() }()
	got, err := io.ReadAll(a)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("sibling read %d bytes, %v", len(got), err)
	}
	if !cli.alive() {
		t.Fatal("the session died with a stream")
	}
	stalled.Close()
}

// TestSessionStreamCap: a session holds at most maxSessionStreams streams;
// one more is refused without harming the others.
func TestSessionStreamCap(t *testing.T) {
	ce, se := e2ePair(t)
	pa, pb := pipePair()
	cli, accepted := joinedSessions(pa, pb, ce, se)
	var open, served []*stream
	for range maxSessionStreams {
		a, b := openPair(t, cli, accepted)
		open, served = append(open, a), append(served, b)
	}
	if _, err := openStream(t.Context(), cli, 80); !errors.Is(err, ErrSessionFull) {
		t.Fatalf("stream %d: %v, want ErrSessionFull", maxSessionStreams+1, err)
	}
	open[0].Close()
	served[0].Close() // the service's proxy, done both ways
	a, b := openPair(t, cli, accepted)
	go b.Write([]byte("ok"))
	buf := make([]byte, 2)
	if _, err := io.ReadFull(a, buf); err != nil || string(buf) != "ok" {
		t.Fatalf("after a close: %q, %v", buf, err)
	}
}

// TestSessionReset: a client that closes its stream while the service
// still sends (a browser leaving a page mid-download) ends the service's
// stream too: its writes fail instead of waiting for a SENDME forever,
// so the proxy lets the target connection go.
func TestSessionReset(t *testing.T) {
	ce, se := e2ePair(t)
	pa, pb := pipePair()
	cli, accepted := joinedSessions(pa, pb, ce, se)
	a, b := openPair(t, cli, accepted)
	if _, err := io.ReadFull(a, make([]byte, 0)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	chunk := make([]byte, hs.MaxE2EData)
	for range 4 * windowCells { // far beyond the window: a stuck writer never returns
		if _, err := b.Write(chunk); err != nil {
			return
		}
	}
	t.Fatal("the service's stream kept accepting writes for a closed client stream")
}

// TestSessionIDWrap: after 65535 streams the ids wrap, skipping 0 and any
// id still open, so a long-lived stream is never overwritten by a new one.
func TestSessionIDWrap(t *testing.T) {
	ce, se := e2ePair(t)
	pa, pb := pipePair()
	cli, accepted := joinedSessions(pa, pb, ce, se)
	old, oldSvc := openPair(t, cli, accepted) // id 1, kept open
	cli.mu.Lock()
	cli.nextID = 0xffff
	cli.mu.Unlock()
	st, err := cli.open() // wraps past 0 and 1
	if err != nil {
		t.Fatal(err)
	}
	if st.id == 0 || st.id == old.id {
		t.Fatalf("new stream took id %d (old stream %d)", st.id, old.id)
	}
	st.Close()
	go oldSvc.Write([]byte("still here"))
	buf := make([]byte, 10)
	if _, err := io.ReadFull(old, buf); err != nil || string(buf) != "still here" {
		t.Fatalf("old stream after the wrap: %q, %v", buf, err)
	}
}

// TestSessionWindow: while the client's session reader is stalled, 4
// streams each with a full stream window to send put at most the session
// window of cells on the circuit (overlay closes a circuit whose inbox of
// 1024 overflows), and everything arrives once the reader runs again.
func TestSessionWindow(t *testing.T) {
	ce, se := e2ePair(t)
	pa, pb := pipePair()
	cli, accepted := joinedSessions(pa, pb, ce, se)
	var cs, ss []*stream
	for range 4 {
		a, b := openPair(t, cli, accepted)
		cs, ss = append(cs, a), append(ss, b)
	}
	svc := ss[0].sess
	pa.hold.Lock() // the client stops taking cells off the circuit
	chunk := make([]byte, hs.MaxE2EData)
	for _, b := range ss {
		go func() {
			for range windowCells {
				if _, err := b.Write(chunk); err != nil {
					return
				}
			}
			b.CloseWrite()
		}()
	}
	for {
		svc.mu.Lock()
		w := svc.window
		svc.mu.Unlock()
		if w == 0 {
			break
		}
		runtime.Gosched()
	}
	const overlayInbox = 1024 // overlay.hsInbox
	if n := len(pa.in); n > overlayInbox-64 {
		t.Fatalf("%d cells queued on the stalled circuit; overlay closes it at %d", n, overlayInbox)
	}
	pa.hold.Unlock()
	for _, a := range cs {
		got, err := io.ReadAll(a)
		if err != nil || len(got) != windowCells*hs.MaxE2EData {
			t.Fatalf("stream read %d bytes, %v", len(got), err)
		}
	}
}
