package stats

import (
	"math"
	"testing"
)

// TestBootstrapExact: x = {1, 2, 6}. The exact bootstrap distribution of
// the mean (27 equally likely resamples, enumerated by hand) has CDF
// 0.037 at 1, 0.148 at 4/3, …, 0.852 at 13/3, 0.963 at 14/3; the 10% and
// 90% quantiles are 4/3 and 14/3 and no jump is near them, so 20,000
// resamples find them exactly.
func TestBootstrapExact(t *testing.T) {
	e := Bootstrap{Resamples: 20000, Level: 0.8, Seed: 1}.MeanCI([]float64{1, 2, math.NaN(), 6})
	near(t, "lo", e.Lo, 4.0/3, 1e-12)
	near(t, "hi", e.Hi, 14.0/3, 1e-12)
	near(t, "mean", e.Mean, 3, 1e-15)
	// Bootstrap SE of the mean: √(Σ(x−x̄)²/n²) = √(14/9) = 1.2472 (the
	// plug-in variance / n), to resampling accuracy.
	near(t, "se", e.SE, math.Sqrt(14.0/9), 0.02)
	if e.N != 3 || !e.Defined() {
		t.Errorf("%+v", e)
	}
}

// TestBootstrapEmpiricalQuantile: the limits are empirical (inverse-CDF)
// quantiles of the resampled statistics, so each is one of them: for
// integer data of n = 3, a multiple of 1/3 even with 10 resamples.
func TestBootstrapEmpiricalQuantile(t *testing.T) {
	for seed := range uint64(20) {
		e := Bootstrap{Resamples: 10, Level: 0.5, Seed: seed}.MeanCI([]float64{1, 2, 6})
		for _, v := range []float64{e.Lo, e.Hi} {
			if k := v * 3; math.Abs(k-math.Round(k)) > 1e-9 {
				t.Fatalf("seed %d: limit %v is not a resample mean (k/3)", seed, v)
			}
		}
	}
}

// TestBootstrapDeterministic: same seed, same interval; another seed,
// another one.
func TestBootstrapDeterministic(t *testing.T) {
	xs := []float64{3.1, 4.7, 2.2, 9.8, 5.5, 6.1, 1.9, 7.3}
	for _, m := range []BootstrapMethod{Percentile, BCa} {
		a := Bootstrap{Seed: 7, Method: m}.MeanCI(xs)
		b := Bootstrap{Seed: 7, Method: m}.MeanCI(xs)
		c := Bootstrap{Seed: 8, Method: m}.MeanCI(xs)
		if a.String() != b.String() || a.SE != b.SE {
			t.Errorf("method %d: same seed, %+v vs %+v", m, a, b)
		}
		if a.Lo == c.Lo && a.Hi == c.Hi {
			t.Errorf("method %d: seeds 7 and 8 give the same interval %v", m, a)
		}
	}
}

// TestBootstrapAgreesWithT: for the mean of 400 near-symmetric values the
// percentile interval is within a few percent of Student's (both
// estimate mean ± 1.96·SE; SE differs by √((n−1)/n)).
func TestBootstrapAgreesWithT(t *testing.T) {
	xs := make([]float64, 400)
	for i := range xs {
		xs[i] = math.Sin(float64(i)*1.7) * 10
	}
	tt := MeanCI(xs, 0.95)
	for _, m := range []BootstrapMethod{Percentile, BCa} {
		bs := Bootstrap{Seed: 3, Resamples: 4000, Method: m}.MeanCI(xs)
		if math.Abs(bs.HalfWidth()-tt.HalfWidth()) > 0.06*tt.HalfWidth() || math.Abs(bs.Lo-tt.Lo) > 0.1*tt.HalfWidth() {
			t.Errorf("method %d: bootstrap %v vs t %v", m, bs, tt)
		}
	}
}

