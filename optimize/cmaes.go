package optimize

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

var inf = math.Inf(1)

// CMAES is the covariance matrix adaptation evolution strategy as in
// Hansen's tutorial (arXiv:1604.00772, 2016) with its default parameters:
// weighted recombination of the best μ = ⌊λ/2⌋ of λ samples, cumulative
// step-size adaptation, rank-one and rank-μ covariance updates (the latter
// with the tutorial's negative weights for the worst λ − μ samples, i.e.
// active CMA, as in the reference implementation pycma), and a lazy
// eigendecomposition (gonum mat.EigenSym) every
// max(1, ⌊1/(10n(c1+cμ))⌋) generations.
//
// Bounds and budget: a sample x is evaluated at Repair(x) and ranked on
// f(Repair(x)) + γ/n·‖x − Project(x)‖² (distances in scaled units), with γ =
// 2·IQR(f)/(σ²·mean diag C) recomputed each generation (after Hansen et
// al., 2009, without their per-coordinate weights), which keeps the
// distribution near the feasible set without resampling. Integer variables
// are rounded only for evaluation; the search itself is continuous.
//
// Default units: the ranges hi − lo of a bounded space, capped for
// variables under a Budget at twice their equal share of it (the budget,
// not the box, bounds where they can go); the default start is the centre
// of the box projected onto the budget.
//
// Noise (Config.Noise, default NoiseAuto; after Hansen, Niederberger,
// Guzzella and Koumoutsakos 2009, UH-CMA-ES). Each generation re-evaluates
// a few of its candidates (1.5 + λ/20, rounded at random); while all
// re-evaluations come back identical the objective is taken for
// deterministic and, after three such generations, re-evaluation stops
// for good (a deterministic run costs three evaluations more than plain
// CMA-ES and samples the same points). Once a re-evaluation differs, the
// rank changes between first and second evaluations, measured against the
// changes random ranks would show, are smoothed into s; while s > 0 (the
// ranking is dominated by noise) the population grows by 1 + 2/(n+10) per
// generation (population-size adaptation, up to 8× the run's λ, with σ
// raised by the same factor so that the step does not collapse), and at
// the largest population the evaluations per candidate grow instead (up to
// MaxEvalsPerCandidate, averaged); while s < 0 they shrink back, the
// evaluations first. Copies of one candidate are distinct batch indices
// (Replica says which copy each is), so a noisy objective gives them
// independent noise. A noisy run recommends an exponentially smoothed
// distribution mean (time constant a fifth of the run's generations), not
// its best noisy sample.
//
// A run stops on TolFun (best values of the last 10+⌈30n/λ⌉ generations
// and all current values within TolFun), TolX, NoEffectAxis,
// NoEffectCoord, ConditionCov (> 1e14) or MaxGenerations. With Restarts >
// 0 it then restarts (IPOP) with λ doubled and σ = σ0, from X0 if given,
// else from a uniform point of a bounded space; it is Done after the last
// run stops.
type CMAES struct {
	space Space
	rng   rng
	st    cmaesState
}

type cmaesState struct {
	Method       string   `json:"method"`
	Fingerprint  string   `json:"fingerprint"`
	RNG          []byte   `json:"rng"`
	N            int      `json:"n"`
	Offset       Floats   `json:"offset"`
	Scale        Floats   `json:"scale"`
	X0           Floats   `json:"x0"` // scaled
	RandomStart  bool     `json:"random_start"`
	Sigma0       float64  `json:"sigma0"`
	Restarts     int      `json:"restarts"`
	RestartsDone int      `json:"restarts_done"`
	TolFun       float64  `json:"tolfun"`
	TolX         float64  `json:"tolx"`
	MaxGenCfg    int      `json:"max_generations"`
	Run          cmaesRun `json:"run"`
	Runs         []string `json:"runs"` // why each finished run stopped
	Best         bestTracker
	Pending      []Floats   `json:"pending"` // scaled samples awaiting Tell
	PendingX     []Floats   `json:"pending_x"`
	Penalty      Floats     `json:"penalty"`
	Generations  int        `json:"generations"`
	IsDone       bool       `json:"done"`
	Noise        cmaesNoise `json:"noise"`
}

