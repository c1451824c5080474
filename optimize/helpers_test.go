package optimize

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/optimize/functions"
)

func unbounded(n int) Space {
	s := Space{Dims: make([]Dim, n)}
	for i := range s.Dims {
		s.Dims[i] = Dim{Lo: math.Inf(-1), Hi: math.Inf(1)}
	}
	return s
}

func boxSpace(n int, lo, hi float64) Space {
	s := Space{Dims: make([]Dim, n)}
	for i := range s.Dims {
		s.Dims[i] = Dim{Lo: lo, Hi: hi}
	}
	return s
}

func plain(f func([]float64) float64) Objective {
	return func(_ context.Context, _, _ int, x []float64) (float64, error) { return f(x), nil }
}

func rastrigin(x []float64) float64 {
	s := 10 * float64(len(x))
	for _, v := range x {
		s += v*v - 10*math.Cos(2*math.Pi*v)
	}
	return s
}

// yardstick runs CMA-ES from the settings and returns the
// evaluations used to reach f < 1e-8 (whole generations), or -1.
func yardstick(tb testing.TB, fn string, seed uint64, maxEvals int) int {
	tb.Helper()
	n := 10
	var f func([]float64) float64
	x0 := make([]float64, n)
	sigma := 0.0
	switch fn {
	case "sphere":
		f = functions.Sphere{}.Func
		r := rand.New(rand.NewPCG(seed, 77))
		for i := range x0 {
			x0[i] = -4 + 8*r.Float64()
		}
		sigma = 2
	case "rosenbrock":
		f = functions.ExtendedRosenbrock{}.Func
		for i := range x0 {
			x0[i] = 0.1
		}
		sigma = 0.3
	}
	m, err := NewCMAES(unbounded(n), Config{Seed: seed, X0: x0, Sigma0: sigma})
	if err != nil {
		tb.Fatal(err)
	}
	target := 1e-8
	res, err := Run(context.Background(), m, plain(f), RunOptions{Workers: 1, MaxEvals: maxEvals, Target: &target})
	if err != nil {
		tb.Fatal(err)
	}
	if res.Stop != StopTarget {
		return -1
	}
	return res.Evals
}

func medianInt(v []int) int {
	s := append([]int(nil), v...)
	sort.Ints(s)
	return s[len(s)/2]
}
