package sim

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

// TestRunRefusesTooBig: a scenario whose estimated memory exceeds what the
// machine has is refused by Run with a message naming the estimate, the
// memory available and the settings that drive it — before anything big
// is allocated.
func TestRunRefusesTooBig(t *testing.T) {
	old := memAvailable
	memAvailable = func() (uint64, bool) { return 1 << 30, true } // a 1 GB machine
	defer func() { memAvailable = old }()
	sc, err := scenarios.LoadLibrary("bench-1m", "population.users=20000000", "replications=1")
	if err != nil {
		t.Fatal(err)
	}
	if est := EstimateMemory(sc); est < 2<<30 {
		t.Fatalf("estimate %d B for 20M users × 20 merchants, want > 2 GB", est)
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	_, err = Run(context.Background(), sc, Options{Workers: 1})
	runtime.ReadMemStats(&m1)
	if err == nil {
		t.Fatal("Run accepted a scenario needing more memory than available")
	}
	for _, want := range []string{"needs about", "GB", "only 1.1 GB is available", "20000000 users", "20 merchants", "population.users"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if a := m1.TotalAlloc - m0.TotalAlloc; a > 64<<20 {
		t.Errorf("Run allocated %d MB before refusing", a>>20)
	}
}

// TestEstimateMemoryCovers: the estimate is at least what a world really
// holds (heap in use after building one), and not wildly above it.
func TestEstimateMemoryCovers(t *testing.T) {
	sc, err := scenarios.LoadLibrary("bench-1m", "population.users=200000", "replications=1")
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	w := testWorld(t, sc)
	w.beginDay(0)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	used := float64(m1.HeapAlloc) - float64(m0.HeapAlloc)
	est := float64(EstimateMemory(sc))
	runtime.KeepAlive(w)
	if est < used || est > 3*used {
		t.Fatalf("estimate %.0f MB, world holds %.0f MB", est/1e6, used/1e6)
	}
}
