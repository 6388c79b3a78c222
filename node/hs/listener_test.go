package hs

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// localPair joins two sessions whose service side hands every stream to
// an in-process Listener, as a "role:" port does.
func localPair(t *testing.T) (*session, *Listener) {
	t.Helper()
	ce, se := e2ePair(t)
	pa, pb := pipePair()
	ln := newListener("x.mesh:80")
	t.Cleanup(func() { ln.Close() })
	h := &Hosted{log: slog.New(slog.DiscardHandler)}
	var once sync.Once
	cli := newSession(pa, ce, time.Hour, nil)
	svc := newSession(pb, se, time.Hour, func(st *stream, port uint16) { h.acceptLocal(ln, st, &once) })
	go cli.run()
	go svc.run()
	return cli, ln
}

// TestListenerServesHTTP: an http.Server on an in-process Listener answers
// a request over a rendezvous stream; its conn shows no peer address.
func TestListenerServesHTTP(t *testing.T) {
	cli, ln := localPair(t)
	remote := make(chan string, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		remote <- r.RemoteAddr
		io.WriteString(w, "served in process")
	})}
	go srv.Serve(ln)
	defer srv.Close()
	st, err := openStream(t.Context(), cli, 80)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(st, "GET / HTTP/1.1\r\nHost: x.mesh\r\nConnection: close\r\n\r\n")
	b, _ := io.ReadAll(st)
	if !strings.HasSuffix(string(b), "served in process") {
		t.Fatalf("reply %q", b)
	}
	if r := <-remote; r != "mesh" {
		t.Fatalf("RemoteAddr %q", r)
	}
}

// TestListenerSlowClient: a client that sends half a request header and
// stalls (slowloris) is cut off by the server's ReadHeaderTimeout, which
// needs the stream's read deadline; without it the stream stays open.
func TestListenerSlowClient(t *testing.T) {
	cli, ln := localPair(t)
	srv := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: 100 * time.Millisecond}
	go srv.Serve(ln)
	defer srv.Close()
	st, err := openStream(t.Context(), cli, 80)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(st, "GET / HTTP/1.1\r\nHost: x")
	got := make(chan error, 1)
	go func() { _, err := io.ReadAll(st); got <- err }()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("a stalled request header kept its stream open past ReadHeaderTimeout")
	}
}

// TestStreamDeadline: a passed read deadline fails Read with
// os.ErrDeadlineExceeded; a later one lets the data through.
func TestStreamDeadline(t *testing.T) {
	cli, ln := localPair(t)
	st, err := openStream(t.Context(), cli, 80)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	svc.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	read := make(chan error, 1)
	go func() { _, err := svc.Read(make([]byte, 1)); read <- err }()
	select {
	case err := <-read:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read past the deadline: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read blocks past its deadline")
	}
	svc.SetReadDeadline(time.Time{})
	st.Write([]byte("late"))
	b := make([]byte, 4)
	if _, err := io.ReadFull(svc, b); err != nil || string(b) != "late" {
		t.Fatalf("read after clearing the deadline: %q %v", b, err)
	}
}
