package compute

import "syscall"

// childSysProcAttr makes the kernel kill a child whose parent dies, so no
// task outlives the worker that started it.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
