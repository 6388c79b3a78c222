// Command fold minimises the energy of a protein in the 2D HP lattice model:
// a chain of hydrophobic (H) and polar (P) residues placed on a square grid
// as a self-avoiding walk, scoring -1 per pair of H residues that touch
// without being neighbours in the chain. It anneals with single-direction
// moves driven by a fixed-seed generator, so the result is deterministic.
//
// Input (stdin): "SEQUENCE [STEPS]", e.g. "HPHPPHHPHPPHPHHPPHPH 200000".
// Output: the best energy found and the fold as absolute moves (RULD).
package main

import (
	"fmt"
	"math"
	"os"
	"strings"
)

const maxLen = 200

type walk struct {
	seq  string
	dirs []byte // dirs[i] moves residue i to residue i+1: 0 R, 1 U, 2 L, 3 D
	grid []int32
	gen  int32
	side int
}

var dx, dy = [4]int{1, 0, -1, 0}, [4]int{0, 1, 0, -1}

func main() {
	var seq string
	steps := 100000
	fmt.Fscan(os.Stdin, &seq, &steps)
	seq = strings.ToUpper(seq)
	if len(seq) < 2 || len(seq) > maxLen || strings.Trim(seq, "HP") != "" || steps < 0 {
		fmt.Fprintln(os.Stderr, "fold: want \"SEQUENCE [STEPS]\", sequence of 2..200 H/P")
		os.Exit(2)
	}
	w := &walk{seq: seq, dirs: make([]byte, len(seq)-1), side: 2*len(seq) + 3}
	w.grid = make([]int32, w.side*w.side)
	best, fold := anneal(w, steps, seed(seq))
	fmt.Printf("energy %d\nfold %s\n", best, fold)
}

// anneal runs Metropolis steps with a linearly falling temperature and
// returns the lowest energy seen with its fold.
func anneal(w *walk, steps int, rng uint64) (int, string) {
	cur, _ := w.energy()
	best, bestFold := cur, w.String()
	for s := 0; s < steps; s++ {
		temp := 2.0 * (1 - float64(s)/float64(steps+1))
		i, d := int(next(&rng)%uint64(len(w.dirs))), byte(next(&rng)%4)
		old := w.dirs[i]
		w.dirs[i] = d
		e, ok := w.energy()
		accept := ok && (e <= cur || float64(next(&rng)>>11)/(1<<53) < math.Exp(float64(cur-e)/temp))
		if !accept {
			w.dirs[i] = old
			continue
		}
		cur = e
		if cur < best {
			best, bestFold = cur, w.String()
		}
	}
	return best, bestFold
}

// energy lays the chain out and returns its energy, or false if it collides.
func (w *walk) energy() (int, bool) {
	w.gen++
	x, y, e := len(w.seq)+1, len(w.seq)+1, 0
	for i := range len(w.seq) {
		if i > 0 {
			x, y = x+dx[w.dirs[i-1]], y+dy[w.dirs[i-1]]
		}
		cell := y*w.side + x
		if w.grid[cell]>>8 == w.gen {
			return 0, false
		}
		w.grid[cell] = w.gen<<8 | int32(i)&0xff
		if w.seq[i] == 'H' {
			e -= w.contacts(x, y, i)
		}
	}
	return e, true
}

// contacts counts earlier H residues next to (x, y) that are not chain
// neighbours of residue i.
func (w *walk) contacts(x, y, i int) int {
	n := 0
	for d := range 4 {
		c := w.grid[(y+dy[d])*w.side+x+dx[d]]
		j := int(c & 0xff)
		if c>>8 == w.gen && j < i-1 && w.seq[j] == 'H' {
			n++
		}
	}
	return n
}

func (w *walk) String() string {
	b := make([]byte, len(w.dirs))
	for i, d := range w.dirs {
		b[i] = "RULD"[d]
	}
	return string(b)
}

// seed hashes the sequence (FNV-1a) so each input has its own fixed stream.
func seed(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := range len(s) {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// next is splitmix64.
func next(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	z := *s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
