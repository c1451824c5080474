package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// WelchDiff estimates the difference of two independent means, x.Mean −
// y.Mean, with Welch's interval: standard error √(sx²/nx + sy²/ny) and
// Welch–Satterthwaite degrees of freedom. x and y are [MeanCI] estimates
// (their SD and N are used; their own intervals are not). N is nx + ny.
//
// When either side has fewer than two observations the interval is
// undefined (the mean difference is still given when both have one); when
// both sides have no spread the interval is [d, d].
func WelchDiff(x, y Estimate, level float64) Estimate {
	level = levelOr(level)
	n := x.N + y.N
	if x.N == 0 || y.N == 0 {
		return undefined(math.NaN(), n, level, NoObservations)
	}
	d := x.Mean - y.Mean
	if x.N < 2 || y.N < 2 {
		return undefined(d, n, level, OneObservation)
	}
	if !validLevel(level) {
		return undefined(d, n, level, BadLevel)
	}
	se, df := welchSE(x, y)
	h := 0.0
	if se > 0 {
		h = TCritical(level, df) * se
	}
	return Estimate{Mean: d, SD: math.NaN(), SE: se, N: n, Level: level, Lo: d - h, Hi: d + h}
}

// Welch is [WelchDiff] of the [MeanCI] estimates of x and y (R:
// t.test(x, y) with its default var.equal = FALSE).
func Welch(x, y []float64, level float64) Estimate {
	return WelchDiff(MeanCI(x, level), MeanCI(y, level), level)
}

func welchSE(x, y Estimate) (se, df float64) {
	vx, vy := x.SD*x.SD/float64(x.N), y.SD*y.SD/float64(y.N)
	se = math.Sqrt(vx + vy)
	df = (vx + vy) * (vx + vy) / (vx*vx/float64(x.N-1) + vy*vy/float64(y.N-1))
	return se, df
}

// Alternative is the alternative hypothesis of a test about a difference
// δ (mean(x − y) for [PairedTest], mean(x) − mean(y) for [WelchTest]).
type Alternative int

const (
	TwoSided Alternative = iota // δ ≠ 0
	Greater                     // δ > 0
	Less                        // δ < 0
)

// TestResult is the outcome of a t test. P is NaN and Undefined says why
// when the test is undefined (fewer than two observations on a side).
type TestResult struct {
	Diff      float64 // the estimated difference δ
	T         float64 // t statistic; ±Inf when the data have no spread and δ ≠ 0
	DF        float64 // degrees of freedom
	P         float64 // p-value under the Alternative
	N         int     // pairs (paired) or nx + ny (Welch)
	Undefined string  // empty, or why P is undefined
}

// PairedTest is the paired t test of H0: mean(x − y) = 0 against alt, over
// the pairs [PairedDiff] uses (R: t.test(x, y, paired = TRUE, alternative
// = …)). With no spread in the differences T is ±Inf (P 0 or 1 one-sided)
// or, when every difference is 0, P is 1.
func PairedTest(x, y []float64, alt Alternative) TestResult {
	e := MeanCI(Differences(x, y), DefaultLevel)
	r := TestResult{Diff: e.Mean, N: e.N, T: math.NaN(), DF: math.NaN(), P: math.NaN()}
	if e.N < 2 {
		r.Undefined = e.Undefined
		return r
	}
	r.DF = float64(e.N - 1)
	r.T, r.P = tTest(e.Mean, e.SE, r.DF, alt)
	return r
}

// WelchTest is Welch's two-sample t test of H0: mean(x) = mean(y) against
// alt (R: t.test(x, y, alternative = …)). NaN values are skipped.
func WelchTest(x, y []float64, alt Alternative) TestResult {
	ex, ey := MeanCI(x, DefaultLevel), MeanCI(y, DefaultLevel)
	r := TestResult{Diff: ex.Mean - ey.Mean, N: ex.N + ey.N, T: math.NaN(), DF: math.NaN(), P: math.NaN()}
	switch {
	case ex.N == 0 || ey.N == 0:
		r.Undefined = NoObservations
		return r
	case ex.N < 2 || ey.N < 2:
		r.Undefined = OneObservation
		return r
	}
	se, df := welchSE(ex, ey)
	r.DF = df
	r.T, r.P = tTest(r.Diff, se, df, alt)
	return r
}

// tTest returns t = d/se and its p-value under alt; se == 0 is handled by
// the rule documented on PairedTest.
func tTest(d, se, df float64, alt Alternative) (t, p float64) {
	if se == 0 && d == 0 {
		return math.NaN(), 1
	}
	t = d / se // ±Inf when se == 0
	// upper is P(T ≥ t), lower is P(T ≤ t); exact at ±Inf whatever df is.
	var upper, lower float64
	switch {
	case math.IsInf(t, 1):
		upper, lower = 0, 1
	case math.IsInf(t, -1):
		upper, lower = 1, 0
	default:
		dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
		upper, lower = dist.Survival(t), dist.CDF(t)
	}
	switch alt {
	case Greater:
		return t, upper
	case Less:
		return t, lower
	}
	return t, min(1, 2*min(upper, lower))
}
