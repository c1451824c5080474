package sim

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate is a mean over replications with its Student-t 95% confidence
// interval. With N < 2 the interval collapses to the mean (SD 0).
type Estimate struct {
	Mean, SD float64
	Lo, Hi   float64
	N        int
}

// MeanCI returns the mean of xs with a Student-t 95% CI. It ignores NaN
// entries (undefined ratios); with no defined entry it returns N = 0.
func MeanCI(xs []float64) Estimate {
	var n int
	var sum float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			n++
			sum += x
		}
	}
	if n == 0 {
		return Estimate{}
	}
	mean := sum / float64(n)
	if n < 2 {
		return Estimate{Mean: mean, Lo: mean, Hi: mean, N: n}
	}
	var ss float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			d := x - mean
			ss += d * d
		}
	}
	sd := math.Sqrt(ss / float64(n-1))
	h := TQuantile975(n-1) * sd / math.Sqrt(float64(n))
	return Estimate{Mean: mean, SD: sd, Lo: mean - h, Hi: mean + h, N: n}
}

// PairedDiff estimates mean(b - a) over pairs (a[i], b[i]) with a Student-t
// 95% CI; pairs where either side is NaN are skipped.
func PairedDiff(a, b []float64) Estimate {
	n := min(len(a), len(b))
	d := make([]float64, n)
	for i := range n {
		d[i] = b[i] - a[i]
	}
	return MeanCI(d)
}

// TQuantile975 is the 0.975 quantile of Student's t with df degrees of freedom.
func TQuantile975(df int) float64 {
	if df < 1 {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}
