package calibrate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/startrend/startrend/internal/humannum"
	"github.com/startrend/startrend/optimize"
	"github.com/startrend/startrend/stats"
	"gonum.org/v1/gonum/mat"
)

// SMMOptions configure the simulated method of moments. The zero value
// gives the defaults.
type SMMOptions struct {
	// Replications R is the number of runs per candidate θ (reps 0..R−1
	// for every candidate: common random numbers). Default 8.
	Replications int
	// MaxRuns is the run budget, pilot, Jacobian and bootstrap included
	// (default 4000).
	MaxRuns int
	// Start is CMA-ES's starting point (default: the centre of the bounds).
	Start []float64
	// Sigma0 is CMA-ES's initial step as a fraction of each range
	// (default 0.3).
	Sigma0 float64
	// PopSize is CMA-ES's population λ (default 4 + ⌊3 ln n⌋).
	PopSize int
	// Restarts is CMA-ES's number of IPOP restarts (default 0).
	Restarts int
	// TolFun stops CMA-ES when the distances of recent generations differ
	// by less than it (default 1e-4).
	TolFun float64
	// Step is the finite-difference step as a fraction of each range
	// (default 0.02); central differences, one-sided at a bound.
	Step float64
	// Bootstrap is the number of parametric-bootstrap refits (0: the
	// sandwich only). Each refit draws new observed values around the
	// fit's simulated targets with the targets' SEs, and simulates with
	// fresh replications.
	Bootstrap int
	// BootstrapRuns is the budget of all refits together (default: a
	// third of MaxRuns), taken from MaxRuns.
	BootstrapRuns int
	// RepBase is the first replication index: candidates use reps
	// RepBase..RepBase+R−1, bootstrap refit b reps RepBase+(b+1)R…
	RepBase int
}

func (o *SMMOptions) defaults(n int) error {
	var errs []error
	if o.Replications == 0 {
		o.Replications = 8
	}
	if o.MaxRuns == 0 {
		o.MaxRuns = 4000
	}
	if o.Sigma0 == 0 {
		o.Sigma0 = 0.3
	}
	if o.TolFun == 0 {
		o.TolFun = 1e-4
	}
	if o.Step == 0 {
		o.Step = 0.02
	}
	if o.Bootstrap > 0 && o.BootstrapRuns == 0 {
		o.BootstrapRuns = o.MaxRuns / 3
	}
	if o.Replications < 2 {
		errs = append(errs, fmt.Errorf("calibrate: smm needs at least 2 replications per candidate (to estimate the simulation noise), got %d", o.Replications))
	}
	if o.Step <= 0 || o.Step >= 0.5 {
		errs = append(errs, fmt.Errorf("calibrate: smm finite-difference step %g must be in (0, 0.5)", o.Step))
	}
	if o.Bootstrap < 0 || o.BootstrapRuns < 0 || o.MaxRuns < 0 || o.Restarts < 0 || o.PopSize < 0 || o.RepBase < 0 {
		errs = append(errs, errors.New("calibrate: smm counts (max runs, bootstrap, restarts, population, rep base) must be ≥ 0"))
	}
	if o.Start != nil && len(o.Start) != n {
		errs = append(errs, fmt.Errorf("calibrate: smm start has %d values for %d parameters", len(o.Start), n))
	}
	return errors.Join(errs...)
}

