package sim

import (
	"context"
	"encoding/json"
	"testing"
)

// TestFunnelLayouts: the wide funnel layout (stage in its own byte, used
// when a run's day codes do not fit in touchBits bits) gives exactly the
// results of the packed one.
func TestFunnelLayouts(t *testing.T) {
	sc := testScenario(t, "population.users=20000", "replications=2")
	run := func() []byte {
		res, err := Run(context.Background(), sc, Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		res.Work = Work{}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if w := testWorld(t, sc); w.fwide != nil {
		t.Fatal("a 30-day run uses the wide funnel layout")
	}
	packed := run()
	forceWideFunnels = true
	defer func() { forceWideFunnels = false }()
	if w := testWorld(t, sc); w.fwide == nil {
		t.Fatal("forceWideFunnels: packed layout")
	}
	if wide := run(); string(wide) != string(packed) {
		t.Fatal("the wide funnel layout changes the results")
	}
}

// TestNarrowDays: EstimateMemory's layout decision is the world's.
func TestNarrowDays(t *testing.T) {
	for _, c := range []struct {
		set    []string
		narrow bool
	}{
		{[]string{"horizon_days=30"}, true},
		{[]string{"horizon_days=3650", "warmup_days=3650"}, true},
		{[]string{"horizon_days=3650", "warmup_days=3650", "platform.decay_days.a5=2000"}, false},
	} {
		sc := testScenario(t, append(c.set, "population.users=10", "replications=1")...)
		w := testWorld(t, sc)
		if got := narrowDays(sc); got != c.narrow || (w.fwide == nil) != c.narrow {
			t.Errorf("%v: narrowDays %v, world packed %v, want %v", c.set, got, w.fwide == nil, c.narrow)
		}
	}
}
