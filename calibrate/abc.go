package calibrate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/startrend/startrend/internal/humannum"
)

// ABCOptions configure ABC-SMC. The zero value gives the defaults.
type ABCOptions struct {
	// Population is the number of particles per generation (default 500).
	Population int
	// Generations caps the number of generations after the prior one
	// (default 10).
	Generations int
	// Quantile α sets each generation's tolerance: the weighted α-quantile
	// of the previous population's distances (default 0.5).
	Quantile float64
	// MinAcceptance stops after a generation whose acceptance rate fell
	// below it (default 0.01).
	MinAcceptance float64
	// Tolerance stops once a generation's tolerance reaches it (0: none).
	Tolerance float64
	// MaxRuns is the run budget (0: none beyond Generations). A generation
	// the budget cannot complete is dropped: the result is the last
	// complete population.
	MaxRuns int
	// RepBase is the replication index of the first run; run i uses
	// RepBase + i, so every run has its own random numbers.
	RepBase int
}

func (o *ABCOptions) defaults() error {
	if o.Population == 0 {
		o.Population = 500
	}
	if o.Generations == 0 {
		o.Generations = 10
	}
	if o.Quantile == 0 {
		o.Quantile = 0.5
	}
	if o.MinAcceptance == 0 {
		o.MinAcceptance = 0.01
	}
	var errs []error
	if o.Population < 10 {
		errs = append(errs, fmt.Errorf("calibrate: abc-smc population %d must be at least 10", o.Population))
	}
	if o.Generations < 0 {
		errs = append(errs, fmt.Errorf("calibrate: abc-smc generations %d must be ≥ 0", o.Generations))
	}
	if !(o.Quantile > 0 && o.Quantile < 1) {
		errs = append(errs, fmt.Errorf("calibrate: abc-smc quantile %g must be in (0, 1)", o.Quantile))
	}
	if o.MinAcceptance < 0 || o.MinAcceptance >= 1 || o.Tolerance < 0 || o.MaxRuns < 0 || o.RepBase < 0 {
		errs = append(errs, errors.New("calibrate: abc-smc min acceptance must be in [0, 1), tolerance, max runs and rep base ≥ 0"))
	}
	if o.MaxRuns > 0 && o.MaxRuns < o.Population {
		errs = append(errs, fmt.Errorf("calibrate: abc-smc budget of %d runs cannot fill one population of %d", o.MaxRuns, o.Population))
	}
	return errors.Join(errs...)
}

// NewABC starts an ABC-SMC calibration (Toni et al. 2009; Beaumont et al.
// 2009; adaptive tolerances as in Del Moral et al. 2012).
//
// Generation 0 samples the prior. Generation t sets its tolerance ε_t to
// the weighted α-quantile of the previous distances, proposes particles by
// resampling the previous population by weight and perturbing each
// coordinate with a normal kernel of twice the population's weighted
// variance (truncated to the bounds), simulates each proposal once (its own
// replication index), and accepts it when its distance
// d = √(mean_j ((s_j − y_j)/scale_j)²) is at most ε_t, until the
// population is full. The accepted particles get importance weights
// π(θ) / Σ_j w_j K(θ | θ_j), with the kernel's truncation constant; the
// effective sample size is 1/Σ w². scale_j is the target's SE (or its
// tolerance read as a 95% half-width).
func NewABC(p Problem, opt ABCOptions) (*Calibration, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	a := &abc{p: cloneProblem(p), opt: opt}
	return newCalibration(a.p, "abc-smc", a.run), nil
}

type abc struct {
	p   Problem
	opt ABCOptions
}

type population struct {
	theta [][]float64
	w     []float64
	d     []float64
	out   [][]float64
}

func (a *abc) dist(out []float64) float64 {
	s := 0.0
	for j, t := range a.p.Targets {
		if math.IsNaN(out[j]) {
			return math.Inf(1)
		}
		z := (out[j] - t.Observed) / t.scale()
		s += z * z
	}
	return math.Sqrt(s / float64(len(a.p.Targets)))
}

func ess(w []float64) float64 {
	s := 0.0
	for _, v := range w {
		s += v * v
	}
	return 1 / s
}