// TestBCaComponents: closed forms. Jackknife of the mean of {1,2,3,4,10}:
// leave-one-out means 4.75, 4.5, 4.25, 4, 2.5; d = −0.75, −0.5, −0.25, 0,
// 1.5; a = Σd³/(6(Σd²)^1.5) = 2.8125/(6·3.125^1.5) = 0.0848528. z0 for
// theta 3 among {1,2,3,4}: share (2 + ½)/4 = 0.625, Φ⁻¹(0.625) =
// 0.3186394. BCa levels for z0 = 0.3, a = 0.1 (Python statistics.NormalDist):
// 0.025 → 0.1305820, 0.975 → 0.9993587.
func TestBCaComponents(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 10}
	a := acceleration(len(xs), func(idx []int) float64 {
		s := 0.0
		for _, i := range idx {
			s += xs[i]
		}
		return s / float64(len(idx))
	})
	near(t, "a", a, 0.08485281374238571, 1e-12)
	z0, ok := biasCorrection([]float64{1, 2, 3, 4}, 3)
	near(t, "z0", z0, 0.31863936396437514, 1e-9)
	if !ok {
		t.Error("z0 not ok")
	}
	if _, ok := biasCorrection([]float64{1, 2}, 0); ok {
		t.Error("all resamples above theta: want !ok")
	}
	near(t, "bca lo", bcaLevel(0.025, 0.3, 0.1), 0.13058200320512436, 1e-9)
	near(t, "bca hi", bcaLevel(0.975, 0.3, 0.1), 0.9993586814112577, 1e-9)
	near(t, "bca identity", bcaLevel(0.025, 0, 0), 0.025, 1e-12)
}

// TestBCaSkew: for right-skewed data BCa moves the interval right of the
// percentile interval (positive acceleration and bias correction).
func TestBCaSkew(t *testing.T) {
	xs := make([]float64, 60)
	for i := range xs {
		xs[i] = math.Exp(2 * math.Sin(float64(i)*2.3)) // skewed, positive
	}
	p := Bootstrap{Seed: 5}.MeanCI(xs)
	b := Bootstrap{Seed: 5, Method: BCa}.MeanCI(xs)
	if !(b.Lo > p.Lo && b.Hi > p.Hi) {
		t.Errorf("BCa %v not right of percentile %v", b, p)
	}
}

// TestBootstrapUndefined: the n < 2 rule, an undefined statistic, and a
// constant sample (a zero-width interval is right there).
func TestBootstrapUndefined(t *testing.T) {
	if e := (Bootstrap{}).MeanCI([]float64{4}); e.Undefined != OneObservation || e.Mean != 4 {
		t.Errorf("n = 1: %+v", e)
	}
	if e := (Bootstrap{}).MeanCI(nil); e.Undefined != NoObservations {
		t.Errorf("n = 0: %+v", e)
	}
	gmv, spend := []float64{5, 6, 7}, []float64{0, 0, 1}
	ratio := func(idx []int) float64 {
		var g, s float64
		for _, i := range idx {
			g += gmv[i]
			s += spend[i]
		}
		return Ratio(g, s)
	}
	// Spend is zero in (2/3)³ ≈ 30% of resamples: dropped, still defined.
	if e := (Bootstrap{Seed: 1}).Interval(3, ratio); !e.Defined() || e.Mean != 18 {
		t.Errorf("ratio of totals: %+v", e)
	}
	spend = []float64{0, 0, 0}
	if e := (Bootstrap{}).Interval(3, ratio); e.Undefined != StatisticUndefined {
		t.Errorf("zero spend: %+v", e)
	}
	// A statistic defined only when the first draw is observation 0: NaN in
	// 2/3 of the resamples.
	picky := func(idx []int) float64 {
		if idx[0] != 0 {
			return math.NaN()
		}
		return float64(len(idx))
	}
	if e := (Bootstrap{}).Interval(3, picky); e.Undefined != TooFewResamples {
		t.Errorf("statistic NaN in 2/3 of resamples: %+v", e)
	}
	for _, m := range []BootstrapMethod{Percentile, BCa} {
		if e := (Bootstrap{Method: m}).MeanCI([]float64{2, 2, 2}); !e.Defined() || e.Lo != 2 || e.Hi != 2 {
			t.Errorf("method %d constant: %+v", m, e)
		}
	}
}
