package sensitivity

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Morris μ* ranks the g-function's factors by a: with
// a = (0, 1, 4.5, 9, 99, 99, 99, 99) the order is x1 > x2 > x3 > x4 > the
// rest (Saltelli et al. 2008, "Global Sensitivity Analysis: The Primer",
// §3.5, g-function screening example), for plain and optimised trajectories.
func TestMorrisGFunctionOrder(t *testing.T) {
	a := []float64{0, 1, 4.5, 9, 99, 99, 99, 99}
	for _, cand := range []int{0, 100} {
		st, err := NewMorrisStudy(GFactors(8), []string{"g"}, MorrisSettings{Trajectories: 20, Levels: 4, Candidates: cand, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		if err := Run(context.Background(), st, Func(GFunction(a)), 2); err != nil {
			t.Fatal(err)
		}
		eff, err := st.Effects()
		if err != nil {
			t.Fatal(err)
		}
		ms := eff[0].MuStar
		for j := 0; j < 4; j++ {
			for k := j + 1; k < 8; k++ {
				if !(ms[j].Value > ms[k].Value) {
					t.Errorf("candidates %d: μ*[x%d] = %.4f not above μ*[x%d] = %.4f", cand, j+1, ms[j].Value, k+1, ms[k].Value)
				}
			}
		}
		// the four important factors are separated from the rest by their
		// intervals, not only by their estimates
		for j := 0; j < 4; j++ {
			if ms[j].Lo <= ms[4].Hi {
				t.Errorf("candidates %d: μ*[x%d] interval [%.3f, %.3f] overlaps x5's [%.3f, %.3f]", cand, j+1, ms[j].Lo, ms[j].Hi, ms[4].Lo, ms[4].Hi)
			}
		}
		t.Logf("candidates %d: μ* %v", cand, values(ms))
	}
}

func values(ix []Index) []float64 {
	v := make([]float64, len(ix))
	for i, x := range ix {
		v[i] = math.Round(x.Value*1e4) / 1e4
	}
	return v
}

// On a linear function every elementary effect is the slope times the range:
// μ = μ* = slope·range exactly, σ = 0, and a factor with no effect gets
// μ* = 0 whose interval is [0, 0].
func TestMorrisLinearExact(t *testing.T) {
	fs := []Factor{{"a", 0, 2}, {"b", -1, 1}, {"none", 0, 5}}
	f := func(x []float64) float64 { return 3*x[0] - 0.5*x[1] }
	st, err := NewMorrisStudy(fs, []string{"y"}, MorrisSettings{Trajectories: 10, Levels: 6, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), st, Func(f), 1); err != nil {
		t.Fatal(err)
	}
	eff, _ := st.Effects()
	e := eff[0]
	want := []float64{6, -1, 0}
	for j, w := range want {
		if math.Abs(e.Mu[j]-w) > 1e-9 || math.Abs(e.MuStar[j].Value-math.Abs(w)) > 1e-9 || e.Sigma[j] > 1e-9 {
			t.Errorf("factor %d: μ %.6f μ* %.6f σ %.2g, want %g, %g, 0", j, e.Mu[j], e.MuStar[j].Value, e.Sigma[j], w, math.Abs(w))
		}
	}
	if e.MuStar[2].Lo != 0 || e.MuStar[2].Hi != 0 {
		t.Errorf("inert factor's μ* interval %+v, want [0, 0]", e.MuStar[2])
	}
	if st.Runs() != 10*4 {
		t.Errorf("%d runs, want r(D+1) = 40", st.Runs())
	}
}

// Each trajectory moves every factor exactly once by ±Δ and stays on the
// p-level grid; optimised trajectories are more spread out than the first r
// candidates.
func TestMorrisTrajectories(t *testing.T) {
	const p = 4
	st, _ := NewMorrisStudy(GFactors(5), []string{"y"}, MorrisSettings{Trajectories: 8, Levels: p, Seed: 2})
	delta := float64(p) / (2 * (p - 1))
	for ti, tr := range st.traj {
		if len(tr) != 6 {
			t.Fatalf("trajectory %d has %d points", ti, len(tr))
		}
		moved := slices.Clone(st.moved[ti])
		slices.Sort(moved)
		if !slices.Equal(moved, []int{0, 1, 2, 3, 4}) {
			t.Fatalf("trajectory %d moves factors %v", ti, st.moved[ti])
		}
		for s := 1; s < len(tr); s++ {
			for j := range tr[s] {
				d := math.Abs(tr[s][j] - tr[s-1][j])
				if j == st.moved[ti][s-1] && math.Abs(d-delta) > 1e-12 || j != st.moved[ti][s-1] && d != 0 {
					t.Fatalf("trajectory %d step %d factor %d moved by %g", ti, s, j, d)
				}
				lv := tr[s][j] * (p - 1)
				if math.Abs(lv-math.Round(lv)) > 1e-9 {
					t.Fatalf("trajectory %d point %d off the grid: %v", ti, s, tr[s])
				}
			}
		}
	}
	spread := func(st *MorrisStudy) float64 {
		var s float64
		for i := range st.traj {
			for j := i + 1; j < len(st.traj); j++ {
				for _, a := range st.traj[i] {
					for _, b := range st.traj[j] {
						var e float64
						for c := range a {
							e += (a[c] - b[c]) * (a[c] - b[c])
						}
						s += math.Sqrt(e)
					}
				}
			}
		}
		return s
	}
	opt, _ := NewMorrisStudy(GFactors(5), []string{"y"}, MorrisSettings{Trajectories: 8, Levels: p, Candidates: 80, Seed: 2})
	if a, b := spread(st), spread(opt); !(b > a*1.05) {
		t.Fatalf("optimised spread %.1f not above random %.1f by 5%%", b, a)
	} else {
		t.Logf("spread: random %.1f, optimised %.1f", a, b)
	}
}

func TestMorrisSettingsRejected(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  MorrisSettings
	}{
		{"too few trajectories", MorrisSettings{Trajectories: 3}},
		{"odd levels", MorrisSettings{Levels: 5}},
		{"one level", MorrisSettings{Levels: 1}},
		{"candidates below r", MorrisSettings{Trajectories: 10, Candidates: 5}},
		{"few resamples", MorrisSettings{Resamples: 10}},
	} {
		if _, err := NewMorrisStudy(GFactors(3), []string{"y"}, tc.set); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	st, _ := NewMorrisStudy(GFactors(3), []string{"y"}, MorrisSettings{})
	if _, err := st.Effects(); err == nil {
		t.Errorf("Effects before any run told: no error")
	}
}

// One-at-a-time effects of a linear function are the slopes times the
// distance from the baseline to each bound — exactly, even with noise drawn
// from the run's seed, because the runs share their seeds (common random
// numbers) and the differences are paired.
func TestOATLinear(t *testing.T) {
	fs := []Factor{{"a", 0, 2}, {"b", -1, 1}}
	m := func(x []float64, seed uint64) ([]float64, error) {
		noise := rand.New(rand.NewPCG(seed, 9)).NormFloat64()
		return []float64{3*x[0] - 0.5*x[1] + noise}, nil
	}
	st, err := NewOATStudy(fs, []float64{0.5, 5}, []string{"y"}, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), st, m, 2); err != nil {
		t.Fatal(err)
	}
	eff, _ := st.Effects()
	e := eff[0]
	// baseline b is clamped to 1 (the noise is in the baseline, not in the effects)
	if want := 3*0.5 - 0.5; math.Abs(e.Baseline-want) > 3 {
		t.Fatalf("baseline %g, want %g ± noise", e.Baseline, want)
	}
	want := [][2]float64{{-1.5, 4.5}, {1, 0}}
	for j, w := range want {
		if math.Abs(e.Low[j]-w[0]) > 1e-9 || math.Abs(e.High[j]-w[1]) > 1e-9 {
			t.Errorf("factor %d: low %g high %g, want %v", j, e.Low[j], e.High[j], w)
		}
	}
}