// NewSMM starts a simulated-method-of-moments calibration.
//
// It simulates R replications at the start (the pilot) to estimate each
// target's simulation variance σ_j², weights the targets by
// W_j = 1/(SE_j² + σ_j²/R), and minimises Q(θ) = Σ_j W_j (m_j(θ) − y_j)²,
// m_j the mean of the R replications (the same reps for every θ: common
// random numbers, so Q is a smooth deterministic function), with the
// project's CMA-ES. At the best θ̂ it takes the Jacobian G by finite
// differences under the same reps, estimates Ω = diag(SE²) + Σ_sim/R
// (Σ_sim the per-run covariance of the targets at θ̂) and reports the
// sandwich covariance (G'WG)⁻¹ G'WΩWG (G'WG)⁻¹ — with the observed
// targets' own sampling variance equal to the simulation's, Ω is
// (1 + 1/R)·Σ, the usual SMM inflation. Directions of θ the targets do
// not move are detected from the eigenvalues of G'WG and get infinite
// standard errors. A parametric bootstrap replaces the sandwich intervals
// when Bootstrap > 0.
func NewSMM(p Problem, opt SMMOptions) (*Calibration, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p = cloneProblem(p)
	n := len(p.Params)
	if err := opt.defaults(n); err != nil {
		return nil, err
	}
	if opt.Start != nil {
		for i, x := range opt.Start {
			q := p.Params[i]
			if !(x >= q.Lo && x <= q.Hi) {
				return nil, fmt.Errorf("calibrate: smm start of %s = %g is outside its bounds [%g, %g]", q.Name, x, q.Lo, q.Hi)
			}
		}
		opt.Start = append([]float64(nil), opt.Start...)
	}
	space := optimize.Space{Dims: make([]optimize.Dim, n)}
	for i, q := range p.Params {
		space.Dims[i] = optimize.Dim{Name: q.Name, Lo: q.Lo, Hi: q.Hi}
	}
	R := opt.Replications
	lambda := opt.PopSize
	if lambda == 0 {
		lambda = 4 + int(3*math.Log(float64(n)))
	}
	minRuns := R*(1+3*lambda+2*n) + opt.BootstrapRuns
	if opt.MaxRuns < minRuns {
		return nil, fmt.Errorf("calibrate: smm budget of %d runs is too small: with %d replications, population %d and %d parameters it needs at least %d (pilot, 3 generations, Jacobian%s)",
			opt.MaxRuns, R, lambda, n, minRuns, map[bool]string{true: ", bootstrap", false: ""}[opt.BootstrapRuns > 0])
	}
	if opt.Bootstrap > 0 && opt.BootstrapRuns/opt.Bootstrap < 3*lambda*R {
		return nil, fmt.Errorf("calibrate: smm bootstrap budget of %d runs for %d refits gives each fewer than %d runs (3 generations)", opt.BootstrapRuns, opt.Bootstrap, 3*lambda*R)
	}
	s := &smm{p: p, opt: opt, space: space, R: R, lambda: lambda}
	return newCalibration(p, "smm", s.run), nil
}

func cloneProblem(p Problem) Problem {
	p.Params = append([]Parameter(nil), p.Params...)
	p.Targets = append([]Target(nil), p.Targets...)
	return p
}

type smm struct {
	p      Problem
	opt    SMMOptions
	space  optimize.Space
	R      int
	lambda int
	w      []float64 // weights 1/(SE² + σ²/R)
}

// point is a candidate with its per-replication outputs.
type point struct {
	theta []float64
	outs  [][]float64 // [rep][target]
	mean  []float64
	q     float64
}

func (s *smm) runsAt(theta []float64, repBase int) []Run {
	runs := make([]Run, s.R)
	for r := range runs {
		runs[r] = Run{Theta: append([]float64(nil), theta...), Rep: s.opt.RepBase + repBase + r}
	}
	return runs
}

// means averages each target over the replications (NaN: undefined in
// every replication).
func (s *smm) means(outs [][]float64) []float64 {
	k := len(s.p.Targets)
	m := make([]float64, k)
	col := make([]float64, len(outs))
	for j := range k {
		for r, o := range outs {
			col[r] = o[j]
		}
		m[j], _, _ = meanSDFinite(col)
	}
	return m
}

// penalty is the distance of a candidate with an undefined target: worse
// than any defined one.
const penalty = 1e30

func (s *smm) distance(m, y []float64) float64 {
	q := 0.0
	for j, v := range m {
		if math.IsNaN(v) {
			return penalty
		}
		d := v - y[j]
		q += s.w[j] * d * d
	}
	return q
}

func (s *smm) observed() []float64 {
	y := make([]float64, len(s.p.Targets))
	for j, t := range s.p.Targets {
		y[j] = t.Observed
	}
	return y
}

