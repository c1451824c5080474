package optimize

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// allocProblem is Σ a_i·log(1 + x_i/b_i) over x ≥ 0 with Σ x = total: the
// optimum has equal marginal returns a_i/(b_i + x_i) = λ on the items it
// funds, x_i = max(0, a_i/λ − b_i).
type allocProblem struct {
	a, b  []float64
	total float64
}

func newAlloc(n int, total float64, seed uint64) allocProblem {
	r := rand.New(rand.NewPCG(seed, 3))
	p := allocProblem{total: total}
	for range n {
		p.a = append(p.a, 1+9*r.Float64())
		p.b = append(p.b, 10+90*r.Float64())
	}
	return p
}

func (p allocProblem) value(x []float64) float64 {
	v := 0.0
	for i := range x {
		v += p.a[i] * math.Log1p(x[i]/p.b[i])
	}
	return v
}

// optimum returns the continuous optimum (an upper bound on the integer one).
func (p allocProblem) optimum() ([]float64, float64) {
	x := make([]float64, len(p.a))
	spend := func(lam float64) float64 {
		s := 0.0
		for i := range x {
			x[i] = math.Max(0, p.a[i]/lam-p.b[i])
			s += x[i]
		}
		return s
	}
	lo, hi := 1e-12, 1e3
	for range 200 {
		mid := math.Sqrt(lo * hi)
		if spend(mid) > p.total {
			lo = mid
		} else {
			hi = mid
		}
	}
	spend(math.Sqrt(lo * hi))
	return x, p.value(x)
}

func (p allocProblem) space() Space {
	s := Space{Budget: &Budget{Total: p.total, Exact: true}}
	for i := range p.a {
		s.Dims = append(s.Dims, Dim{Name: "item" + string(rune('A'+i)), Lo: 0, Hi: p.total, Integer: true})
	}
	return s
}

// noisy adds N(0, sd²) to each evaluation, drawn from (gen, i).
func (p allocProblem) noisy(sd float64, seed uint64) Objective {
	return func(_ context.Context, gen, i int, x []float64) (float64, error) {
		r := rand.New(rand.NewPCG(seed, uint64(gen)<<20|uint64(i)))
		return p.value(x) + sd*r.NormFloat64(), nil
	}
}

func recommendedShare(t *testing.T, p allocProblem, name string, cfg Config, f Objective, maxEvals int) float64 {
	t.Helper()
	m, err := New(name, p.space(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), m, f, RunOptions{Maximize: true, MaxEvals: maxEvals})
	if err != nil {
		t.Fatal(err)
	}
	x := res.Recommended
	if !p.space().Feasible(x, 0) {
		t.Fatalf("%s: recommended %v is not feasible", name, x)
	}
	sum := 0.0
	for _, v := range x {
		if v != math.Round(v) {
			t.Fatalf("%s: recommended %v is not integer", name, x)
		}
		sum += v
	}
	if sum != p.total {
		t.Fatalf("%s: recommended spends %g, want exactly %g", name, sum, p.total)
	}
	_, vstar := p.optimum()
	return p.value(x) / vstar
}

// TestAllocationKnownOptimum: 24 items with concave responses a·log(1+x/b),
// 1,000 integer units to spend exactly. Equal split reaches 85% of the
// optimum; the methods must reach 99.5% of the continuous optimum (an upper
// bound on the integer one) from noisy evaluations.
func TestAllocationKnownOptimum(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		p := newAlloc(24, 1000, seed)
		_, vstar := p.optimum()
		// independent noise, sd 0.5% of the optimum per evaluation: CMA-ES
		// with a larger population, recommending its mean.
		if got := recommendedShare(t, p, NameCMAES, Config{Seed: seed, PopSize: 50}, p.noisy(0.005*vstar, seed), 6000); got < 0.995 {
			t.Errorf("seed %d: CMA-ES with noise reached %.4f of the optimum, want ≥ 0.995", seed, got)
		}
		// noise common to a generation (common random numbers), sd 2%: the
		// discrete method compares within a generation.
		crn := func(_ context.Context, gen, _ int, x []float64) (float64, error) {
			r := rand.New(rand.NewPCG(seed, uint64(gen)))
			return p.value(x) + 0.02*vstar*r.NormFloat64(), nil
		}
		if got := recommendedShare(t, p, NameDiscrete, Config{Seed: seed}, crn, 6000); got < 0.995 {
			t.Errorf("seed %d: discrete with CRN noise reached %.4f of the optimum, want ≥ 0.995", seed, got)
		}
		// without noise both are at the integer optimum's level
		for _, name := range []string{NameCMAES, NameDiscrete} {
			if got := recommendedShare(t, p, name, Config{Seed: seed}, p.noisy(0, 0), 10000); got < 0.9999 {
				t.Errorf("seed %d: %s without noise reached %.6f of the optimum, want ≥ 0.9999", seed, name, got)
			}
		}
	}
}