func (a *abc) run(c *Calibration, eval evalFunc) (*Result, error) {
	N, n := a.opt.Population, len(a.p.Params)
	rng := rand.New(rand.NewPCG(a.p.Seed, 0xabc5))
	rep := a.opt.RepBase
	c.status.Budget = a.opt.MaxRuns
	res := &Result{Method: "abc-smc"}

	// Generation 0: the prior.
	c.status.Phase = "generation"
	runs := make([]Run, N)
	for i := range runs {
		th := make([]float64, n)
		for k, q := range a.p.Params {
			th[k] = q.sample(rng)
		}
		runs[i] = Run{Theta: th, Rep: rep}
		rep++
	}
	outs, err := eval(runs)
	if err != nil {
		return nil, err
	}
	pop := &population{}
	for i, r := range runs {
		pop.theta = append(pop.theta, r.Theta)
		pop.w = append(pop.w, 1/float64(N))
		pop.d = append(pop.d, a.dist(outs[i]))
		pop.out = append(pop.out, outs[i])
	}
	res.Generations = append(res.Generations, Generation{Index: 0, Runs: c.runs, Tolerance: math.Inf(1), Proposed: N, Accepted: N, ESS: float64(N)})
	res.Stop = "generations"
	tol := math.Inf(1)
	rate := 1.0
	for t := 1; t <= a.opt.Generations; t++ {
		eps := weightedQuantile(pop.d, pop.w, a.opt.Quantile)
		if math.IsInf(eps, 1) {
			return nil, errors.New("calibrate: abc-smc: most simulations have an undefined target; no tolerance can be set")
		}
		if a.opt.Tolerance > 0 && eps < a.opt.Tolerance {
			eps = a.opt.Tolerance
		}
		c.status.Generation, c.status.Best = t, eps
		sig := make([]float64, n)
		for k, q := range a.p.Params {
			xs := make([]float64, N)
			for i, th := range pop.theta {
				xs[i] = th[k]
			}
			_, sd := weightedMeanSD(xs, pop.w)
			sig[k] = math.Max(math.Sqrt2*sd, 1e-9*(q.Hi-q.Lo))
		}
		cum := make([]float64, N)
		acc := 0.0
		for i, w := range pop.w {
			acc += w
			cum[i] = acc
		}
		next := &population{}
		proposed := 0
		complete := true
		for len(next.theta) < N {
			need := N - len(next.theta)
			b := int(math.Ceil(float64(need) / math.Max(rate, 1e-3) * 1.1))
			b = max(min(b, 10*N), min(N, 16), need)
			if a.opt.MaxRuns > 0 {
				b = min(b, a.opt.MaxRuns-c.runs)
			}
			if b <= 0 {
				complete = false
				break
			}
			batch := make([]Run, b)
			for i := range batch {
				th, err := a.propose(rng, pop, cum, sig)
				if err != nil {
					return nil, err
				}
				batch[i] = Run{Theta: th, Rep: rep}
				rep++
			}
			outs, err := eval(batch)
			if err != nil {
				return nil, err
			}
			for i, r := range batch {
				proposed++
				d := a.dist(outs[i])
				if d <= eps && len(next.theta) < N {
					next.theta = append(next.theta, r.Theta)
					next.d = append(next.d, d)
					next.out = append(next.out, outs[i])
				}
			}
			rate = float64(len(next.theta)) / float64(proposed)
		}
		if !complete {
			res.Stop = fmt.Sprintf("run budget (generation %d incomplete: %d of %d particles)", t, len(next.theta), N)
			break
		}
		next.w = a.weights(pop, next, sig)
		pop, tol = next, eps
		res.Generations = append(res.Generations, Generation{Index: t, Runs: c.runs, Tolerance: eps, Proposed: proposed, Accepted: N, ESS: ess(pop.w)})
		if a.opt.Tolerance > 0 && eps <= a.opt.Tolerance {
			res.Stop = "tolerance reached"
			break
		}
		if rate < a.opt.MinAcceptance {
			res.Stop = fmt.Sprintf("acceptance rate %s below %s", humannum.Plain(rate), humannum.Plain(a.opt.MinAcceptance))
			break
		}
	}
	res.Distance = tol
	res.Runs = c.runs
	res.Posterior = &Posterior{Particles: pop.theta, Weights: pop.w, Distances: pop.d, Outputs: pop.out, ESS: ess(pop.w)}
	res.Params = a.estimates(res.Posterior)
	res.Targets = a.targetFits(res.Posterior)
	return res, nil
}

