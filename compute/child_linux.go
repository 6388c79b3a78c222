package compute

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// childSysProcAttr makes the kernel kill a child whose parent dies, so no
// task outlives the worker that started it.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// Child resource limits, set by the child on itself before it decodes the
// module: the guest's code runs only after. RLIMIT_DATA counts every
// private writable mapping, so it covers everything a guest can make the
// process allocate (linear memory, tables, wazero's stacks and compiled
// code, the Go heap) and the memory cap holds outside the linear memory
// too; RLIMIT_AS is a coarser backstop above the Go runtime's address
// space reservations (1.5 GiB at start). Both are skipped in race builds,
// whose shadow memory no limit admits.
const (
	childData         = 512 << 20 // bytes beyond the linear memory cap
	childAddressSpace = 4 << 30   // bytes beyond the linear memory cap
	childOpenFiles    = 32
)

// limitChild applies the limits for a task with the given memory cap (in
// pages) and deadline.
func limitChild(pages uint32, timeout time.Duration) error {
	lin := uint64(pages) << 16
	limits := []struct {
		res int
		max uint64
	}{{syscall.RLIMIT_CPU, 2*uint64(timeout/time.Second) + 2}, {syscall.RLIMIT_NOFILE, childOpenFiles}}
	if !raceEnabled {
		limits = append(limits, struct {
			res int
			max uint64
		}{syscall.RLIMIT_DATA, lin + childData}, struct {
			res int
			max uint64
		}{syscall.RLIMIT_AS, lin + childAddressSpace})
	}
	for _, l := range limits {
		if err := syscall.Setrlimit(l.res, &syscall.Rlimit{Cur: l.max, Max: l.max}); err != nil {
			return err
		}
	}
	return nil
}

// peakRSS returns the child's maximum resident set size in bytes, as
// wait4 reports it. Linux folds into it the high-water mark of the address
// space the child had before exec, which after Go's vfork-style spawn is
// the parent's: a child of a large worker reads as large. The child's own
// figure (selfPeakRSS) is used when it answered.

func peakRSS(usage any) int64 {
	if ru, ok := usage.(*syscall.Rusage); ok {
		return ru.Maxrss << 10
	}
	return 0
}

// selfPeakRSS is this process's peak resident set in bytes since its exec
// (VmHWM, which counts this address space only), or 0 if unknown.
func selfPeakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