func (s *smm) run(c *Calibration, eval evalFunc) (*Result, error) {
	n, k, R := len(s.p.Params), len(s.p.Targets), s.R
	c.status.Budget = s.opt.MaxRuns
	y := s.observed()
	start := s.opt.Start
	if start == nil {
		start = make([]float64, n)
		for i, q := range s.p.Params {
			start[i] = (q.Lo + q.Hi) / 2
		}
	}

	// Pilot: the simulation noise of each target at the start.
	c.status.Phase = "pilot"
	outs, err := eval(s.runsAt(start, 0))
	if err != nil {
		return nil, err
	}
	s.w = make([]float64, k)
	col := make([]float64, R)
	for j, t := range s.p.Targets {
		for r := range R {
			col[r] = outs[r][j]
		}
		_, sd, _ := meanSDFinite(col)
		if math.IsNaN(sd) {
			sd = 0
		}
		v := t.scale()*t.scale() + sd*sd/float64(R)
		s.w[j] = 1 / v
	}
	best := &point{theta: append([]float64(nil), start...), outs: outs, mean: s.means(outs)}
	best.q = s.distance(best.mean, y)
	c.status.Best = best.q

	// Search.
	c.status.Phase = "search"
	searchBudget := s.opt.MaxRuns - s.opt.BootstrapRuns - 2*n*R
	res := &Result{Method: "smm", Replications: R}
	stop, err := s.search(c, eval, best, y, start, s.opt.Sigma0, 0, searchBudget, s.opt.Restarts, &res.Generations)
	if err != nil {
		return nil, err
	}
	res.Stop = stop

	// Jacobian and sandwich.
	c.status.Phase = "jacobian"
	G, err := s.jacobian(eval, best)
	if err != nil {
		return nil, err
	}
	res.Jacobian = G
	res.Distance = best.q
	res.Params, res.Cov = s.sandwich(best, G)
	res.Targets = s.targetFits(best)

	// Parametric bootstrap.
	if s.opt.Bootstrap > 0 {
		c.status.Phase = "bootstrap"
		boot, err := s.bootstrap(c, eval, best, res.Params)
		if err != nil {
			return nil, err
		}
		res.Bootstrap = boot
		s.applyBootstrap(res.Params, boot)
	}
	res.Runs = c.runs
	return res, nil
}

// search runs CMA-ES from x0 until it stops or the budget (total runs of
// the calibration) is spent, keeping the best candidate in best.
func (s *smm) search(c *Calibration, eval evalFunc, best *point, y, x0 []float64, sigma0 float64, repBase, budget, restarts int, gens *[]Generation) (string, error) {
	cma, err := optimize.NewCMAES(s.space, optimize.Config{
		Seed: s.p.Seed ^ uint64(repBase)*0x9e3779b97f4a7c15, X0: x0, Sigma0: sigma0,
		PopSize: s.opt.PopSize, Restarts: restarts, TolFun: s.opt.TolFun,
	})
	if err != nil {
		return "", err
	}
	for gen := 0; ; gen++ {
		if cma.Done() {
			rs := cma.Runs()
			if len(rs) > 0 {
				return "cma-es: " + rs[len(rs)-1], nil
			}
			return "cma-es done", nil
		}
		xs, err := cma.Ask()
		if err != nil {
			return "", err
		}
		if c.runs+len(xs)*s.R > budget {
			return "run budget", nil
		}
		var runs []Run
		for _, x := range xs {
			runs = append(runs, s.runsAt(x, repBase)...)
		}
		outs, err := eval(runs)
		if err != nil {
			return "", err
		}
		qs := make([]float64, len(xs))
		for i, x := range xs {
			o := outs[i*s.R : (i+1)*s.R]
			m := s.means(o)
			qs[i] = s.distance(m, y)
			if qs[i] < best.q {
				*best = point{theta: append([]float64(nil), x...), outs: o, mean: m, q: qs[i]}
			}
		}
		if err := cma.Tell(qs); err != nil {
			return "", err
		}
		c.status.Generation = gen + 1
		c.status.Best = best.q
		if gens != nil {
			sorted := append([]float64(nil), qs...)
			sort.Float64s(sorted)
			*gens = append(*gens, Generation{Index: gen + 1, Runs: c.runs, Best: best.q, Median: sorted[len(sorted)/2], Sigma: cma.Sigma()})
		}
	}
}

