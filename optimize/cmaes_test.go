package optimize

import (
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
