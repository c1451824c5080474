package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/startrend/startrend/scenarios"
)

// The memory a run may use is the smallest of three limits: what the
// process's cgroup (v2) still allows (memory.max − memory.current), what
// RLIMIT_AS (ulimit -v) still allows (the limit − VmSize), and the
// machine's MemAvailable. Each reader is a variable so tests can pretend.
var (
	cgroupAvailable = readCgroupAvailable
	rlimitAvailable = readRlimitAvailable
)

// memoryLimit returns the memory available to the process and which limit
// it is.
func memoryLimit() (uint64, string, bool) {
	var best uint64
	src, ok := "", false
	for _, l := range []struct {
		name string
		read func() (uint64, bool)
	}{{"cgroup memory.max", cgroupAvailable}, {"RLIMIT_AS (ulimit -v)", rlimitAvailable}, {"MemAvailable", memAvailable}} {
		if v, has := l.read(); has && (!ok || v < best) {
			best, src, ok = v, l.name, true
		}
	}
	return best, src, ok
}

// readCgroupAvailable reads the cgroup v2 limit of the process's cgroup
// minus its current use; false without a limit ("max") or cgroup v2.
func readCgroupAvailable() (uint64, bool) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		rel, ok := strings.CutPrefix(line, "0::")
		if !ok {
			continue
		}
		dir := filepath.Join("/sys/fs/cgroup", filepath.Clean("/"+rel))
		max, ok := readUintFile(filepath.Join(dir, "memory.max"))
		if !ok {
			return 0, false
		}
		cur, _ := readUintFile(filepath.Join(dir, "memory.current"))
		if cur >= max {
			return 0, true
		}
		return max - cur, true
	}
	return 0, false
}

func readUintFile(path string) (uint64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return v, err == nil // "max" is no limit
}

// vmSize is the process's virtual size (VmSize of /proc/self/status).
func vmSize() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmSize:"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// dominantMemoryTerm names the setting that drives most of sc's memory
// estimate: the users, the creators, or the content and the horizon.
func dominantMemoryTerm(sc *scenarios.Scenario) string {
	total := EstimateMemory(sc)
	noUsers := *sc
	noUsers.Population.Users = 0
	users := total - min(total, EstimateMemory(&noUsers))
	noCreators := *sc
	noCreators.Creators.RosterCreators = nil
	if g := sc.Creators.Generate; g != nil {
		g2 := *g
		g2.Count = 0
		noCreators.Creators.Generate = &g2
	}
	creators := total - min(total, EstimateMemory(&noCreators))
	rest := total - min(total, users+creators)
	switch {
	case creators >= users && creators >= rest:
		n := len(sc.Creators.RosterCreators)
		if sc.Creators.Generate != nil {
			n += sc.Creators.Generate.Count
		}
		return fmt.Sprintf("%d creators (creators.generate.count and the roster) take about %.1f GB; lower creators.generate.count", n, float64(creators)/1e9)
	case users >= rest:
		return fmt.Sprintf("%d users × %d merchants take about %.1f GB; lower population.users, the number of merchants or --workers", sc.Population.Users, len(sc.Merchants), float64(users)/1e9)
	}
	return fmt.Sprintf("content items, campaigns and the horizon take about %.1f GB; lower the strategy matrix counts, the trends or horizon_days", float64(rest)/1e9)
}
