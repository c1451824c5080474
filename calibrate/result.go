package calibrate

import (
	"math"
	"sort"
)

// Identification is the verdict on how well the targets pin a parameter.
type Identification string

const (
	// Identified: the 95% interval covers less than half of the bounds and
	// the targets respond to the parameter.
	Identified Identification = "identified"
	// WeaklyIdentified: the 95% interval covers half of the bounds or more.
	WeaklyIdentified Identification = "weakly identified"
	// NotIdentified: the targets do not pin the parameter down — its 95%
	// interval covers (nearly) the whole bounds, the targets hardly move
	// over its whole range, or it lies in a flat direction of the fit.
	NotIdentified Identification = "not identified by these targets"
)

// Thresholds of the verdicts.
const (
	// WeakWidth and NotIdentifiedWidth are the interval widths, relative
	// to the bounds (SMM) or to the prior's 95% interval (ABC), from which
	// a parameter is weakly or not identified.
	WeakWidth          = 0.5
	NotIdentifiedWidth = 0.9
	// MinSensitivity is the smallest weighted movement of the targets
	// (in standard errors, moving the parameter over its whole range with
	// the others fixed) for SMM to call a parameter identified.
	MinSensitivity = 2.0
)

// Result is a finished calibration.
type Result struct {
	Method string // "smm" or "abc-smc"
	// Params holds one estimate per parameter, in Problem order.
	Params []ParamEstimate
	// Targets compares each target with the simulation at the fit.
	Targets []TargetFit
	// Runs is the number of simulator runs used.
	Runs int
	// Replications is SMM's R (runs per candidate).
	Replications int `json:",omitempty"`
	// Distance is SMM's weighted distance Q(θ̂) = Σ W_j (m_j(θ̂) − y_j)²,
	// or ABC's final tolerance.
	Distance float64
	// Generations traces the search: SMM's best distance per CMA-ES
	// generation, ABC's tolerance, acceptance and ESS per generation.
	Generations []Generation
	// Stop says why the search ended.
	Stop string
	// Cov is SMM's sandwich covariance of θ̂ (+Inf on the diagonal for a
	// parameter in a flat direction).
	Cov [][]float64 `json:",omitempty"`
	// Jacobian is SMM's d target_j / d θ_i at θ̂ by finite differences
	// under common random numbers (targets × params).
	Jacobian [][]float64 `json:",omitempty"`
	// Bootstrap holds SMM's parametric-bootstrap refits of θ, when asked.
	Bootstrap [][]float64 `json:",omitempty"`
	// Posterior is ABC-SMC's final weighted population.
	Posterior *Posterior `json:",omitempty"`
}

// ParamEstimate is the fit of one parameter.
type ParamEstimate struct {
	Name   string
	Lo, Hi float64
	// Estimate is SMM's θ̂ or ABC's posterior mean.
	Estimate float64
	// SE is SMM's standard error (sandwich, or bootstrap SD when asked;
	// +Inf in a flat direction) or ABC's posterior SD.
	SE float64
	// CILo and CIHi bound the 95% interval (SMM: θ̂ ± 1.96 SE, or the
	// bootstrap percentiles; ABC: posterior 2.5% and 97.5% quantiles),
	// clipped to the bounds.
	CILo, CIHi float64
	// Median is ABC's posterior median (SMM: θ̂).
	Median float64
	// Sensitivity (SMM) is ‖W^½ ∂m/∂θ_i‖·(Hi − Lo): how many standard
	// errors the targets move over the parameter's whole range.
	Sensitivity float64 `json:",omitempty"`
	// WidthRatio is the interval width over the bounds (SMM) or over the
	// prior's 95% interval (ABC).
	WidthRatio float64
	Verdict    Identification
	// Reason explains the verdict in one sentence.
	Reason string
}

