// Package procstat reads process statistics from /proc for benchmarks and
// the dashboard. It only reads; on systems without /proc it returns an
// error rather than a made-up figure.
package procstat

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// RSSMiB returns the resident set size of process pid in MiB.
func RSSMiB(pid int) (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("procstat: %w", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			kb, err := strconv.Atoi(f[0])
			if err != nil {
				return 0, fmt.Errorf("procstat: VmRSS: %w", err)
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, fmt.Errorf("procstat: no VmRSS for process %d", pid)
}