// jacobian differentiates the mean targets at best by finite differences
// under the same replications.
func (s *smm) jacobian(eval evalFunc, best *point) ([][]float64, error) {
	n, k := len(s.p.Params), len(s.p.Targets)
	var pts [][]float64
	lohi := make([][2]float64, n)
	idx := make([][2]int, n)
	for i, q := range s.p.Params {
		h := s.opt.Step * (q.Hi - q.Lo)
		for sgn, d := range []float64{-h, h} {
			x := append([]float64(nil), best.theta...)
			x[i] += d
			if x[i] < q.Lo || x[i] > q.Hi {
				idx[i][sgn] = -1
				lohi[i][sgn] = best.theta[i]
				continue
			}
			idx[i][sgn] = len(pts)
			lohi[i][sgn] = x[i]
			pts = append(pts, x)
		}
	}
	var runs []Run
	for _, x := range pts {
		runs = append(runs, s.runsAt(x, 0)...)
	}
	outs, err := eval(runs)
	if err != nil {
		return nil, err
	}
	meanOf := func(at int) []float64 {
		if at < 0 {
			return best.mean
		}
		return s.means(outs[at*s.R : (at+1)*s.R])
	}
	G := make([][]float64, k)
	for j := range G {
		G[j] = make([]float64, n)
	}
	for i := range n {
		lo, hi := meanOf(idx[i][0]), meanOf(idx[i][1])
		dx := lohi[i][1] - lohi[i][0]
		for j := range k {
			g := (hi[j] - lo[j]) / dx
			if math.IsNaN(g) {
				return nil, fmt.Errorf("calibrate: target %s is undefined near the fit (moving %s), no Jacobian", s.p.Targets[j].Name, s.p.Params[i].Name)
			}
			G[j][i] = g
		}
	}
	return G, nil
}

// simCov is the per-run covariance of the targets over best's replications
// (replications with an undefined target left out).
func (s *smm) simCov(best *point) *mat.SymDense {
	k := len(s.p.Targets)
	var rows [][]float64
	for _, o := range best.outs {
		ok := true
		for _, v := range o {
			ok = ok && !math.IsNaN(v)
		}
		if ok {
			rows = append(rows, o)
		}
	}
	cov := mat.NewSymDense(k, nil)
	if len(rows) < 2 {
		return cov
	}
	mean := make([]float64, k)
	for _, o := range rows {
		for j, v := range o {
			mean[j] += v / float64(len(rows))
		}
	}
	for a := range k {
		for b := a; b < k; b++ {
			v := 0.0
			for _, o := range rows {
				v += (o[a] - mean[a]) * (o[b] - mean[b])
			}
			cov.SetSym(a, b, v/float64(len(rows)-1))
		}
	}
	return cov
}

