package stats

import "math"

// Bounds is the range a KPI can take, e.g. [NonNegative] for GMV or orders
// and [Proportion] for a fulfilment rate. A zero Bounds is [0, 0]; use
// [Unbounded] for no bound.
type Bounds struct{ Lo, Hi float64 }

// Unbounded is (−∞, +∞).
func Unbounded() Bounds { return Bounds{math.Inf(-1), math.Inf(1)} }

// NonNegative is [0, +∞): totals, counts, money, ratios of those.
func NonNegative() Bounds { return Bounds{0, math.Inf(1)} }

// Proportion is [0, 1].
func Proportion() Bounds { return Bounds{0, 1} }

// Clip bounds e's interval to b by clipping: Lo = max(Lo, b.Lo), Hi =
// min(Hi, b.Hi). Mean, SD and SE are left as they are; an undefined
// interval stays undefined. Clipping keeps the interval's coverage (the
// true value lies inside b, so it is inside the clipped interval whenever
// it was inside the original) and is the method to use when the unclipped
// interval is symmetric by construction (Student t, Welch). Prefer
// [LogMeanCI] for a positive quantity whose distribution is skewed.
func (e Estimate) Clip(b Bounds) Estimate {
	if !e.Defined() {
		return e
	}
	e.Lo, e.Hi = max(e.Lo, b.Lo), min(e.Hi, b.Hi)
	if e.Lo > e.Hi { // the whole interval lay outside b: collapse onto the nearer bound
		if e.Hi < b.Lo || e.Lo == b.Lo {
			e.Hi = e.Lo
		} else {
			e.Lo = e.Hi
		}
	}
	return e
}

// NotPositive is the reason [LogMeanCI] gives when the mean is not > 0.
const NotPositive = "the mean is not positive: a log-scale interval needs a positive mean"

// LogMeanCI is the mean of the defined values of xs with an interval
// formed on the log scale by the delta method: log(mean) ± t · SE/mean,
// transformed back, i.e. [mean·exp(−t·SE/mean), mean·exp(t·SE/mean)]. The
// interval is always inside (0, +∞) and is skewed to the right as
// positive quantities are; it has the same first-order coverage as
// [MeanCI]. The n < 2 rule is [MeanCI]'s; a mean ≤ 0 gives an undefined
// interval ([NotPositive]).
func LogMeanCI(xs []float64, level float64) Estimate {
	e := MeanCI(xs, level)
	if !e.Defined() {
		return e
	}
	if !(e.Mean > 0) {
		e.Lo, e.Hi, e.Undefined = math.NaN(), math.NaN(), NotPositive
		return e
	}
	f := math.Exp(TCritical(e.Level, float64(e.N-1)) * e.SE / e.Mean)
	e.Lo, e.Hi = e.Mean/f, e.Mean*f
	return e
}