// propose resamples a particle by weight and perturbs it inside the
// bounds and the prior's support.
func (a *abc) propose(rng *rand.Rand, pop *population, cum, sig []float64) ([]float64, error) {
	for range 10000 {
		u := rng.Float64() * cum[len(cum)-1]
		j := sort.SearchFloat64s(cum, u)
		j = min(j, len(cum)-1)
		th := make([]float64, len(sig))
		ok := true
		for k, q := range a.p.Params {
			th[k] = pop.theta[j][k] + sig[k]*rng.NormFloat64()
			if th[k] < q.Lo || th[k] > q.Hi {
				ok = false
			}
		}
		if !ok {
			continue
		}
		lp := 0.0
		for k, q := range a.p.Params {
			lp += q.logPdf(th[k])
		}
		if !math.IsInf(lp, -1) {
			return th, nil
		}
	}
	return nil, errors.New("calibrate: abc-smc: cannot propose a particle inside the bounds (10000 tries)")
}

// weights are the importance weights π(θ_i) / Σ_j w_j K(θ_i | θ_j) of the
// new population, K the truncated normal kernel.
func (a *abc) weights(prev, next *population, sig []float64) []float64 {
	n := len(sig)
	// log of each previous particle's weight over its kernel's mass in the box.
	logc := make([]float64, len(prev.theta))
	for j, th := range prev.theta {
		l := math.Log(prev.w[j])
		for k, q := range a.p.Params {
			z := unitNormal.CDF((q.Hi-th[k])/sig[k]) - unitNormal.CDF((q.Lo-th[k])/sig[k])
			l -= math.Log(math.Max(z, 1e-300)) + math.Log(sig[k])
		}
		logc[j] = l
	}
	lw := make([]float64, len(next.theta))
	terms := make([]float64, len(prev.theta))
	for i, th := range next.theta {
		for j, pj := range prev.theta {
			l := logc[j]
			for k := range n {
				z := (th[k] - pj[k]) / sig[k]
				l -= 0.5 * z * z
			}
			terms[j] = l
		}
		lp := 0.0
		for k, q := range a.p.Params {
			lp += q.logPdf(th[k])
		}
		lw[i] = lp - logSumExp(terms)
	}
	m := math.Inf(-1)
	for _, v := range lw {
		m = math.Max(m, v)
	}
	w := make([]float64, len(lw))
	s := 0.0
	for i, v := range lw {
		w[i] = math.Exp(v - m)
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	return w
}

func logSumExp(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, x)
	}
	if math.IsInf(m, -1) {
		return m
	}
	s := 0.0
	for _, x := range xs {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}

func (a *abc) estimates(post *Posterior) []ParamEstimate {
	out := make([]ParamEstimate, len(a.p.Params))
	for i, q := range a.p.Params {
		m, sd := post.Mean(i)
		pe := ParamEstimate{Name: q.Name, Lo: q.Lo, Hi: q.Hi, Estimate: m, SE: sd,
			CILo: post.Quantile(i, 0.025), CIHi: post.Quantile(i, 0.975), Median: post.Quantile(i, 0.5)}
		prior := q.quantile(0.975) - q.quantile(0.025)
		pe.WidthRatio = (pe.CIHi - pe.CILo) / prior
		pe.Verdict = verdictFromWidth(pe.WidthRatio)
		pe.Reason = fmt.Sprintf("posterior 95%% interval is %.0f%% as wide as the prior's", 100*pe.WidthRatio)
		out[i] = pe
	}
	return out
}

func (a *abc) targetFits(post *Posterior) []TargetFit {
	out := make([]TargetFit, len(a.p.Targets))
	for j, t := range a.p.Targets {
		xs := make([]float64, 0, len(post.Outputs))
		ws := make([]float64, 0, len(post.Outputs))
		for i, o := range post.Outputs {
			if !math.IsNaN(o[j]) {
				xs = append(xs, o[j])
				ws = append(ws, post.Weights[i])
			}
		}
		m, sd := weightedMeanSD(xs, ws)
		tf := TargetFit{Name: t.Name, Observed: t.Observed, SE: t.SE, Tolerance: t.Tolerance, Simulated: m, SimSD: sd,
			SimLo: weightedQuantile(xs, ws, 0.025), SimHi: weightedQuantile(xs, ws, 0.975)}
		tf.Z = (m - t.Observed) / t.scale()
		tf.Within = t.Within(m)
		out[j] = tf
	}
	return out
}
