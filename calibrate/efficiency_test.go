package calibrate

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// reachWatch is a Simulator that watches SMM's candidates (R consecutive
// runs of the same θ) and records the run count at which a candidate's
// mean targets are first all within tolerance.
type reachWatch struct {
	sim     Simulator
	targets []Target
	R       int
	runs    int
	reached int // 0: not yet
}

func (w *reachWatch) Simulate(ctx context.Context, runs []Run) ([][]float64, error) {
	out, err := w.sim.Simulate(ctx, runs)
	if err != nil {
		return nil, err
	}
	for i := 0; i+w.R <= len(out) && w.reached == 0; i += w.R {
		if allWithin(w.targets, out[i:i+w.R]) {
			w.reached = w.runs + i + w.R
		}
	}
	w.runs += len(runs)
	return out, nil
}

func allWithin(ts []Target, outs [][]float64) bool {
	for j, t := range ts {
		m := 0.0
		for _, o := range outs {
			m += o[j] / float64(len(outs))
		}
		if !t.Within(m) {
			return false
		}
	}
	return true
}

// runsToTolerance returns the runs SMM and random search (uniform θ, the
// same R replications per candidate, the same budget) need before a
// candidate reproduces every toy target within ±5%; budget when never.
func runsToTolerance(t testing.TB, seed uint64, budget int) (smm, random int) {
	p := toyProblem(t, seed)
	const R = 8
	w := &reachWatch{sim: Parallel(toySim, 2), targets: p.Targets, R: R}
	c, err := NewSMM(p, SMMOptions{Replications: R, MaxRuns: budget, Start: toyStart(seed), RepBase: int(seed) * 100, Restarts: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), w, nil); err != nil {
		t.Fatal(err)
	}
	smm = w.reached
	if smm == 0 {
		smm = budget
	}
	rng := rand.New(rand.NewPCG(seed, 0x7a4d))
	random = budget
	for used := 0; used+R <= budget; used += R {
		th := make([]float64, len(toyParams))
		for i, q := range toyParams {
			th[i] = q.Lo + rng.Float64()*(q.Hi-q.Lo)
		}
		outs := make([][]float64, R)
		for r := range R {
			outs[r], _ = toySim(context.Background(), th, int(seed)*100+r)
		}
		if allWithin(p.Targets, outs) {
			random = used + R
			break
		}
	}
	return smm, random
}

// efficiency returns the median runs to tolerance of both methods over
// seeds 1..n and their ratio.
func efficiency(t testing.TB, n, budget int) (smm, random, ratio float64) {
	var s, r []int
	for seed := 1; seed <= n; seed++ {
		a, b := runsToTolerance(t, uint64(seed), budget)
		s, r = append(s, a), append(r, b)
	}
	slices.Sort(s)
	slices.Sort(r)
	smm, random = float64(s[n/2]), float64(r[n/2])
	return smm, random, random / smm
}

// Sample efficiency (issue 14): SMM reaches the targets' tolerances in at
// least 3× fewer runs than random search with the same budget and the
// same replications per candidate (medians over 5 seeds; random search
// that never reaches them counts as the whole budget).
func TestSMMBeatsRandomSearch(t *testing.T) {
	smm, random, ratio := efficiency(t, 5, 20000)
	t.Logf("median runs to ±5%% on every target: SMM %.0f, random search %.0f (ratio %.1f)", smm, random, ratio)
	if ratio < 3 {
		t.Errorf("SMM needs %.0f runs, random search %.0f: ratio %.2f < 3", smm, random, ratio)
	}
}

func BenchmarkSMMVsRandomSearch(b *testing.B) {
	for range b.N {
		smm, random, ratio := efficiency(b, 21, 40000)
		b.ReportMetric(smm, "smm-runs")
		b.ReportMetric(random, "random-runs")
		b.ReportMetric(ratio, "ratio")
	}
}