// sandwich computes the covariance of θ̂ and the per-parameter verdicts.
func (s *smm) sandwich(best *point, G [][]float64) ([]ParamEstimate, [][]float64) {
	n, k := len(s.p.Params), len(s.p.Targets)
	rng := make([]float64, n)
	for i, q := range s.p.Params {
		rng[i] = q.Hi - q.Lo
	}
	// Scaled Jacobian Gs = G·diag(range), weighted Ws = W^½ Gs.
	Gs := mat.NewDense(k, n, nil)
	sens := make([]float64, n)
	for j := range k {
		for i := range n {
			Gs.Set(j, i, G[j][i]*rng[i])
			sens[i] += s.w[j] * G[j][i] * rng[i] * G[j][i] * rng[i]
		}
	}
	for i := range sens {
		sens[i] = math.Sqrt(sens[i])
	}
	W := mat.NewDiagDense(k, s.w)
	var WG mat.Dense
	WG.Mul(W, Gs)
	var A mat.Dense
	A.Mul(Gs.T(), &WG)
	Asym := mat.NewSymDense(n, nil)
	for a := range n {
		for b := a; b < n; b++ {
			Asym.SetSym(a, b, (A.At(a, b)+A.At(b, a))/2)
		}
	}
	var eig mat.EigenSym
	okEig := eig.Factorize(Asym, true)
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	lmax := 0.0
	for _, v := range vals {
		lmax = math.Max(lmax, v)
	}
	// Pseudo-inverse of A without its flat directions; parameters loading
	// on a flat direction get an infinite variance.
	Ainv := mat.NewDense(n, n, nil)
	flat := make([]float64, n)
	for e, v := range vals {
		if !okEig || !(v > 1e-10*lmax) || lmax == 0 {
			for i := range n {
				flat[i] += vecs.At(i, e) * vecs.At(i, e)
			}
			continue
		}
		for a := range n {
			for b := range n {
				Ainv.Set(a, b, Ainv.At(a, b)+vecs.At(a, e)*vecs.At(b, e)/v)
			}
		}
	}
	// Ω = diag(SE²) + Σ_sim / R.
	Omega := mat.NewDense(k, k, nil)
	sc := s.simCov(best)
	for a := range k {
		for b := range k {
			v := sc.At(a, b) / float64(s.R)
			if a == b {
				t := s.p.Targets[a].scale()
				v += t * t
			}
			Omega.Set(a, b, v)
		}
	}
	var B, tmp mat.Dense
	tmp.Mul(Omega, &WG)
	B.Mul(WG.T(), &tmp)
	var V mat.Dense
	tmp.Reset()
	tmp.Mul(&B, Ainv)
	V.Mul(Ainv, &tmp)

	cov := make([][]float64, n)
	for a := range n {
		cov[a] = make([]float64, n)
		for b := range n {
			cov[a][b] = V.At(a, b) * rng[a] * rng[b]
			if flat[a] > 1e-6 || flat[b] > 1e-6 {
				cov[a][b] = math.NaN()
				if a == b {
					cov[a][b] = math.Inf(1)
				}
			}
		}
	}
	out := make([]ParamEstimate, n)
	for i, q := range s.p.Params {
		th := best.theta[i]
		se := math.Sqrt(cov[i][i])
		pe := ParamEstimate{Name: q.Name, Lo: q.Lo, Hi: q.Hi, Estimate: th, Median: th, SE: se, Sensitivity: sens[i]}
		pe.CILo = math.Max(q.Lo, th-z975*se)
		pe.CIHi = math.Min(q.Hi, th+z975*se)
		pe.WidthRatio = (pe.CIHi - pe.CILo) / rng[i]
		pe.Verdict = verdictFromWidth(pe.WidthRatio)
		switch {
		case flat[i] > 1e-6:
			pe.Verdict = NotIdentified
			pe.Reason = "lies in a direction the targets do not move (near-singular Jacobian)"
		case sens[i] < MinSensitivity:
			pe.Verdict = NotIdentified
			pe.Reason = fmt.Sprintf("over its whole range the targets move by %s standard errors (< %s)", humannum.Plain(sens[i]), humannum.Plain(MinSensitivity))
		default:
			pe.Reason = fmt.Sprintf("95%% interval covers %.0f%% of the bounds; targets move by %.3g SE over the range", 100*pe.WidthRatio, sens[i])
		}
		if d := 0.005 * rng[i]; th-q.Lo <= d || q.Hi-th <= d {
			side := "lower"
			if q.Hi-th <= d {
				side = "upper"
			}
			pe.Reason += "; the fit is at the " + side + " bound: the targets may want a value beyond it (the interval is then not reliable)"
		}
		out[i] = pe
	}
	return out, cov
}

func (s *smm) targetFits(best *point) []TargetFit {
	out := make([]TargetFit, len(s.p.Targets))
	col := make([]float64, len(best.outs))
	for j, t := range s.p.Targets {
		for r, o := range best.outs {
			col[r] = o[j]
		}
		e := stats.MeanCI(col, 0.95) // Student t; no interval from fewer than 2 replications
		m, sd := e.Mean, e.SD
		tf := TargetFit{Name: t.Name, Observed: t.Observed, SE: t.SE, Tolerance: t.Tolerance, Simulated: m, SimSD: sd, SimLo: e.Lo, SimHi: e.Hi}
		if math.IsNaN(sd) {
			sd = 0
		}
		nn := e.N
		sc := t.scale()
		tf.Z = (m - t.Observed) / math.Sqrt(sc*sc+sd*sd/float64(max(nn, 1)))
		tf.Within = t.Within(m)
		out[j] = tf
	}
	return out
}

