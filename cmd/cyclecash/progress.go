package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// progress shows a long command's steps on stderr: on a terminal one live
// line with a bar, rewritten in place; otherwise (a pipe, a file, a test)
// one plain line per step, which logs and CI read.
type progress struct {
	mu   sync.Mutex
	w    io.Writer
	live bool
	open bool // a live line is on screen
}

func newProgress(w io.Writer) *progress { return &progress{w: w, live: isTerminal(w)} }

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

const barWidth = 24

// step shows done of total steps and what happens now.
func (p *progress) step(done, total int, line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.live {
		fmt.Fprintf(p.w, "demo: [%d/%d] %s\n", done, total, line)
		return
	}
	fmt.Fprintf(p.w, "\r\033[K%s %s", bar(done, total), clip(line, 72))
	p.open = true
}

// end leaves the live line on screen and ends it.
func (p *progress) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}

// bar is "[█████░░░░░] 5/12".
func bar(done, total int) string {
	if total <= 0 {
		total = 1
	}
	done = min(max(done, 0), total)
	n := done * barWidth / total
	return fmt.Sprintf("[%s%s] %d/%d", strings.Repeat("█", n), strings.Repeat("░", barWidth-n), done, total)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
