package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// DefaultLevel is the confidence level used where a caller gives none (0).
const DefaultLevel = 0.95

// Reasons an estimate's interval (or mean) is undefined. An [Estimate]
// carries one of these, or a caller's more specific sentence, in Undefined.
const (
	// NoObservations: no defined observation (every value was NaN, e.g. a
	// ratio whose denominator was zero in every replication).
	NoObservations = "no defined observation"
	// OneObservation is the rule for n < 2: the mean is the observation,
	// the spread and the interval are undefined (never zero-width).
	OneObservation = "one observation: an interval needs at least two"
	// BadLevel: the confidence level is not inside (0, 1).
	BadLevel = "confidence level outside (0, 1)"
)

// Estimate is a point estimate with its confidence interval.
//
// Undefined values are NaN and are written to JSON as null (see
// [Estimate.MarshalJSON]). When the interval is undefined, Lo and Hi are
// NaN and Undefined says why; a defined interval may be zero-width only
// because the data have no spread (every observation equal), never because
// there were too few of them.
type Estimate struct {
	Mean  float64 // point estimate; NaN when N == 0
	SD    float64 // sample standard deviation (n − 1); NaN when N < 2 or not applicable
	SE    float64 // standard error of Mean; NaN when undefined
	N     int     // observations used (defined values; pairs for paired differences)
	Level float64 // confidence level of [Lo, Hi], e.g. 0.95
	Lo    float64 // lower confidence limit; NaN when undefined
	Hi    float64 // upper confidence limit; NaN when undefined
	// Undefined is empty when the interval is defined, else the reason it
	// is not (e.g. [OneObservation]).
	Undefined string
}

// Defined reports whether the interval is defined.
func (e Estimate) Defined() bool { return e.Undefined == "" }

// HalfWidth is (Hi − Lo) / 2, NaN when the interval is undefined.
func (e Estimate) HalfWidth() float64 { return (e.Hi - e.Lo) / 2 }

// Contains reports whether x lies in the closed interval [Lo, Hi]; false
// when the interval is undefined.
func (e Estimate) Contains(x float64) bool { return e.Defined() && e.Lo <= x && x <= e.Hi }

// String formats e as "mean [lo, hi] (95%, n=N)" or "mean (undefined: reason)".
func (e Estimate) String() string {
	if !e.Defined() {
		return fmt.Sprintf("%.6g (n=%d; interval undefined: %s)", e.Mean, e.N, e.Undefined)
	}
	return fmt.Sprintf("%.6g [%.6g, %.6g] (%g%%, n=%d)", e.Mean, e.Lo, e.Hi, 100*e.Level, e.N)
}

// undefined returns an estimate with the interval undefined for reason.
func undefined(mean float64, n int, level float64, reason string) Estimate {
	nan := math.NaN()
	return Estimate{Mean: mean, SD: nan, SE: nan, N: n, Level: level, Lo: nan, Hi: nan, Undefined: reason}
}

func levelOr(level float64) float64 {
	if level == 0 {
		return DefaultLevel
	}
	return level
}

func validLevel(level float64) bool { return level > 0 && level < 1 }

// TCritical is the two-sided Student-t critical value for a confidence
// level with df degrees of freedom: the (1 + level)/2 quantile (2.262157
// for level 0.95, df 9). NaN when df is not positive or level is outside
// (0, 1). df need not be an integer (Welch's degrees of freedom are not).
func TCritical(level, df float64) float64 {
	if !(df > 0) || !validLevel(level) {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.5 + level/2)
}

// MeanCI is the mean of the defined (non-NaN) values of xs with its
// Student-t confidence interval at level (0 means [DefaultLevel]):
// mean ± t(df = n − 1) · SD/√n.
//
// The rule for small samples: with no defined value the estimate is
// undefined ([NoObservations]); with one, Mean is that value and the
// interval is undefined ([OneObservation]).
//
// The sums are plain sequential two-pass sums (mean, then squared
// deviations), so results are reproducible to the last bit.
func MeanCI(xs []float64, level float64) Estimate {
	level = levelOr(level)
	var n int
	var sum float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			n++
			sum += x
		}
	}
	if n == 0 {
		return undefined(math.NaN(), 0, level, NoObservations)
	}
	mean := sum / float64(n)
	if n < 2 {
		return undefined(mean, n, level, OneObservation)
	}
	if !validLevel(level) {
		return undefined(mean, n, level, BadLevel)
	}
	var ss float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			d := x - mean
			ss += d * d
		}
	}
	sd := math.Sqrt(ss / float64(n-1))
	se := sd / math.Sqrt(float64(n))
	// t·sd/√n in this order (not t·se): the engine's golden file holds
	// intervals computed so, to the last bit.
	h := TCritical(level, float64(n-1)) * sd / math.Sqrt(float64(n))
	return Estimate{Mean: mean, SD: sd, SE: se, N: n, Level: level, Lo: mean - h, Hi: mean + h}
}

// Differences returns x[i] − y[i] over the common length of x and y; a
// pair where either side is NaN gives NaN (and is then skipped by
// [MeanCI]).
func Differences(x, y []float64) []float64 {
	n := min(len(x), len(y))
	d := make([]float64, n)
	for i := range n {
		d[i] = x[i] - y[i]
	}
	return d
}

// PairedDiff estimates the mean paired difference mean(x[i] − y[i]) with
// its Student-t interval (R: t.test(x, y, paired = TRUE)). Pairs beyond the
// shorter slice, and pairs where either side is NaN, are skipped; N counts
// the pairs used. Common random numbers make x[i] and y[i] a pair.
func PairedDiff(x, y []float64, level float64) Estimate {
	return MeanCI(Differences(x, y), level)
}
