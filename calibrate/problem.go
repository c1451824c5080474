package calibrate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sourcegraph/conc/iter"
	"gonum.org/v1/gonum/stat/distuv"
)

// Parameter is one calibrated parameter θ_i with its bounds and an optional
// prior. The bounds are the search box of SMM and the support of the prior.
type Parameter struct {
	// Name identifies the parameter in results and errors (a field path
	// for scenario calibrations).
	Name string
	// Lo and Hi bound the parameter, inclusive; both finite, Lo < Hi.
	Lo, Hi float64
	// Prior is ABC-SMC's prior, truncated to [Lo, Hi]. The zero value is
	// uniform on the bounds. SMM ignores it.
	Prior Prior
}

// Prior distribution families.
const (
	PriorUniform   = "uniform"   // uniform on [Lo, Hi]
	PriorNormal    = "normal"    // Normal(Mean, SD) truncated to [Lo, Hi]
	PriorLogNormal = "lognormal" // log θ ~ Normal(log Mean, SD), truncated; Mean is the median
)

// Prior is a one-dimensional prior distribution. The zero value is uniform
// on the parameter's bounds.
type Prior struct {
	// Dist is "", "uniform", "normal" or "lognormal".
	Dist string
	// Mean is the normal's mean, or the lognormal's median (> 0).
	Mean float64
	// SD is the normal's standard deviation, or the standard deviation of
	// log θ for the lognormal (> 0).
	SD float64
}

// Target is one observed statistic the simulator must reproduce.
type Target struct {
	// Name identifies the target in results.
	Name string
	// Observed is the observed value.
	Observed float64
	// SE is the standard error of the observed value (≥ 0).
	SE float64
	// Tolerance is a relative tolerance (0.1 = ±10% of Observed), used to
	// say whether a fit is within tolerance and, when SE is 0, to stand for
	// the observation's uncertainty as a 95% half-width (SE = tol·|obs|/1.96).
	// At least one of SE and Tolerance must be positive.
	Tolerance float64
}

// scale is the target's observation standard deviation: SE, or the
// tolerance read as a 95% half-width.
func (t Target) scale() float64 {
	if t.SE > 0 {
		return t.SE
	}
	return t.Tolerance * math.Abs(t.Observed) / 1.959963984540054
}

// Within reports whether a simulated value reproduces the target: within
// the relative tolerance when one is set, otherwise within 1.96 SE.
func (t Target) Within(sim float64) bool {
	if t.Tolerance > 0 {
		return math.Abs(sim-t.Observed) <= t.Tolerance*math.Abs(t.Observed)
	}
	return math.Abs(sim-t.Observed) <= 1.959963984540054*t.SE
}

// Problem is a calibration problem: the parameters, the targets, and the
// seed of the method's own random numbers.
type Problem struct {
	Params  []Parameter
	Targets []Target
	// Seed seeds the method (CMA-ES sampling, ABC proposals). The
	// simulator's random numbers are chosen by the Rep of each Run.
	Seed uint64
}

// Validate reports every problem with the definition at once.
func (p *Problem) Validate() error {
	var errs []error
	if len(p.Params) == 0 {
		errs = append(errs, errors.New("calibrate: no parameters to calibrate"))
	}
	if len(p.Targets) == 0 {
		errs = append(errs, errors.New("calibrate: no targets"))
	}
	seen := map[string]bool{}
	for i, q := range p.Params {
		name := q.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i)
		}
		if seen[q.Name] && q.Name != "" {
			errs = append(errs, fmt.Errorf("calibrate: parameter %q listed twice", q.Name))
		}
		seen[q.Name] = true
		if err := q.validate(); err != nil {
			errs = append(errs, fmt.Errorf("calibrate: parameter %s: %w", name, err))
		}
	}
	for i, t := range p.Targets {
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i)
		}
		switch {
		case math.IsNaN(t.Observed) || math.IsInf(t.Observed, 0):
			errs = append(errs, fmt.Errorf("calibrate: target %s: observed value %g is not finite", name, t.Observed))
		case t.SE < 0 || math.IsNaN(t.SE) || math.IsInf(t.SE, 0):
			errs = append(errs, fmt.Errorf("calibrate: target %s: se %g must be finite and ≥ 0", name, t.SE))
		case t.Tolerance < 0 || math.IsNaN(t.Tolerance) || math.IsInf(t.Tolerance, 0):
			errs = append(errs, fmt.Errorf("calibrate: target %s: tolerance %g must be finite and ≥ 0", name, t.Tolerance))
		case !(t.scale() > 0):
			errs = append(errs, fmt.Errorf("calibrate: target %s: needs se > 0 or tolerance > 0 (with a non-zero observed value)", name))
		}
	}
	return errors.Join(errs...)
}

