package calibrate

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// toyParams are the toy simulator's parameters: a (purchase rate), b
// (conversion odds), c (content lifetime) and d, which no target depends
// on (a deliberately unidentifiable parameter).
var toyParams = []Parameter{
	{Name: "a", Lo: 0.5, Hi: 5},
	{Name: "b", Lo: 0.1, Hi: 2},
	{Name: "c", Lo: 1, Hi: 10},
	{Name: "d", Lo: 0, Hi: 1},
}

var toyTruth = []float64{2, 0.8, 4, 0.5}

const toyUsers = 100

// toySim is a small stochastic simulator with common random numbers: each
// replication draws the same uniforms for every θ (inversion sampling), so
// its statistics are deterministic, piecewise smooth functions of θ.
// Targets: mean Poisson(a·b) orders per user, mean of Normal(a + c, 1),
// share of Bernoulli(b/(1+b)) converters, mean Exponential(c) lifetime.
func toySim(_ context.Context, th []float64, rep int) ([]float64, error) {
	r := rand.New(rand.NewPCG(uint64(rep), 0x70e))
	a, b, c := th[0], th[1], th[2]
	var t1, t2, t3, t4 float64
	lam := a * b
	for range toyUsers {
		u := r.Float64()
		k, p := 0, math.Exp(-lam)
		f := p
		for u > f && k < 1000 {
			k++
			p *= lam / float64(k)
			f += p
		}
		t1 += float64(k)
		t2 += a + c + r.NormFloat64()
		if r.Float64() < b/(1+b) {
			t3++
		}
		t4 += -c * math.Log(1-r.Float64())
	}
	return []float64{t1 / toyUsers, t2 / toyUsers, t3 / toyUsers, t4 / toyUsers}, nil
}

// toyObserved simulates "observed" targets at truth with nobs
// replications that the calibration never uses (reps from base), and
// their standard errors.
func toyObserved(t testing.TB, truth []float64, nobs, base int) []Target {
	names := []string{"orders_per_user", "a_plus_c", "conversion", "lifetime"}
	sums := make([][]float64, 4)
	for r := range nobs {
		out, _ := toySim(context.Background(), truth, base+r)
		for j, v := range out {
			sums[j] = append(sums[j], v)
		}
	}
	ts := make([]Target, 4)
	for j := range ts {
		m, sd, _ := meanSDFinite(sums[j])
		ts[j] = Target{Name: names[j], Observed: m, SE: sd / math.Sqrt(float64(nobs)), Tolerance: 0.05}
	}
	return ts
}

func toyProblem(t testing.TB, seed uint64) Problem {
	return Problem{Params: toyParams, Targets: toyObserved(t, toyTruth, 20, 1_000_000+int(seed)*1000), Seed: seed}
}

// toyStart is a start away from the truth, different per seed.
func toyStart(seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 0x57a7))
	x := make([]float64, len(toyParams))
	for i, q := range toyParams {
		// in the outer fifths of the range, on a side chosen at random
		f := 0.05 + 0.15*r.Float64()
		if r.IntN(2) == 0 {
			f = 1 - f
		}
		x[i] = q.Lo + f*(q.Hi-q.Lo)
	}
	return x
}

func fitToy(t testing.TB, seed uint64, workers int) *Result {
	t.Helper()
	c, err := NewSMM(toyProblem(t, seed), SMMOptions{Replications: 8, MaxRuns: 3000, Start: toyStart(seed), RepBase: int(seed) * 100})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Run(context.Background(), Parallel(toySim, workers), nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
