package optimize

import (
	"context"
	"fmt"
	"testing"
)

func TestCMAESSphereSingleSeeds(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		e := yardstick(t, "sphere", seed, 20000)
		if e < 0 || e > 3200 {
			t.Errorf("sphere seed %d: %d evaluations, want ≤ 3200 (2× the 1,600 median bound)", seed, e)
		}
	}
}

func TestCMAESRosenbrockSingleSeeds(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		e := yardstick(t, "rosenbrock", seed, 50000)
		if e < 0 || e > 12000 {
			t.Errorf("rosenbrock seed %d: %d evaluations, want ≤ 12000 (2× the 6,000 median bound)", seed, e)
		}
	}
}

// BenchmarkCMAESYardsticks runs the §5 yardsticks over 21 seeds and reports
// the median evaluations to f < 1e-8.
func BenchmarkCMAESYardsticks(b *testing.B) {
	for _, fn := range []string{"sphere", "rosenbrock"} {
		b.Run(fn, func(b *testing.B) {
			var med int
			for range b.N {
				var evals []int
				fails := 0
				for seed := uint64(1); seed <= 21; seed++ {
					e := yardstick(b, fn, seed, 100000)
					if e < 0 {
						fails++
						e = 1 << 30
					}
					evals = append(evals, e)
				}
				med = medianInt(evals)
				b.Logf("%s: median %d evaluations over 21 seeds (failures %d): %v", fn, med, fails, evals)
				fmt.Printf("CMA-ES %s 10-D: median %d evaluations over 21 seeds, %d failed: %v\n", fn, med, fails, evals)
			}
			b.ReportMetric(float64(med), "evals/median")
		})
	}
}

// TestIPOPSolvesRastrigin: 10-D Rastrigin on [−5.12, 5.12]^10 to f < 1e-8.
// Single runs with the default population do not solve it; IPOP (up to 9
// restarts, population doubled each time) does, within 200,000 evaluations.
func TestIPOPSolvesRastrigin(t *testing.T) {
	target := 1e-8
	space := boxSpace(10, -5.12, 5.12)
	solved := 0
	for seed := uint64(1); seed <= 10; seed++ {
		m, _ := NewCMAES(space, Config{Seed: seed})
		res, err := Run(context.Background(), m, plain(rastrigin), RunOptions{Target: &target})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stop == StopTarget {
			solved++
		}
	}
	if solved > 2 {
		t.Errorf("single runs solved Rastrigin %d/10 times; the test needs a function they usually miss", solved)
	}
	for seed := uint64(1); seed <= 4; seed++ {
		m, _ := NewCMAES(space, Config{Seed: seed, Restarts: 9})
		res, err := Run(context.Background(), m, plain(rastrigin), RunOptions{Target: &target, MaxEvals: 200000})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stop != StopTarget {
			t.Errorf("seed %d: IPOP stopped on %s at f=%g after %d evaluations (runs %v)", seed, res.Stop, res.Value, res.Evals, m.Runs())
		}
		t.Logf("seed %d: IPOP reached f=%.2g in %d evaluations, final λ=%d", seed, res.Value, res.Evals, m.Lambda())
	}
}
