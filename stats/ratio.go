package stats

import "math"

// Ratio is num / den, the one rule for ratios: NaN (undefined) when den is
// zero or either side is NaN — never 0, never ±Inf. An undefined ratio is
// written to JSON as null (see [Float]) with a reason from
// [ZeroDenominator], and is skipped by [MeanCI].
func Ratio(num, den float64) float64 {
	if den == 0 || math.IsNaN(num) || math.IsNaN(den) {
		return math.NaN()
	}
	return num / den
}

// ROI is return on spend, gmv / spend, by the rule of [Ratio]: undefined
// (NaN) when spend is zero. It is the one definition of ROI: a
// replication's ROI is ROI(its GMV, its spend), and ROI over replications
// is the [MeanCI] of those.
func ROI(gmv, spend float64) float64 { return Ratio(gmv, spend) }

// ROIs is [ROI] element-wise over replications (the common length).
func ROIs(gmv, spend []float64) []float64 {
	n := min(len(gmv), len(spend))
	out := make([]float64, n)
	for i := range n {
		out[i] = ROI(gmv[i], spend[i])
	}
	return out
}

// ZeroDenominator is the reason given for a ratio that is undefined
// because its denominator (named den, e.g. "spend") is zero.
func ZeroDenominator(den string) string { return den + " is zero" }

// ZeroDenominatorEverywhere is the reason given for an estimate over
// replications of a ratio whose denominator den is zero in every one.
func ZeroDenominatorEverywhere(den string) string {
	return den + " is zero in every replication"
}
