//go:build !(linux || darwin || freebsd)

package sim

func readRlimitAvailable() (uint64, bool) { return 0, false }
