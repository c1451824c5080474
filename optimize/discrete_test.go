package optimize

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// coverage is a creator-choice problem: creator i reaches audience group g
// with probability p[i][g] per unit (a post, a cooperation); the value is
// the expected weighted reach Σ_g w_g·(1 − Π_i (1 − p_ig)^{x_i}), which is
// monotone submodular.
type coverage struct {
	p    [][]float64
	w    []float64
	cost []float64
}

func newCoverage(n, groups int, seed uint64) coverage {
	r := rand.New(rand.NewPCG(seed, 11))
	c := coverage{}
	for range groups {
		c.w = append(c.w, 1+9*r.Float64())
	}
	for range n {
		row := make([]float64, groups)
		for g := range row {
			if r.Float64() < 0.3 {
				row[g] = 0.05 + 0.5*r.Float64()
			}
		}
		c.p = append(c.p, row)
		c.cost = append(c.cost, float64(1+r.IntN(5)))
	}
	return c
}

func (c coverage) value(x []float64) float64 {
	v := 0.0
	for g, w := range c.w {
		miss := 1.0
		for i := range x {
			if x[i] > 0 {
				miss *= math.Pow(1-c.p[i][g], x[i])
			}
		}
		v += w * (1 - miss)
	}
	return v
}

func (c coverage) space(capacity int, budgetShare float64) Space {
	s := Space{Budget: &Budget{Weights: c.cost}}
	total := 0.0
	for i, cost := range c.cost {
		s.Dims = append(s.Dims, Dim{Name: "creator" + string(rune('a'+i%26)) + string(rune('0'+i/26)), Lo: 0, Hi: float64(capacity), Integer: true})
		total += cost * float64(capacity)
	}
	s.Budget.Total = math.Floor(budgetShare * total)
	return s
}

// bruteForce enumerates every integer point of the space.
func (c coverage) bruteForce(s Space) ([]float64, float64) {
	n := s.N()
	x := make([]float64, n)
	var best []float64
	bestV := -1.0
	var rec func(i int)
	rec = func(i int) {
		if i == n {
			if s.Feasible(x, 1e-9) {
				if v := c.value(x); v > bestV {
					bestV, best = v, append([]float64(nil), x...)
				}
			}
			return
		}
		for k := s.Dims[i].Lo; k <= s.Dims[i].Hi; k++ {
			x[i] = k
			rec(i + 1)
		}
	}
	rec(0)
	return best, bestV
}

func TestDiscreteMatchesBruteForce(t *testing.T) {
	cases := []struct {
		n, capacity int
		share       float64
	}{{12, 1, 0.3}, {12, 1, 0.5}, {6, 3, 0.3}, {6, 3, 0.6}}
	for k, tc := range cases {
		for seed := uint64(1); seed <= 4; seed++ {
			c := newCoverage(tc.n, 12, seed+uint64(10*k))
			s := c.space(tc.capacity, tc.share)
			_, want := c.bruteForce(s)
			m, err := NewDiscrete(s, Config{Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), m, plain(c.value), RunOptions{Maximize: true, MaxEvals: 20000})
			if err != nil {
				t.Fatal(err)
			}
			if res.Stop != StopConverged {
				t.Errorf("case %d seed %d: stopped on %s", k, seed, res.Stop)
			}
			if !s.Feasible(res.X, 1e-9) {
				t.Errorf("case %d seed %d: infeasible answer %v", k, seed, res.X)
			}
			if res.Value < want-1e-9 {
				t.Errorf("case %d seed %d: discrete found %.6f, brute force %.6f (%d evaluations)", k, seed, res.Value, want, res.Evals)
			}
		}
	}
}

func TestDiscreteBeatsRandomSearch(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		c := newCoverage(100, 40, seed)
		s := c.space(1, 0.1)
		d, err := NewDiscrete(s, Config{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		dr, err := Run(context.Background(), d, plain(c.value), RunOptions{Maximize: true, MaxEvals: 3000})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := NewRandom(s, Config{Seed: seed})
		rr, err := Run(context.Background(), r, plain(c.value), RunOptions{Maximize: true, MaxEvals: dr.Evals})
		if err != nil {
			t.Fatal(err)
		}
		dv, rv := dr.History.BestAt(dr.Evals), rr.History.BestAt(dr.Evals)
		t.Logf("seed %d: %d evaluations: discrete %.4f, random %.4f", seed, dr.Evals, dv, rv)
		if !(dv > rv) {
			t.Errorf("seed %d: discrete %.4f does not beat random search %.4f at %d evaluations", seed, dv, rv, dr.Evals)
		}
	}
}