func (q Parameter) validate() error {
	if math.IsNaN(q.Lo) || math.IsNaN(q.Hi) || math.IsInf(q.Lo, 0) || math.IsInf(q.Hi, 0) {
		return fmt.Errorf("bounds must be finite: lo=%g hi=%g", q.Lo, q.Hi)
	}
	if q.Lo >= q.Hi {
		if q.Lo > q.Hi {
			return fmt.Errorf("bounds reversed: lo=%g > hi=%g", q.Lo, q.Hi)
		}
		return fmt.Errorf("empty range: lo = hi = %g", q.Lo)
	}
	pr := q.Prior
	switch pr.Dist {
	case "", PriorUniform:
		return nil
	case PriorNormal, PriorLogNormal:
	default:
		return fmt.Errorf("unknown prior %q (known: uniform, normal, lognormal)", pr.Dist)
	}
	if !(pr.SD > 0) || math.IsInf(pr.SD, 0) {
		return fmt.Errorf("prior sd %g must be finite and > 0", pr.SD)
	}
	if math.IsNaN(pr.Mean) || pr.Mean < q.Lo || pr.Mean > q.Hi {
		return fmt.Errorf("prior mean %g is outside the bounds [%g, %g]", pr.Mean, q.Lo, q.Hi)
	}
	if pr.Dist == PriorLogNormal && (q.Lo < 0 || !(pr.Mean > 0)) {
		return fmt.Errorf("a lognormal prior needs lo ≥ 0 and a median > 0, got lo=%g median=%g", q.Lo, pr.Mean)
	}
	return nil
}

// unitNormal is the standard normal distribution.
var unitNormal = distuv.UnitNormal

// logPdf is the prior's log density at x, up to a constant (−Inf outside
// the bounds).
func (q Parameter) logPdf(x float64) float64 {
	if x < q.Lo || x > q.Hi || math.IsNaN(x) {
		return math.Inf(-1)
	}
	switch q.Prior.Dist {
	case PriorNormal:
		z := (x - q.Prior.Mean) / q.Prior.SD
		return -0.5 * z * z
	case PriorLogNormal:
		if x <= 0 {
			return math.Inf(-1)
		}
		z := (math.Log(x) - math.Log(q.Prior.Mean)) / q.Prior.SD
		return -0.5*z*z - math.Log(x)
	}
	return 0
}

// quantile is the prior's p-quantile (truncated to the bounds).
func (q Parameter) quantile(p float64) float64 {
	switch q.Prior.Dist {
	case PriorNormal, PriorLogNormal:
		lo, hi, mu := q.Lo, q.Hi, q.Prior.Mean
		if q.Prior.Dist == PriorLogNormal {
			mu = math.Log(mu)
			if lo <= 0 {
				lo = math.Inf(-1)
			} else {
				lo = math.Log(lo)
			}
			hi = math.Log(hi)
		}
		a := unitNormal.CDF((lo - mu) / q.Prior.SD)
		b := unitNormal.CDF((hi - mu) / q.Prior.SD)
		u := a + p*(b-a)
		z := unitNormal.Quantile(math.Min(math.Max(u, 1e-300), 1-1e-16))
		x := mu + q.Prior.SD*z
		if q.Prior.Dist == PriorLogNormal {
			x = math.Exp(x)
		}
		return math.Min(math.Max(x, q.Lo), q.Hi)
	}
	return q.Lo + p*(q.Hi-q.Lo)
}

// sample draws from the prior.
func (q Parameter) sample(r *rand.Rand) float64 { return q.quantile(r.Float64()) }

// Run is one simulator run: the parameters θ (in Problem.Params order) and
// the replication index that chooses the simulator's random numbers. Runs
// with the same Rep must use the same random numbers (common random
// numbers): SMM compares candidates on the same Reps 0..R−1.
type Run struct {
	Theta []float64
	Rep   int
}

// Simulator simulates a batch of runs and returns, for each run in order,
// the simulated value of every target (in Problem.Targets order). A value
// may be NaN when the statistic is undefined for that run (a ratio whose
// denominator is zero); the methods average over the defined ones. The
// output of a run must depend on (Theta, Rep) only — not on the batch, the
// order or the number of workers — for fits to be reproducible.
type Simulator interface {
	Simulate(ctx context.Context, runs []Run) ([][]float64, error)
}

// SimulatorFunc simulates one run.
type SimulatorFunc func(ctx context.Context, theta []float64, rep int) ([]float64, error)

// Simulate implements Simulator, one run after the other.
func (f SimulatorFunc) Simulate(ctx context.Context, runs []Run) ([][]float64, error) {
	return Parallel(f, 1).Simulate(ctx, runs)
}

// Parallel is a Simulator that runs a batch on up to workers goroutines
// (≤ 0: one per run) and places the outputs by index, so the result does
// not depend on workers.
func Parallel(f SimulatorFunc, workers int) Simulator { return parallel{f, workers} }

type parallel struct {
	f       SimulatorFunc
	workers int
}

func (p parallel) Simulate(ctx context.Context, runs []Run) ([][]float64, error) {
	out := make([][]float64, len(runs))
	errs := make([]error, len(runs))
	it := iter.Iterator[Run]{MaxGoroutines: p.workers}
	it.ForEachIdx(runs, func(i int, r *Run) {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			return
		}
		out[i], errs[i] = p.f(ctx, r.Theta, r.Rep)
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("calibrate: run %d (rep %d): %w", i, runs[i].Rep, err)
		}
	}
	return out, nil
}
