package optimize

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestRepairExactBudget(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	s := Space{Budget: &Budget{Total: 100, Exact: true}}
	for i := range 7 {
		s.Dims = append(s.Dims, Dim{Lo: float64(i % 3), Hi: 40, Integer: true})
	}
	s.Dims = append(s.Dims, Dim{Name: "fixed", Lo: 5, Hi: 5, Integer: true})
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for range 2000 {
		x := make([]float64, s.N())
		for i := range x {
			x[i] = -50 + 150*r.Float64()
		}
		y := s.Repair(nil, x)
		if !s.Feasible(y, 0) {
			t.Fatalf("Repair(%v) = %v is infeasible", x, y)
		}
		if y[7] != 5 {
			t.Fatalf("fixed item moved: %v", y)
		}
		if z := s.Repair(nil, y); !equal(z, y) {
			t.Fatalf("Repair not idempotent: %v → %v", y, z)
		}
	}
}

func TestProjectIsEuclideanProjection(t *testing.T) {
	// with weights: the projection satisfies the budget and no feasible
	// random point is closer.
	r := rand.New(rand.NewPCG(3, 4))
	s := Space{Budget: &Budget{Total: 10, Weights: []float64{1, 2, 0.5, 3}}}
	for range 4 {
		s.Dims = append(s.Dims, Dim{Lo: 0, Hi: 4})
	}
	for range 200 {
		x := []float64{8 * r.Float64(), 8 * r.Float64(), 8 * r.Float64(), 8 * r.Float64()}
		p := s.Project(nil, x)
		if !s.Feasible(p, 1e-9) {
			t.Fatalf("Project(%v) = %v infeasible", x, p)
		}
		dp := dist(x, p)
		for range 200 {
			q := s.Project(nil, []float64{p[0] + 0.1*r.NormFloat64(), p[1] + 0.1*r.NormFloat64(), p[2] + 0.1*r.NormFloat64(), p[3] + 0.1*r.NormFloat64()})
			if dist(x, q) < dp-1e-9 {
				t.Fatalf("Project(%v) = %v at %g, but %v is feasible at %g", x, p, dp, q, dist(x, q))
			}
		}
	}
}

func TestRepairAtMostWeightedIntegers(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	c := newCoverage(20, 5, 1)
	s := c.space(3, 0.3)
	for range 1000 {
		if x := s.Sample(r); !s.Feasible(x, 1e-9) {
			t.Fatalf("Sample gave infeasible %v", x)
		}
	}
}

func TestFloatJSON(t *testing.T) {
	for _, v := range []float64{0, -0.1, 1e-300, math.MaxFloat64, math.Inf(1), math.Inf(-1), 1.0 / 3} {
		b, err := Float(v).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var f Float
		if err := f.UnmarshalJSON(b); err != nil || float64(f) != v {
			t.Errorf("%g → %s → %g (%v)", v, b, float64(f), err)
		}
	}
	var f Float
	if b, _ := Float(math.NaN()).MarshalJSON(); string(b) != `"NaN"` || f.UnmarshalJSON(b) != nil || !math.IsNaN(float64(f)) {
		t.Errorf("NaN: %s → %g", b, float64(f))
	}
	// A state keeps every value: null (stats.Float's undefined) is refused.
	for _, bad := range []string{`null`, `"many"`, `1e`} {
		if err := f.UnmarshalJSON([]byte(bad)); err == nil || !strings.Contains(err.Error(), "optimize: "+bad+" is not a number") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func equal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func dist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}
