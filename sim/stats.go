package sim

import "github.com/startrend/startrend/stats"

// Estimate is a mean with its confidence interval; see [stats.Estimate]
// (the one statistics package). With fewer than two replications the
// interval is undefined (NaN, with a reason), never zero-width.
type Estimate = stats.Estimate

// MeanCI is [stats.MeanCI] at the 95% level: the mean of the defined
// (non-NaN) values of xs with its Student-t interval.
//
// Deprecated: use [stats.MeanCI]; this wrapper remains while the engine's
// tests move over.
func MeanCI(xs []float64) Estimate { return stats.MeanCI(xs, stats.DefaultLevel) }

// PairedDiff estimates mean(b − a) over pairs (a[i], b[i]) at the 95%
// level; pairs where either side is NaN are skipped. Note the order: it is
// [stats.PairedDiff](b, a).
//
// Deprecated: use [stats.PairedDiff]; this wrapper remains while the
// engine's tests move over.
func PairedDiff(a, b []float64) Estimate { return stats.PairedDiff(b, a, stats.DefaultLevel) }
