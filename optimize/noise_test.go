package optimize

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// The known-optimum problem under noise: 24 items with concave responses
// a·log(1 + x/b), a ~ U[1, 10], b ~ U[10, 100], at most 1,000 continuous
// units in all; the optimum (water-filling, allocProblem.optimum) is known
// in closed form. Each evaluation is multiplied by (1 + 0.05·N(0, 1)),
// drawn independently per evaluation. Judged by the noise-free value of
// the final recommendation (Result.Recommended), with CMA-ES's default
// settings: no per-problem tuning.
func noisyAllocSpace(p allocProblem) Space {
	s := Space{Budget: &Budget{Total: p.total}}
	for i := range p.a {
		s.Dims = append(s.Dims, Dim{Name: fmt.Sprintf("item%02d", i), Lo: 0, Hi: p.total})
	}
	return s
}

func multiplicativeNoise(p allocProblem, sd float64, seed uint64) Objective {
	return func(_ context.Context, gen, i int, x []float64) (float64, error) {
		r := rand.New(rand.NewPCG(seed, uint64(gen)<<20|uint64(i)))
		return p.value(x) * (1 + sd*r.NormFloat64()), nil
	}
}

// noisyAllocShare runs default CMA-ES for maxEvals evaluations and returns
// the noise-free share of the optimum its recommendation reaches.
func noisyAllocShare(tb testing.TB, seed uint64, sd float64, maxEvals int) float64 {
	return noisyAllocShareOf(tb, NameCMAES, Config{Seed: seed}, seed, sd, maxEvals)
}

func noisyAllocShareOf(tb testing.TB, method string, cfg Config, seed uint64, sd float64, maxEvals int) float64 {
	tb.Helper()
	p := newAlloc(24, 1000, seed)
	space := noisyAllocSpace(p)
	m, err := New(method, space, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := Run(context.Background(), m, multiplicativeNoise(p, sd, seed), RunOptions{Maximize: true, MaxEvals: maxEvals})
	if err != nil {
		tb.Fatal(err)
	}
	if !space.Feasible(res.Recommended, 1e-9) {
		tb.Fatalf("seed %d: recommendation %v is not feasible", seed, res.Recommended)
	}
	if res.Evals > maxEvals {
		tb.Fatalf("seed %d: %d evaluations for a bound of %d", seed, res.Evals, maxEvals)
	}
	_, vstar := p.optimum()
	return p.value(res.Recommended) / vstar
}

// TestNoisyAllocationKnownOptimum: issue 18's bar — with 5% multiplicative
// noise, ≥ 99% of the optimum for each of seeds 1–7 within 6,000
// evaluations (plain CMA-ES stalls at 91–96% here: its σ collapses under
// noise), and ≥ 99.99% without noise. BenchmarkNoisyAllocation measures
// 40,000 evaluations.
func TestNoisyAllocationKnownOptimum(t *testing.T) {
	for seed := uint64(1); seed <= 7; seed++ {
		if got := noisyAllocShare(t, seed, 0.05, 6000); got < 0.99 {
			t.Errorf("seed %d: 5%% noise, 6,000 evaluations: %.4f of the optimum, want ≥ 0.99", seed, got)
		} else {
			t.Logf("seed %d: 5%% noise, 6,000 evaluations: %.4f%% of the optimum", seed, 100*got)
		}
		if got := noisyAllocShare(t, seed, 0, 6000); got < 0.9999 {
			t.Errorf("seed %d: no noise, 6,000 evaluations: %.6f of the optimum, want ≥ 0.9999", seed, got)
		}
	}
}

// TestNoiseHandlingIsNeeded guards the test above: with the noise handling
// off, CMA-ES does not reach 99% on most seeds (its σ collapses).
func TestNoiseHandlingIsNeeded(t *testing.T) {
	below := 0
	for seed := uint64(1); seed <= 3; seed++ {
		p := newAlloc(24, 1000, seed)
		m, _ := NewCMAES(noisyAllocSpace(p), Config{Seed: seed, Noise: NoiseOff})
		res, err := Run(context.Background(), m, multiplicativeNoise(p, 0.05, seed), RunOptions{Maximize: true, MaxEvals: 6000})
		if err != nil {
			t.Fatal(err)
		}
		_, vstar := p.optimum()
		if p.value(res.Recommended)/vstar < 0.99 {
			below++
		}
	}
	if below < 2 {
		t.Errorf("without noise handling %d of 3 seeds fell below 99%%; the problem no longer tests noise handling", below)
	}
}

// BenchmarkNoisyAllocation reports, for seeds 1–7, the share of the optimum
// reached by the recommendation (5% multiplicative noise unless noise-free),
// for CMA-ES with its defaults (noise handling on), CMA-ES with the noise
// handling off (plain CMA-ES, what `optimize` did before), random search
// and Nelder–Mead; the issue asks ≥ 99% each at 6,000 and ≥ 99.5% median
// at 40,000. `go test ./optimize -run '^$' -bench NoisyAllocation
// -benchtime 1x` prints one line per case.
func BenchmarkNoisyAllocation(b *testing.B) {
	for _, c := range []struct {
		name   string
		method string
		off    bool
		sd     float64
		evals  int
	}{
		{"cmaes_noise5pct_6000", NameCMAES, false, 0.05, 6000},
		{"cmaes_noise5pct_40000", NameCMAES, false, 0.05, 40000},
		{"cmaes_noisefree_6000", NameCMAES, false, 0, 6000},
		{"plaincmaes_noise5pct_6000", NameCMAES, true, 0.05, 6000},
		{"plaincmaes_noise5pct_40000", NameCMAES, true, 0.05, 40000},
		{"random_noise5pct_6000", NameRandom, false, 0.05, 6000},
		{"neldermead_noise5pct_6000", NameNelderMead, false, 0.05, 6000},
	} {
		b.Run(c.name, func(b *testing.B) {
			var shares []float64
			for range b.N {
				shares = shares[:0]
				for seed := uint64(1); seed <= 7; seed++ {
					cfg := Config{Seed: seed}
					if c.off {
						cfg.Noise = NoiseOff
					}
					shares = append(shares, 100*noisyAllocShareOf(b, c.method, cfg, seed, c.sd, c.evals))
				}
			}
			s := append([]float64(nil), shares...)
			sort.Float64s(s)
			fmt.Printf("allocation %s: %% of optimum by seed 1-7 %.3f; min %.3f median %.3f\n", c.name, shares, s[0], s[3])
			b.ReportMetric(s[3], "%opt/median")
			b.ReportMetric(s[0], "%opt/min")
		})
	}
}
