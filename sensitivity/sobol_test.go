package sensitivity

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

// tolerance of every index at N = 2^12 base points: about three times the
// estimators' standard error measured over seeds for Ishigami (S1 ≈ 0.014,
// ST ≈ 0.02), so a correct estimator passes for any seed and a wrong one
// (e.g. Sobol's 1993 first-order estimator on an uncentred output, or
// Homma–Saltelli's total) fails.
const tol = 0.04

func checkIndices(t *testing.T, what string, got []Index, want []float64, tol float64) {
	t.Helper()
	worst, covered := 0.0, 0
	defer func() {
		t.Logf("%s: max |error| %.4f, %d/%d intervals cover the truth", what, worst, covered, len(want))
	}()
	for j := range want {
		worst = max(worst, math.Abs(got[j].Value-want[j]))
		if got[j].Covers(want[j]) {
			covered++
		}
		if math.Abs(got[j].Value-want[j]) > tol {
			t.Errorf("%s[%d] = %.4f, want %.4f ± %.3f (CI [%.4f, %.4f])", what, j, got[j].Value, want[j], tol, got[j].Lo, got[j].Hi)
		}
	}
}

// Ishigami (a = 7, b = 0.1): analytic S1 = (0.314, 0.442, 0),
// ST = (0.558, 0.442, 0.244), S2_13 = 0.244 (Ishigami and Homma 1990;
// Saltelli et al. 2010, Table 3 of "Variance based sensitivity analysis of
// model output").
func TestSobolIshigami(t *testing.T) {
	_, s1, st := IshigamiIndices(7, 0.1)
	for j, w := range []float64{0.314, 0.442, 0} {
		if math.Abs(s1[j]-w) > 5e-4 {
			t.Fatalf("analytic S1[%d] = %.4f, published %.3f", j, s1[j], w)
		}
	}
	for j, w := range []float64{0.558, 0.442, 0.244} {
		if math.Abs(st[j]-w) > 5e-4 {
			t.Fatalf("analytic ST[%d] = %.4f, published %.3f", j, st[j], w)
		}
	}
	r, err := Sobol(Ishigami(7, 0.1), IshigamiFactors(), SobolSettings{N: 1 << 12, SecondOrder: true, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	checkIndices(t, "S1", r.S1, s1, tol)
	checkIndices(t, "ST", r.ST, st, tol)
	s2 := []float64{r.S2[0][1].Value, r.S2[0][2].Value, r.S2[1][2].Value}
	for i, w := range []float64{0, st[2], 0} {
		if math.Abs(s2[i]-w) > 2*tol {
			t.Errorf("S2 pair %d = %.4f, want %.4f ± %.2f", i, s2[i], w, 2*tol)
		}
	}
	if !math.IsNaN(r.NoiseVariance) {
		t.Errorf("one replication but noise variance %g", r.NoiseVariance)
	}
	if r.Inert(0) || r.Inert(1) || r.Inert(2) {
		t.Errorf("an Ishigami factor reported inert: ST %+v", r.ST)
	}
}

// Sobol's g-function with a = (0, 1, 4.5, 9, 99, 99, 99, 99): analytic
// V_j = 1/(3(1+a_j)²), S1_j = V_j/V, ST_j = V_j Π_{k≠j}(1+V_k)/V
// (Saltelli and Sobol 1995; Saltelli et al. 2010, test case "G function").
func TestSobolGFunction(t *testing.T) {
	a := []float64{0, 1, 4.5, 9, 99, 99, 99, 99}
	_, s1, st, _ := GIndices(a)
	r, err := Sobol(GFunction(a), GFactors(len(a)), SobolSettings{N: 1 << 12, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// the g-function's indices are resolved well below tol at this N
	checkIndices(t, "S1", r.S1, s1, 0.01)
	checkIndices(t, "ST", r.ST, st, 0.01)
	// the tiny indices (x5 … x8: ST ≈ 1.4e-4) are resolved far better than tol
	checkIndices(t, "ST", r.ST[4:], st[4:], 2e-4)
}

// A factor with no effect gets a total index whose interval reaches 0 and is
// reported inert; a weak but real factor (ST = 0.02 by construction) is not.
// f = x1 + x2 + c·x3 + 0·x4 on [0,1]^4 with c² / (2 + c²) = 0.02.
func TestSobolInertAndWeakFactor(t *testing.T) {
	c := math.Sqrt(0.04 / 0.98)
	f := func(x []float64) float64 { return x[0] + x[1] + c*x[2] + 0*x[3] }
	fs := []Factor{{"x1", 0, 1}, {"x2", 0, 1}, {"weak", 0, 1}, {"inert", 0, 1}}
	for _, seed := range []uint64{1, 2, 3} {
		r, err := Sobol(f, fs, SobolSettings{N: 1 << 12, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Inert(3) || !r.ST[3].Covers(0) {
			t.Errorf("seed %d: inert factor ST %+v not reported inert", seed, r.ST[3])
		}
		if r.Inert(2) {
			t.Errorf("seed %d: weak factor (ST 0.02) reported inert: %+v", seed, r.ST[2])
		}
		if !r.ST[2].Covers(0.02) && math.Abs(r.ST[2].Value-0.02) > 0.005 {
			t.Errorf("seed %d: weak factor ST %+v far from 0.02", seed, r.ST[2])
		}
	}
}

// noisyIshigami adds Gaussian noise of variance tau2 drawn from the task's
// seed (independent seeds per run and replication).
func noisyIshigami(tau2 float64) Model {
	f := Ishigami(7, 0.1)
	return func(x []float64, seed uint64) ([]float64, error) {
		rng := rand.New(rand.NewPCG(seed, 1))
		return []float64{f(x) + math.Sqrt(tau2)*rng.NormFloat64()}, nil
	}
}

// With noise of known variance τ² = 6 (share 6 / (13.84 + 6) = 0.30 of one
// run's variance) and R = 4 replications, the study recovers τ² and the
// noise share, and the corrected indices match the noise-free truth, whereas
// the uncorrected totals are inflated by σ²/(R·Var(ȳ)) (0.098 here) — the
// bias the correction removes.
func TestSobolNoiseCorrection(t *testing.T) {
	const tau2 = 6.0
	v, s1, st := IshigamiIndices(7, 0.1)
	wantShare := tau2 / (v + tau2)
	study, err := NewSobolStudy(IshigamiFactors(), []string{"y"}, SobolSettings{N: 1 << 12, Replications: 4, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), study, noisyIshigami(tau2), 2); err != nil {
		t.Fatal(err)
	}
	r := study.Result().Indices[0]
	if math.Abs(r.NoiseVariance-tau2)/tau2 > 0.03 {
		t.Errorf("noise variance %.3f, want %.1f ± 3%%", r.NoiseVariance, tau2)
	}
	if math.Abs(r.NoiseShare-wantShare) > 0.02 {
		t.Errorf("noise share %.3f, want %.3f ± 0.02", r.NoiseShare, wantShare)
	}
	if math.Abs(r.Variance-v)/v > 0.05 {
		t.Errorf("factor variance %.3f, want %.3f ± 5%%", r.Variance, v)
	}
	checkIndices(t, "S1", r.S1, s1, tol)
	checkIndices(t, "ST", r.ST, st, tol)
	bias := (tau2 / 4) / (v + tau2/4)
	for j := range st {
		if raw := r.RawST[j]; raw-st[j]*(1-bias) < bias/2 {
			t.Errorf("uncorrected ST[%d] = %.4f not inflated by ≈%.3f over the scaled truth %.4f: the test cannot see the correction", j, raw, bias, st[j]*(1-bias))
		}
	}
}

// The stop rule doubles N from 2^8 until every ST half-width is below
// W = 0.05, asking only for new runs: the model is called exactly
// Runs(final N) times, passes have N = 256, 512, … and the final pass's
// indices equal a one-shot analysis of the same design at the final N.
func TestSobolStopRuleResumesNeverRecomputes(t *testing.T) {
	var calls atomic.Int64
	f := Ishigami(7, 0.1)
	m := func(x []float64, _ uint64) ([]float64, error) { calls.Add(1); return []float64{f(x)}, nil }
	set := SobolSettings{N: 256, UntilCI: 0.05, MaxN: 1 << 14, Seed: 9, Resamples: 200}
	st, err := NewSobolStudy(IshigamiFactors(), []string{"y"}, set)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), st, m, 2); err != nil {
		t.Fatal(err)
	}
	passes := st.Passes()
	final := st.Result()
	if len(passes) < 2 {
		t.Fatalf("stop rule made %d passes; W = 0.02 needs more than N = 256", len(passes))
	}
	if st.Converged() && len(passes) == 0 {
		t.Fatal("no passes")
	}
	for i, p := range passes {
		if p.N != 256<<i {
			t.Fatalf("pass %d has N = %d, want %d", i, p.N, 256<<i)
		}
	}
	if w := final.MaxHalfWidth(); w >= 0.05 || !st.Converged() {
		t.Fatalf("stopped at N = %d with half-width %.4f (converged %v), want < 0.05", final.N, w, st.Converged())
	}
	if w := passes[len(passes)-2].MaxHalfWidth(); w < 0.05 {
		t.Fatalf("pass before last already had half-width %.4f < 0.05", w)
	}
	if got, want := calls.Load(), int64(st.Design().Runs(final.N)); got != want {
		t.Fatalf("model called %d times, the final design has %d runs", got, want)
	}
	set.N, set.UntilCI = final.N, 0
	oneShot, err := NewSobolStudy(IshigamiFactors(), []string{"y"}, set)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), oneShot, m, 1); err != nil {
		t.Fatal(err)
	}
	if !samePass(oneShot.Result(), final) {
		t.Fatalf("extended design's indices differ from a one-shot design at N = %d", final.N)
	}
	t.Logf("stopped at N = %d (%d runs), half-widths by pass: %v", final.N, calls.Load(), halfWidths(passes))
}

// samePass compares two passes value by value, NaN equal to NaN (an
// unestimated noise variance), bit for bit otherwise.
func samePass(a, b *SobolPass) bool {
	if a.N != b.N || a.Runs != b.Runs || len(a.Indices) != len(b.Indices) {
		return false
	}
	for i := range a.Indices {
		if fmt.Sprintf("%#v", *a.Indices[i]) != fmt.Sprintf("%#v", *b.Indices[i]) {
			return false
		}
	}
	return true
}

func halfWidths(ps []*SobolPass) []float64 {
	var w []float64
	for _, p := range ps {
		w = append(w, math.Round(p.MaxHalfWidth()*1e4)/1e4)
	}
	return w
}

// Same design and seed ⇒ identical indices for any number of workers and
// for a study resumed from stored results (told in a different order).
func TestSobolDeterministicWorkersAndResume(t *testing.T) {
	set := SobolSettings{N: 512, Replications: 2, Seed: 3, Resamples: 200, SecondOrder: true}
	model := noisyIshigami(1)
	var results []*SobolPass
	for _, w := range []int{1, 3, 8} {
		st, _ := NewSobolStudy(IshigamiFactors(), []string{"y"}, set)
		if err := Run(context.Background(), st, model, w); err != nil {
			t.Fatal(err)
		}
		results = append(results, st.Result())
	}
	for i := 1; i < len(results); i++ {
		if !samePass(results[0], results[i]) {
			t.Fatalf("workers run %d differs from 1 worker", i)
		}
	}
	// resume: a first process evaluates half the tasks and stops; a second
	// is told those (reversed) and asks only for the rest.
	first, _ := NewSobolStudy(IshigamiFactors(), []string{"y"}, set)
	tasks, _ := first.Ask()
	type told struct {
		run, rep int
		y        []float64
	}
	var store []told
	for _, tk := range tasks[:len(tasks)/2] {
		y, _ := model(tk.X, tk.Seed)
		store = append(store, told{tk.Run, tk.Rep, y})
	}
	second, _ := NewSobolStudy(IshigamiFactors(), []string{"y"}, set)
	for i := len(store) - 1; i >= 0; i-- {
		if err := second.Tell(store[i].run, store[i].rep, store[i].y); err != nil {
			t.Fatal(err)
		}
	}
	rest, _ := second.Ask()
	if len(rest) != len(tasks)-len(store) {
		t.Fatalf("resumed study asks for %d tasks, want %d", len(rest), len(tasks)-len(store))
	}
	if err := Run(context.Background(), second, model, 2); err != nil {
		t.Fatal(err)
	}
	if !samePass(results[0], second.Result()) {
		t.Fatalf("resumed study's indices differ")
	}
}

func TestSobolSettingsRejected(t *testing.T) {
	fs := IshigamiFactors()
	for _, tc := range []struct {
		name string
		fs   []Factor
		set  SobolSettings
	}{
		{"N not a power of two", fs, SobolSettings{N: 1000}},
		{"N = 1", fs, SobolSettings{N: 1}},
		{"max N below N", fs, SobolSettings{N: 256, MaxN: 128}},
		{"few resamples", fs, SobolSettings{Resamples: 50}},
		{"negative width", fs, SobolSettings{UntilCI: -1}},
		{"reversed bounds", []Factor{{"x", 1, 0}}, SobolSettings{}},
		{"empty interval", []Factor{{"x", 1, 1}}, SobolSettings{}},
		{"infinite bound", []Factor{{"x", 0, math.Inf(1)}}, SobolSettings{}},
		{"duplicate names", []Factor{{"x", 0, 1}, {"x", 0, 2}}, SobolSettings{}},
		{"no factors", nil, SobolSettings{}},
	} {
		if _, err := NewSobolStudy(tc.fs, []string{"y"}, tc.set); err == nil {
			t.Errorf("%s: accepted", tc.name)
		} else {
			t.Logf("%s: %v", tc.name, err)
		}
	}
	if _, err := Sobol(func([]float64) float64 { return 1 }, fs, SobolSettings{N: 64, Resamples: 100}); err == nil {
		t.Errorf("constant output accepted")
	}
}