// bootstrap refits on synthetic observations y*_b = m(θ̂) + SE·z with
// fresh replications, all refits advancing together in one batch per
// generation.
func (s *smm) bootstrap(c *Calibration, eval evalFunc, best *point, fit []ParamEstimate) ([][]float64, error) {
	// Each refit starts at θ̂ with a step of about two sandwich standard
	// errors (in units of the ranges), so that its budget goes into
	// converging and the refits' spread is the statistical one, not the
	// optimiser's.
	sigma := 0.0
	for _, p := range fit {
		if r := p.SE / (p.Hi - p.Lo); !math.IsInf(r, 0) && !math.IsNaN(r) {
			sigma = math.Max(sigma, 2*r)
		}
	}
	sigma = math.Min(math.Max(sigma, 0.01), s.opt.Sigma0/3)
	B := s.opt.Bootstrap
	per := s.opt.BootstrapRuns / B
	rng := rand.New(rand.NewPCG(s.p.Seed, 0xb007))
	type refit struct {
		cma  *optimize.CMAES
		y    []float64
		best point
		used int
		done bool
	}
	fits := make([]*refit, B)
	for b := range fits {
		y := make([]float64, len(s.p.Targets))
		for j, t := range s.p.Targets {
			y[j] = best.mean[j] + t.scale()*rng.NormFloat64()
		}
		cma, err := optimize.NewCMAES(s.space, optimize.Config{
			Seed: s.p.Seed + uint64(b+1)*0x9e3779b97f4a7c15, X0: best.theta, Sigma0: sigma,
			PopSize: s.opt.PopSize, TolFun: s.opt.TolFun,
		})
		if err != nil {
			return nil, err
		}
		fits[b] = &refit{cma: cma, y: y, best: point{theta: best.theta, q: math.Inf(1)}}
	}
	for {
		var runs []Run
		var xs [][][]float64
		var who []int
		for b, f := range fits {
			if f.done || f.cma.Done() {
				f.done = true
				continue
			}
			x, err := f.cma.Ask()
			if err != nil {
				return nil, err
			}
			if f.used+len(x)*s.R > per {
				f.done = true
				continue
			}
			f.used += len(x) * s.R
			who = append(who, b)
			xs = append(xs, x)
			for _, th := range x {
				runs = append(runs, s.runsAt(th, (b+1)*s.R)...)
			}
		}
		if len(runs) == 0 {
			break
		}
		outs, err := eval(runs)
		if err != nil {
			return nil, err
		}
		at := 0
		for w, b := range who {
			f := fits[b]
			qs := make([]float64, len(xs[w]))
			for i, th := range xs[w] {
				m := s.means(outs[at : at+s.R])
				at += s.R
				qs[i] = s.distance(m, f.y)
				if qs[i] < f.best.q {
					f.best = point{theta: append([]float64(nil), th...), q: qs[i]}
				}
			}
			if err := f.cma.Tell(qs); err != nil {
				return nil, err
			}
		}
	}
	out := make([][]float64, B)
	for b, f := range fits {
		out[b] = f.best.theta
	}
	return out, nil
}

// applyBootstrap replaces the sandwich intervals by bootstrap percentiles
// (the Jacobian verdicts stay).
func (s *smm) applyBootstrap(ps []ParamEstimate, boot [][]float64) {
	ws := make([]float64, len(boot))
	for i := range ws {
		ws[i] = 1
	}
	for i := range ps {
		xs := make([]float64, len(boot))
		for b, th := range boot {
			xs[b] = th[i]
		}
		_, sd := weightedMeanSD(xs, ws)
		p := &ps[i]
		p.SE = sd
		p.CILo = math.Max(p.Lo, weightedQuantile(xs, ws, 0.025))
		p.CIHi = math.Min(p.Hi, weightedQuantile(xs, ws, 0.975))
		p.WidthRatio = (p.CIHi - p.CILo) / (p.Hi - p.Lo)
		if p.Verdict != NotIdentified {
			p.Verdict = verdictFromWidth(p.WidthRatio)
			p.Reason = fmt.Sprintf("bootstrap 95%% interval covers %.0f%% of the bounds", 100*p.WidthRatio)
		}
	}
}
