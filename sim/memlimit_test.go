package sim

import (
	"strings"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

func fakeLimits(t *testing.T, cgroup, rlimit, avail uint64) {
	t.Helper()
	oc, or, oa := cgroupAvailable, rlimitAvailable, memAvailable
	t.Cleanup(func() { cgroupAvailable, rlimitAvailable, memAvailable = oc, or, oa })
	f := func(v uint64) func() (uint64, bool) { return func() (uint64, bool) { return v, v > 0 } }
	cgroupAvailable, rlimitAvailable, memAvailable = f(cgroup), f(rlimit), f(avail)
}

// Issue 17, failure 10: the guard takes the smallest of the cgroup limit,
// RLIMIT_AS and MemAvailable, and blames the term that dominates.
func TestCheckMemoryRealLimit(t *testing.T) {
	sc, err := scenarios.LoadLibrary("bench-1m", "population.users=2000000", "replications=1")
	if err != nil {
		t.Fatal(err)
	}
	need := EstimateMemory(sc)
	fakeLimits(t, 0, 0, 64<<30) // a big machine, no process limit
	if err := CheckMemory(sc, 1); err != nil {
		t.Fatalf("refused on a 64 GB machine: %v", err)
	}
	for _, c := range []struct {
		cgroup, rlimit uint64
		want           string
	}{{need / 2, 0, "cgroup memory.max"}, {0, need / 2, "RLIMIT_AS"}, {need / 2, need / 3, "RLIMIT_AS"}} {
		fakeLimits(t, c.cgroup, c.rlimit, 64<<30)
		err := CheckMemory(sc, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "population.users") {
			t.Errorf("cgroup %d rlimit %d: %v, want a refusal naming %s", c.cgroup, c.rlimit, err, c.want)
		}
	}
}

func TestCheckMemoryBlamesCreators(t *testing.T) {
	sc, err := scenarios.LoadLibrary("default", "creators.generate.count=20000000", "replications=1")
	if err != nil {
		t.Fatal(err)
	}
	fakeLimits(t, 0, 0, 1<<30)
	err = CheckMemory(sc, 1)
	if err == nil || !strings.Contains(err.Error(), "creators.generate.count") || strings.Contains(err.Error(), "population.users") {
		t.Fatalf("want the creators blamed, got %v", err)
	}
}