// TargetFit compares one target with the simulation at the fit.
type TargetFit struct {
	Name      string
	Observed  float64
	SE        float64
	Tolerance float64
	// Simulated is the mean over SMM's R replications at θ̂, or ABC's
	// posterior-predictive weighted mean; SimLo and SimHi its 95% interval
	// (Student t over replications; ABC: weighted 2.5%–97.5% quantiles).
	Simulated, SimLo, SimHi float64
	// SimSD is the simulation's per-run standard deviation of the target.
	SimSD float64
	// Z is (Simulated − Observed) / √(SE² + SimSD²/R) (ABC: / scale).
	Z float64
	// Within says whether Simulated is within tolerance of Observed.
	Within bool
}

// Generation is one step of the search.
type Generation struct {
	Index int
	Runs  int // runs used up to the end of this generation
	// SMM: Best is the best distance so far, Median the median distance
	// of the generation's candidates, Sigma CMA-ES's step size.
	Best, Median, Sigma float64 `json:",omitempty"`
	// ABC: Tolerance ε_t, proposals and acceptances, effective sample size.
	Tolerance          float64 `json:",omitempty"`
	Proposed, Accepted int     `json:",omitempty"`
	ESS                float64 `json:",omitempty"`
}

// Posterior is ABC-SMC's final population.
type Posterior struct {
	Particles [][]float64 // θ of each particle
	Weights   []float64   // normalised importance weights
	Distances []float64   // each particle's distance
	Outputs   [][]float64 // each particle's simulated targets
	ESS       float64
}

// Quantile returns the weighted p-quantile of parameter i.
func (p *Posterior) Quantile(i int, q float64) float64 {
	xs := make([]float64, len(p.Particles))
	for k, th := range p.Particles {
		xs[k] = th[i]
	}
	return weightedQuantile(xs, p.Weights, q)
}

// Mean returns the weighted mean and standard deviation of parameter i.
func (p *Posterior) Mean(i int) (mean, sd float64) {
	xs := make([]float64, len(p.Particles))
	for k, th := range p.Particles {
		xs[k] = th[i]
	}
	return weightedMeanSD(xs, p.Weights)
}

func weightedMeanSD(xs, ws []float64) (float64, float64) {
	var sw, m float64
	for i, x := range xs {
		sw += ws[i]
		m += ws[i] * x
	}
	if sw == 0 {
		return math.NaN(), math.NaN()
	}
	m /= sw
	var v float64
	for i, x := range xs {
		d := x - m
		v += ws[i] * d * d
	}
	return m, math.Sqrt(v / sw)
}

// weightedQuantile interpolates the weighted empirical CDF (each point at
// the middle of its weight's step).
func weightedQuantile(xs, ws []float64, q float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] < xs[idx[b]] })
	total := 0.0
	for _, w := range ws {
		total += w
	}
	if !(total > 0) {
		return math.NaN()
	}
	cum := 0.0
	prevP, prevX := 0.0, xs[idx[0]]
	for k, i := range idx {
		p := (cum + ws[i]/2) / total
		cum += ws[i]
		if q <= p {
			if k == 0 || p == prevP {
				return xs[i]
			}
			return prevX + (xs[i]-prevX)*(q-prevP)/(p-prevP)
		}
		prevP, prevX = p, xs[i]
	}
	return xs[idx[n-1]]
}

// verdictFromWidth turns an interval width ratio into a verdict.
func verdictFromWidth(ratio float64) Identification {
	switch {
	case !(ratio < NotIdentifiedWidth):
		return NotIdentified
	case ratio >= WeakWidth:
		return WeaklyIdentified
	}
	return Identified
}

// meanSDFinite averages the finite values of xs.
func meanSDFinite(xs []float64) (mean, sd float64, n int) {
	for _, x := range xs {
		if !math.IsNaN(x) {
			mean += x
			n++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN(), 0
	}
	mean /= float64(n)
	if n < 2 {
		return mean, 0, n
	}
	for _, x := range xs {
		if !math.IsNaN(x) {
			d := x - mean
			sd += d * d
		}
	}
	return mean, math.Sqrt(sd / float64(n-1)), n
}

const z975 = 1.959963984540054
