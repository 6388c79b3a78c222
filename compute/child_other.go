//go:build !linux

package compute

import "syscall"

func childSysProcAttr() *syscall.SysProcAttr { return nil }