type cmaesRun struct {
	Lambda   int     `json:"lambda"`
	Mu       int     `json:"mu"`
	W        Floats  `json:"w"`
	MuEff    float64 `json:"mueff"`
	Cc       float64 `json:"cc"`
	Cs       float64 `json:"cs"`
	C1       float64 `json:"c1"`
	Cmu      float64 `json:"cmu"`
	Ds       float64 `json:"damps"`
	ChiN     float64 `json:"chin"`
	EigEvery int     `json:"eig_every"`
	MaxGen   int     `json:"max_gen"`
	Mean     Floats  `json:"mean"`
	Sigma    Float   `json:"sigma"`
	Pc       Floats  `json:"pc"`
	Ps       Floats  `json:"ps"`
	C        Floats  `json:"c"` // n×n, row-major, symmetric
	B        Floats  `json:"b"` // eigenvectors in columns, row-major
	D        Floats  `json:"d"` // square roots of the eigenvalues
	Gen      int     `json:"gen"`
	EigenGen int     `json:"eigen_gen"`
	BestHist Floats  `json:"best_hist"`
}

// NewCMAES constructs CMA-ES on a space. It reads Seed, X0, Sigma0, Scales,
// PopSize, Restarts, TolFun, TolX and MaxGenerations.
func NewCMAES(space Space, cfg Config) (*CMAES, error) {
	if err := space.Validate(); err != nil {
		return nil, err
	}
	n := space.N()
	var errs []error
	if err := space.checkX(cfg.X0, "X0"); err != nil {
		errs = append(errs, err)
	}
	if cfg.Scales != nil && len(cfg.Scales) != n {
		errs = append(errs, fmt.Errorf("optimize: Scales has %d values for %d dimensions", len(cfg.Scales), n))
	}
	for i, s := range cfg.Scales {
		if !(s > 0) || math.IsInf(s, 0) {
			errs = append(errs, fmt.Errorf("optimize: Scales[%d] must be finite and > 0, got %g", i, s))
		}
	}
	if cfg.Sigma0 < 0 || math.IsNaN(cfg.Sigma0) || math.IsInf(cfg.Sigma0, 0) {
		errs = append(errs, fmt.Errorf("optimize: Sigma0 must be finite and > 0, got %g", cfg.Sigma0))
	}
	if cfg.PopSize < 0 {
		errs = append(errs, fmt.Errorf("optimize: PopSize must be ≥ 0 (0 = default), got %d", cfg.PopSize))
	} else if cfg.PopSize > 0 && cfg.PopSize < 2 {
		errs = append(errs, fmt.Errorf("optimize: CMA-ES population must be ≥ 2, got %d", cfg.PopSize))
	}
	if cfg.Noise != NoiseAuto && cfg.Noise != NoiseOff {
		errs = append(errs, fmt.Errorf("optimize: unknown Noise handling %d", cfg.Noise))
	}
	if cfg.MaxEvalsPerCandidate < 0 {
		errs = append(errs, fmt.Errorf("optimize: MaxEvalsPerCandidate must be ≥ 0 (0 = default %d), got %d", noiseMaxPerCan, cfg.MaxEvalsPerCandidate))
	}
	if cfg.Restarts < 0 {
		errs = append(errs, fmt.Errorf("optimize: Restarts must be ≥ 0, got %d", cfg.Restarts))
	}
	if cfg.TolFun < 0 || cfg.TolX < 0 || cfg.MaxGenerations < 0 {
		errs = append(errs, errors.New("optimize: TolFun, TolX and MaxGenerations must be ≥ 0"))
	}
	bounded := space.Bounded()
	if cfg.X0 == nil && !bounded {
		errs = append(errs, errors.New("optimize: CMA-ES on an unbounded space needs X0"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	st := cmaesState{
		Method: NameCMAES, Fingerprint: space.fingerprint(), N: n,
		Offset: make(Floats, n), Scale: make(Floats, n), X0: make(Floats, n),
		Restarts: cfg.Restarts, TolFun: cfg.TolFun, TolX: cfg.TolX, MaxGenCfg: cfg.MaxGenerations,
	}
	x0 := cfg.X0
	if x0 == nil && bounded {
		x0 = make([]float64, n)
		for i := range n {
			lo, hi := space.lohi(i)
			x0[i] = (lo + hi) / 2
		}
		x0 = space.Project(nil, x0) // the centre of the box may exceed the budget
	}
	share := space.budgetShare()
	for i := range n {
		lo, hi := space.lohi(i)
		st.Scale[i] = 1
		if bounded {
			st.Offset[i] = lo
			if cfg.Scales == nil && hi > lo {
				st.Scale[i] = math.Min(hi-lo, share[i])
			}
		}
		if cfg.Scales != nil {
			st.Scale[i] = cfg.Scales[i]
		}
		st.X0[i] = (x0[i] - st.Offset[i]) / st.Scale[i]
	}
	st.RandomStart = cfg.X0 == nil
	st.Sigma0 = cfg.Sigma0
	if st.Sigma0 == 0 {
		st.Sigma0 = 1
		if bounded && cfg.Scales == nil {
			st.Sigma0 = 0.3
		}
	}
	if st.TolFun == 0 {
		st.TolFun = 1e-12
	}
	if st.TolX == 0 {
		st.TolX = 1e-12 * st.Sigma0
	}
	lambda := cfg.PopSize
	if lambda == 0 {
		lambda = 4 + int(3*math.Log(float64(n)))
	}
	c := &CMAES{space: space, rng: newRNG(cfg.Seed), st: st}
	c.st.Noise = cmaesNoise{Off: cfg.Noise == NoiseOff, Evals: 1, MaxEvals: float64(cfg.MaxEvalsPerCandidate)}
	if cfg.MaxEvalsPerCandidate == 0 {
		c.st.Noise.MaxEvals = noiseMaxPerCan
	}
	c.newRun(lambda, c.st.X0)
	return c, nil
}

// newRun initialises a run with population lambda from the scaled mean m.
func (c *CMAES) newRun(lambda int, m []float64) {
	n := c.st.N
	r := c.strategyParams(lambda)
	r.MaxGen = c.st.MaxGenCfg
	if r.MaxGen == 0 {
		r.MaxGen = 100 + int(150*float64((n+3)*(n+3))/math.Sqrt(float64(lambda)))
	}
	r.Mean = append(Floats(nil), m...)
	r.Sigma = Float(c.st.Sigma0)
	r.Pc, r.Ps = make(Floats, n), make(Floats, n)
	r.C, r.B, r.D = make(Floats, n*n), make(Floats, n*n), make(Floats, n)
	for i := range n {
		r.C[i*n+i], r.B[i*n+i], r.D[i] = 1, 1, 1
	}
	c.st.Run = r
	c.st.Noise.Avg = nil
	c.st.Noise.Lambda, c.st.Noise.MinLambda = float64(lambda), float64(lambda)
	c.st.Noise.MaxLambda = float64(lambda) * noiseMaxLambda
}

// resize changes the current run's population to lambda keeping its
// distribution (mean, σ, C) and evolution paths: the weights and learning
// rates are those of the new λ (population-size adaptation).
func (c *CMAES) resize(lambda int) {
	old := c.st.Run
	r := c.strategyParams(lambda)
	r.MaxGen, r.Mean, r.Sigma, r.Pc, r.Ps = old.MaxGen, old.Mean, old.Sigma, old.Pc, old.Ps
	r.C, r.B, r.D, r.Gen, r.EigenGen, r.BestHist = old.C, old.B, old.D, old.Gen, old.EigenGen, old.BestHist
	c.st.Run = r
}

// strategyParams returns the tutorial's default weights and learning rates
// for population lambda.
func (c *CMAES) strategyParams(lambda int) cmaesRun {
	n := c.st.N
	nf := float64(n)
	mu := lambda / 2
	wp := make([]float64, lambda) // w'_i of the tutorial
	for i := range lambda {
		wp[i] = math.Log(float64(lambda+1)/2) - math.Log(float64(i+1))
	}
	sp, sp2, sn, sn2 := 0.0, 0.0, 0.0, 0.0
	for i, v := range wp {
		if i < mu {
			sp += v
			sp2 += v * v
		} else {
			sn += v
			sn2 += v * v
		}
	}
	mueff := sp * sp / sp2
	mueffNeg := 0.0
	if sn2 > 0 {
		mueffNeg = sn * sn / sn2
	}
	const alphaCov = 2
	r := cmaesRun{Lambda: lambda, Mu: mu, MuEff: mueff}
	r.Cc = (4 + mueff/nf) / (nf + 4 + 2*mueff/nf)
	r.Cs = (mueff + 2) / (nf + mueff + 5)
	r.C1 = alphaCov / ((nf+1.3)*(nf+1.3) + mueff)
	r.Cmu = math.Min(1-r.C1, alphaCov*(0.25+mueff+1/mueff-2)/((nf+2)*(nf+2)+alphaCov*mueff/2))
	// negative (active) weights, scaled as in the tutorial's (53)
	alphaNeg := math.Min(1+r.C1/r.Cmu, math.Min(1+2*mueffNeg/(mueff+2), (1-r.C1-r.Cmu)/(nf*r.Cmu)))
	r.W = make(Floats, lambda)
	for i, v := range wp {
		if i < mu {
			r.W[i] = v / sp
		} else if sn != 0 {
			r.W[i] = alphaNeg * v / math.Abs(sn)
		}
	}
	r.Ds = 1 + 2*math.Max(0, math.Sqrt((mueff-1)/(nf+1))-1) + r.Cs
	r.ChiN = math.Sqrt(nf) * (1 - 1/(4*nf) + 1/(21*nf*nf))
	r.EigEvery = max(1, int(1/(10*nf*(r.C1+r.Cmu))))
	return r
}

// Name implements Method.
func (c *CMAES) Name() string { return NameCMAES }

// Done implements Method.
func (c *CMAES) Done() bool { return c.st.IsDone }

// Best implements Method.
func (c *CMAES) Best() ([]float64, float64) { return c.st.Best.get() }

// Recommend returns the repaired mean of the current run; on an objective
// that has shown noise, the repaired smoothed mean (see CMAES).
func (c *CMAES) Recommend() []float64 {
	if nz := c.st.Noise; nz.Noisy && len(nz.Avg) == c.st.N {
		return c.space.Repair(nil, c.toX(nz.Avg))
	}
	return c.space.Repair(nil, c.toX(c.st.Run.Mean))
}

// Lambda is the population size of the current run.
func (c *CMAES) Lambda() int { return c.st.Run.Lambda }

// Runs returns why each finished run stopped, in order.
func (c *CMAES) Runs() []string { return append([]string(nil), c.st.Runs...) }

// Sigma is the current run's step size (in scaled units).
func (c *CMAES) Sigma() float64 { return float64(c.st.Run.Sigma) }

func (c *CMAES) toX(y []float64) []float64 {
	x := make([]float64, len(y))
	for i, v := range y {
		x[i] = c.st.Offset[i] + c.st.Scale[i]*v
	}
	return x
}

// Ask implements Method.
func (c *CMAES) Ask() ([][]float64, error) {
	if c.st.IsDone {
		return nil, errDone
	}
	r := &c.st.Run
	n := c.st.N
	if len(c.st.Pending) == 0 {
		z := make([]float64, n)
		for range r.Lambda {
			for i := range z {
				z[i] = c.rng.NormFloat64() * r.D[i]
			}
			y := make(Floats, n)
			for i := range n {
				s := 0.0
				for j := range n {
					s += r.B[i*n+j] * z[j]
				}
				y[i] = r.Mean[i] + float64(r.Sigma)*s
			}
			c.st.Pending = append(c.st.Pending, y)
		}
		c.st.PendingX = c.st.PendingX[:0]
		c.st.Penalty = c.st.Penalty[:0]
		for _, y := range c.st.Pending {
			x := c.toX(y)
			p := c.space.Project(nil, x)
			pen := 0.0
			for i := range x {
				d := (x[i] - p[i]) / c.st.Scale[i]
				pen += d * d
			}
			c.st.PendingX = append(c.st.PendingX, c.space.Repair(p, p))
			c.st.Penalty = append(c.st.Penalty, pen)
		}
		c.planNoise()
	}
	k := max(1, c.st.Noise.K)
	out := make([][]float64, 0, c.batchLen())
	for _, x := range c.st.PendingX {
		for range k {
			out = append(out, append([]float64(nil), x...))
		}
	}
	for _, x := range c.st.PendingX[:c.st.Noise.Reev] {
		for range k {
			out = append(out, append([]float64(nil), x...))
		}
	}
	return out, nil
}

// Tell implements Method.
func (c *CMAES) Tell(values []float64) error {
	pending := 0
	if len(c.st.Pending) > 0 {
		pending = c.batchLen()
	}
	if err := checkTell(pending, values); err != nil {
		return err
	}
	values, reValues := c.aggregate(values)
	r := &c.st.Run
	n, lambda := c.st.N, r.Lambda
	nf := float64(n)
	for k, v := range values {
		c.st.Best.update(c.st.PendingX[k], v)
	}
	sigma := float64(r.Sigma)
	f := c.penalise(values, reValues)
	sigmaFactor := 1.0
	if reValues != nil {
		sigmaFactor = c.treatNoise(f, reValues)
	}
	order := make([]int, lambda)
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return f[order[a]] < f[order[b]] })

	old := append([]float64(nil), r.Mean...)
	yw := make([]float64, n)
	for i := range n {
		m := 0.0
		for j := range r.Mu {
			m += r.W[j] * c.st.Pending[order[j]][i]
		}
		r.Mean[i] = m
		yw[i] = (m - old[i]) / sigma
	}
	// C^{-1/2} yw = B D^{-1} Bᵀ yw
	t := make([]float64, n)
	for j := range n {
		s := 0.0
		for i := range n {
			s += r.B[i*n+j] * yw[i]
		}
		t[j] = s / r.D[j]
	}
	csn := math.Sqrt(r.Cs * (2 - r.Cs) * r.MuEff)
	psNorm := 0.0
	for i := range n {
		s := 0.0
		for j := range n {
			s += r.B[i*n+j] * t[j]
		}
		r.Ps[i] = (1-r.Cs)*r.Ps[i] + csn*s
		psNorm += r.Ps[i] * r.Ps[i]
	}
	psNorm = math.Sqrt(psNorm)
	hsig := 0.0
	if psNorm/math.Sqrt(1-math.Pow(1-r.Cs, float64(2*(r.Gen+1)))) < (1.4+2/(nf+1))*r.ChiN {
		hsig = 1
	}
	ccn := math.Sqrt(r.Cc * (2 - r.Cc) * r.MuEff)
	for i := range n {
		r.Pc[i] = (1-r.Cc)*r.Pc[i] + hsig*ccn*yw[i]
	}
	// C ← (1 + c1δ(h) − c1 − cμ)C + c1 pc pcᵀ + cμ Σ w y yᵀ, on gonum/mat.
	C := mat.NewDense(n, n, r.C)
	sumW := 0.0
	for _, w := range r.W {
		sumW += w
	}
	C.Scale(1+r.C1*(1-hsig)*r.Cc*(2-r.Cc)-r.C1-r.Cmu*sumW, C)
	pc := mat.NewVecDense(n, r.Pc)
	C.RankOne(C, r.C1, pc, pc)
	y := mat.NewVecDense(n, nil)
	for j := range lambda {
		w := r.W[j]
		if w == 0 {
			continue
		}
		p := c.st.Pending[order[j]]
		for i := range n {
			y.SetVec(i, (p[i]-old[i])/sigma)
		}
		if w < 0 { // w° = w·n/‖C^{-1/2} y‖²
			w *= nf / c.invSqrtNorm2(y.RawVector().Data)
		}
		C.RankOne(C, r.Cmu*w, y, y)
	}
	r.Sigma = Float(sigmaFactor * sigma * math.Exp(r.Cs/r.Ds*(psNorm/r.ChiN-1)))
	r.Gen++
	c.st.Generations++
	c.smoothMean()
	if r.Gen-r.EigenGen >= r.EigEvery {
		c.eigen()
	}
	best := f[order[0]]
	r.BestHist = append(r.BestHist, best)
	if nl := int(math.Round(c.st.Noise.Lambda)); c.st.Noise.Lambda > 0 && nl != r.Lambda {
		c.resize(nl)
		r = &c.st.Run
	}
	c.st.Pending, c.st.PendingX, c.st.Penalty = nil, nil, nil
	if why := c.stop(f); why != "" {
		c.st.Runs = append(c.st.Runs, fmt.Sprintf("lambda=%d gens=%d: %s", r.Lambda, r.Gen, why))
		if c.st.RestartsDone < c.st.Restarts {
			c.st.RestartsDone++
			m := c.st.X0
			if c.st.RandomStart {
				x := make([]float64, n)
				for i := range x {
					lo, hi := c.space.lohi(i)
					x[i] = lo + (hi-lo)*c.rng.Float64()
				}
				x = c.space.Project(nil, x)
				m = make(Floats, n)
				for i := range m {
					m[i] = (x[i] - c.st.Offset[i]) / c.st.Scale[i]
				}
			}
			c.newRun(2*r.Lambda, m)
		} else {
			c.st.IsDone = true
		}
	}
	return nil
}

// penalise returns the ranking values: values plus, for samples outside
// the feasible set, γ/n times their squared scaled distance to it (see
// CMAES); the re-evaluations reValues of the first candidates get the same
// penalty, in place.
func (c *CMAES) penalise(values, reValues []float64) []float64 {
	r := &c.st.Run
	n := c.st.N
	nf := float64(n)
	sigma := float64(r.Sigma)
	meanDiag := 0.0
	for i := range n {
		meanDiag += r.C[i*n+i]
	}
	meanDiag /= nf
	f := append([]float64(nil), values...)
	anyPen := false
	for _, p := range c.st.Penalty {
		anyPen = anyPen || p > 0
	}
	if !anyPen {
		return f
	}
	gamma := 2 * iqr(values) / (sigma * sigma * meanDiag)
	if !(gamma > 0) || math.IsInf(gamma, 0) {
		gamma = 1e-12 * math.Max(1, math.Abs(median(values))) / (sigma * sigma * meanDiag)
	}
	for k, p := range c.st.Penalty {
		if p > 0 {
			f[k] += gamma * p / nf
			if k < len(reValues) {
				reValues[k] += gamma * p / nf
			}
		}
	}
	return f
}

// invSqrtNorm2 returns ‖C^{-1/2} y‖² = ‖D^{-1} Bᵀ y‖².
func (c *CMAES) invSqrtNorm2(y []float64) float64 {
	r := &c.st.Run
	n := c.st.N
	s2 := 0.0
	for j := range n {
		s := 0.0
		for i := range n {
			s += r.B[i*n+j] * y[i]
		}
		s /= r.D[j]
		s2 += s * s
	}
	return s2
}

func (c *CMAES) eigen() {
	r := &c.st.Run
	n := c.st.N
	r.EigenGen = r.Gen
	for i := range n { // symmetrise against rounding
		for j := i + 1; j < n; j++ {
			v := (r.C[i*n+j] + r.C[j*n+i]) / 2
			r.C[i*n+j], r.C[j*n+i] = v, v
		}
	}
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(n, append([]float64(nil), r.C...)), true) {
		return // keep the previous B, D
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	for j := range n {
		r.D[j] = math.Sqrt(math.Max(vals[j], 1e-300))
		for i := range n {
			r.B[i*n+j] = vecs.At(i, j)
		}
	}
}

// stop returns why the current run should stop, or "".
func (c *CMAES) stop(f []float64) string {
	r := &c.st.Run
	n := c.st.N
	sigma := float64(r.Sigma)
	if math.IsNaN(sigma) || math.IsInf(sigma, 0) || sigma == 0 {
		return "sigma degenerate"
	}
	if r.Gen >= r.MaxGen {
		return "maxiter"
	}
	h := 10 + int(math.Ceil(30*float64(n)/float64(r.Lambda)))
	if len(r.BestHist) >= h {
		lo, hi := minmax(r.BestHist[len(r.BestHist)-h:])
		flo, fhi := minmax(f)
		if math.Max(hi, fhi)-math.Min(lo, flo) < c.st.TolFun {
			return "tolfun"
		}
	}
	if len(r.BestHist) > 4*h { // keep the history bounded
		r.BestHist = append(Floats(nil), r.BestHist[len(r.BestHist)-h:]...)
	}
	tolx := true
	for i := range n {
		if sigma*math.Max(math.Abs(r.Pc[i]), math.Sqrt(r.C[i*n+i])) >= c.st.TolX {
			tolx = false
			break
		}
	}
	if tolx {
		return "tolx"
	}
	dlo, dhi := minmax(r.D)
	if dhi*dhi > 1e14*dlo*dlo {
		return "conditioncov"
	}
	for i := range n {
		if r.Mean[i] == r.Mean[i]+0.2*sigma*math.Sqrt(r.C[i*n+i]) {
			return "noeffectcoord"
		}
	}
	a := r.Gen % n
	same := true
	for i := range n {
		if r.Mean[i] != r.Mean[i]+0.1*sigma*r.D[a]*r.B[i*n+a] {
			same = false
			break
		}
	}
	if same {
		return "noeffectaxis"
	}
	return ""
}

// State implements Method.
func (c *CMAES) State() ([]byte, error) {
	c.st.RNG = c.rng.marshal()
	return json.Marshal(&c.st)
}

func (c *CMAES) restore(space Space, state []byte) error {
	c.space = space
	if err := json.Unmarshal(state, &c.st); err != nil {
		return err
	}
	if c.st.N != space.N() {
		return fmt.Errorf("state has %d dimensions, space %d", c.st.N, space.N())
	}
	var err error
	c.rng, err = restoreRNG(c.st.RNG)
	return err
}

func minmax(v []float64) (float64, float64) {
	lo, hi := inf, -inf
	for _, x := range v {
		lo = math.Min(lo, x)
		hi = math.Max(hi, x)
	}
	return lo, hi
}

func finiteSorted(v []float64) []float64 {
	s := make([]float64, 0, len(v))
	for _, x := range v {
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	sort.Float64s(s)
	return s
}

func iqr(v []float64) float64 {
	s := finiteSorted(v)
	if len(s) < 2 {
		return 0
	}
	return s[(3*(len(s)-1))/4] - s[(len(s)-1)/4]
}

func median(v []float64) float64 {
	s := finiteSorted(v)
	if len(s) == 0 {
		return 0
	}
	return s[(len(s)-1)/2]
}
