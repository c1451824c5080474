package sensitivity

import (
	"testing"
)

// BenchmarkSobolAnalyze measures the estimators: one output, D = 12 factors,
// N = 2^10 base points (14,336 runs), 2 replications, 1,000 bootstrap
// resamples. Divide by the runs to get the estimator's cost per model run
// (a simulation run of the default market takes seconds).
func BenchmarkSobolAnalyze(b *testing.B) {
	const d, n = 12, 1 << 10
	fs := GFactors(d)
	des, _ := NewSaltelliDesign(fs, false, 1)
	a := make([]float64, d)
	for j := range a {
		a[j] = float64(j * j)
	}
	f := GFunction(a)
	y := make([][]float64, des.Runs(n))
	var x []float64
	for i := range y {
		x = des.Point(i, x)
		y[i] = []float64{f(x), f(x) * 1.01}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := des.Analyze(y, n, 1000); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(y)), "ns/run")
}

// BenchmarkMorrisEffects: D = 12, 50 trajectories (650 runs), 1,000
// resamples.
func BenchmarkMorrisEffects(b *testing.B) {
	st, _ := NewMorrisStudy(GFactors(12), []string{"y"}, MorrisSettings{Trajectories: 50, Candidates: 200, Seed: 1})
	f := GFunction(make([]float64, 12))
	for i := range st.Runs() {
		st.Tell(i, 0, []float64{f(st.Point(i, nil))})
	}
	for b.Loop() {
		if _, err := st.Effects(); err != nil {
			b.Fatal(err)
		}
	}
}
