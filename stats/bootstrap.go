package stats

import (
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// BootstrapMethod is how a [Bootstrap] forms its interval.
type BootstrapMethod int

const (
	// Percentile takes the (1 − level)/2 and (1 + level)/2 quantiles of
	// the resampled statistics.
	Percentile BootstrapMethod = iota
	// BCa is the bias-corrected and accelerated percentile interval
	// (Efron 1987): the quantile levels are shifted by the bias
	// correction z0 (from the share of resamples below the estimate) and
	// the acceleration a (from the jackknife's skewness).
	BCa
)

// DefaultResamples is the number of resamples a zero [Bootstrap] draws.
const DefaultResamples = 2000

// Reasons a bootstrap interval is undefined (besides the n < 2 rule).
const (
	StatisticUndefined = "the statistic is undefined on the data"
	TooFewResamples    = "the statistic is undefined in more than half of the resamples"
	OneSided           = "every resample lies on one side of the estimate (BCa bias correction is infinite)"
)

// Bootstrap is a nonparametric bootstrap over n observations, drawn with a
// seeded generator (PCG) so that the same Seed gives the same interval on
// every machine. The zero value is a 95% percentile bootstrap with
// [DefaultResamples] resamples and seed 0.
type Bootstrap struct {
	Resamples int     // 0 means DefaultResamples
	Level     float64 // 0 means DefaultLevel
	Seed      uint64
	Method    BootstrapMethod
}

// Interval estimates a statistic of n observations: statistic(idx) computes it
// on the observations idx (indices into the caller's data, with
// repetitions); the point estimate is statistic(0, 1, …, n−1). Several series
// resampled together (e.g. gmv and spend of the same replications for a
// ratio of totals) stay paired because they share idx. Resamples where
// statistic is NaN are dropped; if more than half are, the interval is
// undefined ([TooFewResamples]).
//
// The limits are empirical (inverse-CDF) quantiles of the sorted resampled
// statistics, so each limit is one of them. Mean is the point estimate,
// SE the standard deviation of the resampled
// statistics, SD is NaN. With n < 2 the interval is undefined
// ([OneObservation]).
func (b Bootstrap) Interval(n int, statistic func(idx []int) float64) Estimate {
	level := levelOr(b.Level)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	theta := math.NaN()
	if n > 0 {
		theta = statistic(all)
	}
	switch {
	case n == 0:
		return undefined(math.NaN(), 0, level, NoObservations)
	case n < 2:
		return undefined(theta, n, level, OneObservation)
	case !validLevel(level):
		return undefined(theta, n, level, BadLevel)
	case math.IsNaN(theta):
		return undefined(theta, n, level, StatisticUndefined)
	}
	reps := b.resample(n, statistic)
	B := b.Resamples
	if B <= 0 {
		B = DefaultResamples
	}
	if 2*len(reps) < B {
		return undefined(theta, n, level, TooFewResamples)
	}
	sort.Float64s(reps)
	pLo, pHi := (1-level)/2, (1+level)/2
	if b.Method == BCa {
		z0, ok := biasCorrection(reps, theta)
		if !ok {
			return undefined(theta, n, level, OneSided)
		}
		a := acceleration(n, statistic)
		pLo, pHi = bcaLevel(pLo, z0, a), bcaLevel(pHi, z0, a)
	}
	e := Estimate{Mean: theta, SD: math.NaN(), N: n, Level: level}
	e.SE = math.Sqrt(stat.Variance(reps, nil))
	e.Lo = stat.Quantile(pLo, stat.Empirical, reps, nil)
	e.Hi = stat.Quantile(pHi, stat.Empirical, reps, nil)
	return e
}

// MeanCI is the bootstrap interval of the mean of the defined (non-NaN)
// values of xs.
func (b Bootstrap) MeanCI(xs []float64) Estimate {
	ys := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			ys = append(ys, x)
		}
	}
	return b.Interval(len(ys), func(idx []int) float64 {
		var s float64
		for _, i := range idx {
			s += ys[i]
		}
		return s / float64(len(idx))
	})
}

// resample returns the defined statistics of the resamples.
func (b Bootstrap) resample(n int, statistic func(idx []int) float64) []float64 {
	B := b.Resamples
	if B <= 0 {
		B = DefaultResamples
	}
	r := rand.New(rand.NewPCG(b.Seed, 0x9e3779b97f4a7c15))
	idx := make([]int, n)
	out := make([]float64, 0, B)
	for range B {
		for i := range idx {
			idx[i] = r.IntN(n)
		}
		if v := statistic(idx); !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

var unitNormal = distuv.Normal{Mu: 0, Sigma: 1}

// biasCorrection is z0 = Φ⁻¹(share of resamples below theta, ties
// counting half); ok is false when that share is 0 or 1.
func biasCorrection(sorted []float64, theta float64) (z0 float64, ok bool) {
	below := sort.SearchFloat64s(sorted, theta)
	upTo := sort.Search(len(sorted), func(i int) bool { return sorted[i] > theta })
	share := (float64(below) + 0.5*float64(upTo-below)) / float64(len(sorted))
	if share <= 0 || share >= 1 {
		return 0, false
	}
	return unitNormal.Quantile(share), true
}

// acceleration is the jackknife estimate of the BCa acceleration:
// a = Σd³ / (6 (Σd²)^{3/2}) with d_i = mean(θ_(·)) − θ_(i), θ_(i) the
// statistic without observation i. 0 when the jackknife has no spread.
func acceleration(n int, statistic func(idx []int) float64) float64 {
	jack := make([]float64, n)
	idx := make([]int, n-1)
	for i := range n {
		k := 0
		for j := range n {
			if j != i {
				idx[k] = j
				k++
			}
		}
		jack[i] = statistic(idx)
	}
	return jackknifeAcceleration(jack)
}

func jackknifeAcceleration(jack []float64) float64 {
	var mean float64
	for _, v := range jack {
		mean += v
	}
	mean /= float64(len(jack))
	var s2, s3 float64
	for _, v := range jack {
		d := mean - v
		s2 += d * d
		s3 += d * d * d
	}
	if s2 == 0 || math.IsNaN(s2) {
		return 0
	}
	return s3 / (6 * math.Pow(s2, 1.5))
}

// bcaLevel maps a nominal quantile level p to BCa's:
// Φ(z0 + (z0 + z_p) / (1 − a (z0 + z_p))).
func bcaLevel(p, z0, a float64) float64 {
	z := z0 + unitNormal.Quantile(p)
	return unitNormal.CDF(z0 + z/(1-a*z))
}
