//go:build linux || darwin || freebsd

package sim

import "syscall"

// readRlimitAvailable is RLIMIT_AS minus the process's current virtual
// size; false without a limit.
func readRlimitAvailable() (uint64, bool) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &r); err != nil || r.Cur == ^uint64(0) || r.Cur == 0 {
		return 0, false
	}
	used := vmSize()
	if used >= r.Cur {
		return 0, true
	}
	return r.Cur - used, true
}
