//go:build unix

package main

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on path (created if needed), waiting
// while another process holds it: one process at a time works on a shard
// store (a killed coordinator's shard task may still be running when the
// resumed one starts the next).
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
