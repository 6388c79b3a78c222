//go:build !linux

package compute

import (
	"syscall"
	"time"
)

func childSysProcAttr() *syscall.SysProcAttr { return nil }

// limitChild is a no-op where the limits are not implemented; the
// deadline kill still holds.
func limitChild(uint32, time.Duration) error { return nil }

func peakRSS(any) int64 { return 0 }

func selfPeakRSS() int64 { return 0 }
