package onion

import (
	"runtime"
	"testing"
)

// cpuPerOp pins the benchmark to its OS thread and returns a function to
// call after the loop: it reports the thread's CPU time per iteration as
// "cpu-ns/op", the figure to compare on a machine shared with other work
// (ns/op there counts the time other processes held the core).
func cpuPerOp(b *testing.B) func() {
	runtime.LockOSThread()
	start, ok := threadCPU()
	return func() {
		end, ok2 := threadCPU()
		runtime.UnlockOSThread()
		if ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
