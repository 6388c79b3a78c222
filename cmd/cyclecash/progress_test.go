package main

import (
	"strings"
	"testing"
)

// TestProgressLive: on a terminal the steps rewrite one line with a bar;
// otherwise each is one plain line.
func TestProgressLive(t *testing.T) {
	var b strings.Builder
	p := &progress{w: &b, live: true}
	p.step(3, 12, "gathering")
	p.step(12, 12, strings.Repeat("x", 100))
	p.end()
	out := b.String()
	if strings.Count(out, "\r\033[K") != 2 || strings.Count(out, "\n") != 1 {
		t.Fatalf("live output %q: want two rewrites of one line", out)
	}
	if !strings.Contains(out, "[██████░░░░░░░░░░░░░░░░░░] 3/12 gathering") || !strings.Contains(out, "] 12/12 "+strings.Repeat("x", 71)+"…") {
		t.Fatalf("live output %q", out)
	}
	b.Reset()
	p = newProgress(&b) // a strings.Builder is no terminal
	p.step(1, 12, "starting")
	p.end()
	if b.String() != "demo: [1/12] starting\n" {
		t.Fatalf("plain output %q", b.String())
	}
	if bar(20, 12) != bar(12, 12) || bar(-1, 12) != bar(0, 12) {
		t.Fatal("bar does not clamp")
	}
}
