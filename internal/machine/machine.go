// Package machine measures what the machine gives a benchmark right now:
// the speed-up a trivially parallel loop gets on n goroutines (the ceiling
// for any parallel speed-up measured in the same minute), the process's CPU
// time and its peak resident memory.
//
// Benchmarks quote their own speed-ups next to [SpinSpeedup], so a figure
// measured on a busy or oversubscribed machine shows itself.
package machine

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// SpinSpeedup times a pure arithmetic loop on 1 and on n goroutines (each
// doing the same work) and returns n·t(1)/t(n): n on n idle cores, less
// when other work holds them or the virtual CPUs share hardware.
func SpinSpeedup(n int) float64 {
	if n < 1 {
		n = 1
	}
	return float64(n) * spin(1).Seconds() / spin(n).Seconds()
}

func spin(k int) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	for g := 0; g < k; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := uint64(g + 1)
			for i := 0; i < 200_000_000; i++ {
				x = x*6364136223846793005 + 1442695040888963407
			}
			sink.Add(x)
		}()
	}
	wg.Wait()
	return time.Since(start)
}

var sink atomic.Uint64

// CPUTime is the process's user + system CPU time so far (0 when the
// system does not say).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS is the process's peak resident set (VmHWM of /proc/self/status)
// in bytes; 0 where the system does not report it.
func PeakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
