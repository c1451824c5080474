package sensitivity

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/startrend/startrend/internal/humannum"
	"github.com/startrend/startrend/qmc"
)

// SaltelliDesign is the sampling plan of Sobol-index estimation (Saltelli
// 2002/2010): two independent quasi-random matrices A and B (the first and
// last D coordinates of a seeded, scrambled 2D-dimensional Sobol sequence),
// and for every factor j the matrix AB_j (A with column j from B) and, with
// second order, BA_j (B with column j from A).
//
// Runs are numbered base-point first: run i is matrix i mod K of base point
// i / K, K = D+2 (A, B, AB_1 … AB_D) or 2D+2 (… BA_1 … BA_D). N base points
// are N·K runs, and growing from N to 2N adds runs N·K … 2N·K−1 only, so a
// design extended by the stop rule never recomputes a run.
type SaltelliDesign struct {
	Factors     []Factor
	SecondOrder bool
	Seed        uint64

	sobol *qmc.Sobol
}

// NewSaltelliDesign validates the factors and returns the design.
func NewSaltelliDesign(factors []Factor, secondOrder bool, seed uint64) (*SaltelliDesign, error) {
	if err := validateFactors(factors); err != nil {
		return nil, err
	}
	if 2*len(factors) > qmc.MaxDim {
		return nil, fmt.Errorf("sensitivity: %d factors exceed the Sobol sequence's %d dimensions (at most %d factors)", len(factors), qmc.MaxDim, qmc.MaxDim/2)
	}
	s, err := qmc.NewScrambledSobol(2*len(factors), seed)
	if err != nil {
		return nil, err
	}
	return &SaltelliDesign{Factors: slices.Clone(factors), SecondOrder: secondOrder, Seed: seed, sobol: s}, nil
}

// RunsPerBase is K: D+2, or 2D+2 with second order.
func (d *SaltelliDesign) RunsPerBase() int {
	if d.SecondOrder {
		return 2*len(d.Factors) + 2
	}
	return len(d.Factors) + 2
}

// Runs is the number of runs of n base points.
func (d *SaltelliDesign) Runs(n int) int { return n * d.RunsPerBase() }

// Point writes run i's factor values into dst (grown when short).
func (d *SaltelliDesign) Point(run int, dst []float64) []float64 {
	D := len(d.Factors)
	k := d.RunsPerBase()
	base, which := run/k, run%k
	u := d.sobol.Point(uint64(base), nil)
	a, b := u[:D], u[D:]
	x := make([]float64, D)
	switch {
	case which == 0:
		copy(x, a)
	case which == 1:
		copy(x, b)
	case which < D+2: // AB_j
		copy(x, a)
		j := which - 2
		x[j] = b[j]
	default: // BA_j
		copy(x, b)
		j := which - D - 2
		x[j] = a[j]
	}
	return scalePoint(d.Factors, x, dst)
}

// Index is an estimate with its bootstrap confidence interval.
type Index struct {
	Value  float64 // point estimate from all runs
	Lo, Hi float64 // percentile bootstrap interval (95% unless stated)
}

// HalfWidth is half the interval's width.
func (x Index) HalfWidth() float64 { return (x.Hi - x.Lo) / 2 }

// Covers reports whether v lies in [Lo, Hi].
func (x Index) Covers(v float64) bool { return x.Lo <= v && v <= x.Hi }

// SobolIndices are the variance-based indices of one output.
type SobolIndices struct {
	N            int // base points
	Replications int // replications per run
	Resamples    int // bootstrap resamples behind the intervals

	S1 []Index   // first-order indices, Saltelli 2010
	ST []Index   // total indices, Jansen 1999
	S2 [][]Index // second-order indices S2[j][k], j < k (nil without second order)

	// Uncorrected S1 and ST: the same estimators without the noise
	// correction (equal to S1, ST when the noise is not estimated).
	RawS1, RawST []float64

	Mean float64 // mean output over A and B
	// Variance is the output's variance due to the factors: the variance of
	// the replication means over A and B minus the noise's share of it.
	Variance float64
	// NoiseVariance is σ², the mean within-run variance of one replication
	// (NaN with one replication: not estimable, indices uncorrected).
	NoiseVariance float64
	// NoiseShare is σ² / (Variance + σ²): the share of a single run's output
	// variance that is simulation noise rather than the factors.
	NoiseShare float64
	// STNoise[j] bounds from above the share of ST[j]'s sampling
	// variance that simulation noise adds (the rest, the factors' own,
	// only more base points reduce), measured by bootstrapping each half of
	// the replications; see WidthPlan. Nil with one replication.
	STNoise []NoiseSplit
}

// NoiseSplit is the share of an estimator's sampling variance that comes
// from simulation noise: Linear falls as 1/R and Square as 1/R² with R
// replications per run; 1 − Linear − Square is the factors' part. The
// split is measured from halves of the replications, whose intervals grow
// faster than the noise alone explains (a ratio estimator with half the
// replications), so Linear + Square is an upper bound: on Ishigami with
// noise of 30% of a run's variance it predicted intervals at 4× the
// replications 14–27% narrower than they came out.
type NoiseSplit struct{ Linear, Square float64 }

// Inert reports whether factor j is indistinguishable from no effect: its
// total index's interval reaches 0.
func (s *SobolIndices) Inert(j int) bool { return s.ST[j].Lo <= 0 }

// saltelliData are the replication means of one output, arranged by matrix.
type saltelliData struct {
	n, d, r   int
	a, b      []float64   // [base]
	ab, ba    [][]float64 // [j][base]
	noiseSum  []float64   // per base point: sum of within-run sample variances over its runs
	noiseRuns []int       // per base point: runs contributing to noiseSum
	sigma2    float64     // when > 0, the noise variance σ² to use instead of the estimate
}

// newSaltelliData checks and arranges y[run][rep] for n base points.
func (d *SaltelliDesign) newSaltelliData(y [][]float64, n int) (*saltelliData, error) {
	k := d.RunsPerBase()
	D := len(d.Factors)
	if n < 2 {
		return nil, fmt.Errorf("sensitivity: %d base points; Sobol indices need at least 2", n)
	}
	if len(y) < n*k {
		return nil, fmt.Errorf("sensitivity: %d runs given, %d base points need %d", len(y), n, n*k)
	}
	r := len(y[0])
	if r < 1 {
		return nil, fmt.Errorf("sensitivity: run 0 has no replications")
	}
	sd := &saltelliData{n: n, d: D, r: r, a: make([]float64, n), b: make([]float64, n),
		ab: make([][]float64, D), noiseSum: make([]float64, n), noiseRuns: make([]int, n)}
	for j := range D {
		sd.ab[j] = make([]float64, n)
	}
	if d.SecondOrder {
		sd.ba = make([][]float64, D)
		for j := range D {
			sd.ba[j] = make([]float64, n)
		}
	}
	for run := 0; run < n*k; run++ {
		reps := y[run]
		if len(reps) != r {
			return nil, fmt.Errorf("sensitivity: run %d has %d replications, run 0 has %d", run, len(reps), r)
		}
		var m float64
		for rep, v := range reps {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("sensitivity: run %d replication %d: output %g is not finite", run, rep, v)
			}
			m += v
		}
		m /= float64(r)
		base, which := run/k, run%k
		if r > 1 {
			var ss float64
			for _, v := range reps {
				ss += (v - m) * (v - m)
			}
			sd.noiseSum[base] += ss / float64(r-1)
			sd.noiseRuns[base]++
		}
		switch {
		case which == 0:
			sd.a[base] = m
		case which == 1:
			sd.b[base] = m
		case which < D+2:
			sd.ab[which-2][base] = m
		default:
			sd.ba[which-D-2][base] = m
		}
	}
	return sd, nil
}

// estimate holds one set of index estimates.
type estimate struct {
	s1, st, rawS1, rawST []float64
	s2                   [][]float64
	mean, v, noise       float64
}

// estimate computes the indices from the base points listed in idx (nil:
// all, in order). Centring f(B) and the second-order products on the mean
// leaves the estimators' expectations unchanged (the differences they
// multiply have mean zero) and removes the output's mean from their variance.
func (sd *saltelliData) estimate(idx []int, e *estimate) {
	n := sd.n
	at := func(i int) int { return i }
	if idx != nil {
		at = func(i int) int { return idx[i] }
	}
	var sum float64
	var noiseSum float64
	var noiseRuns int
	for i := range n {
		b := at(i)
		sum += sd.a[b] + sd.b[b]
		noiseSum += sd.noiseSum[b]
		noiseRuns += sd.noiseRuns[b]
	}
	mean := sum / float64(2*n)
	var ss float64
	for i := range n {
		b := at(i)
		da, db := sd.a[b]-mean, sd.b[b]-mean
		ss += da*da + db*db
	}
	vy := ss / float64(2*n-1)
	noise, noiseOfMean := math.NaN(), 0.0
	if noiseRuns > 0 {
		noise = noiseSum / float64(noiseRuns)
	}
	if sd.sigma2 > 0 {
		noise = sd.sigma2
	}
	if !math.IsNaN(noise) {
		noiseOfMean = noise / float64(sd.r)
	}
	vf := vy - noiseOfMean
	e.mean, e.v, e.noise = mean, vf, noise
	for j := range sd.d {
		ab := sd.ab[j]
		var s1, jan float64
		for i := range n {
			b := at(i)
			diff := ab[b] - sd.a[b]
			s1 += (sd.b[b] - mean) * diff
			jan += diff * diff
		}
		s1 /= float64(n)
		jan /= float64(2 * n)
		e.rawS1[j] = s1 / vy
		e.rawST[j] = jan / vy
		e.s1[j] = s1 / vf
		e.st[j] = (jan - noiseOfMean) / vf
	}
	if sd.ba != nil {
		for j := range sd.d {
			for k := j + 1; k < sd.d; k++ {
				var v float64
				baj, abk := sd.ba[j], sd.ab[k]
				for i := range n {
					b := at(i)
					v += (baj[b]-mean)*(abk[b]-mean) - (sd.a[b]-mean)*(sd.b[b]-mean)
				}
				e.s2[j][k] = v/float64(n)/vf - e.s1[j] - e.s1[k]
			}
		}
	}
}

// noiseRatio is, per factor, the ratio b/c of the noise terms of the
// Jansen numerator's variance a + b/R + c/R². With independent seeds per
// run, d = ȳ(AB_j) − ȳ(A) is the factors' difference s plus noise e of
// variance ν = 2σ²/R, so Var(d²) = Var(s²) + 4·E[s²]·ν + Var(e²), with
// Var(e²) = 2ν² for Gaussian noise and E[s²] = E[d²] − ν: b = 8·E[s²]·σ²
// and c = 8σ⁴.
func (sd *saltelliData) noiseRatio(sigma2 float64) []float64 {
	nu := 2 * sigma2 / float64(sd.r)
	out := make([]float64, sd.d)
	for j := range sd.d {
		var m float64
		for i := range sd.n {
			d := sd.ab[j][i] - sd.a[i]
			m += d * d
		}
		es2 := math.Max(m/float64(sd.n)-nu, 0)
		out[j] = es2 / sigma2 // 8·E[s²]·σ² / 8σ⁴
	}
	return out
}

// stNoise measures how much of each total index's interval is simulation
// noise: it bootstraps the indices again from each half of the
// replications (the noise variance fixed at σ² from all of them, so that
// one replication can be corrected too), with the resamples of the full
// analysis. Sampling variances go as a + b/R + c/R² with R replications
// (noise times the factors' differences, and noise squared); the growth
// from w_R² (R replications) to w_h² (h = R/2) fixes b and c given their
// ratio (noiseRatio), and b/R and c/R² over w_R² are the noise's shares.
func (d *SaltelliDesign) stNoise(y [][]float64, n, resamples int, sigma2 float64, full []Index, ratio []float64) ([]NoiseSplit, error) {
	r := len(y[0])
	D := len(d.Factors)
	var wh []float64
	for _, part := range [][2]int{{0, r / 2}, {r / 2, r}} {
		sub := make([][]float64, n*d.RunsPerBase())
		for run := range sub {
			sub[run] = y[run][part[0]:part[1]]
		}
		sd, err := d.newSaltelliData(sub, n)
		if err != nil {
			return nil, err
		}
		sd.sigma2, sd.ba = sigma2, nil // total indices only
		boot := make([][]float64, D)
		for j := range boot {
			boot[j] = make([]float64, resamples)
		}
		rng := rand.New(rand.NewPCG(d.Seed, 0xb007)) // the full analysis's resamples
		idx := make([]int, n)
		e := newEstimate(D, false)
		for s := range resamples {
			for i := range idx {
				idx[i] = rng.IntN(n)
			}
			sd.estimate(idx, e)
			for j := range D {
				boot[j][s] = e.st[j]
			}
		}
		if wh == nil {
			wh = make([]float64, D)
		}
		for j := range D {
			wh[j] += interval(0, boot[j]).HalfWidth() / 2
		}
	}
	out := make([]NoiseSplit, D)
	R, h := float64(r), float64(r/2)
	for j := range D {
		w := full[j].HalfWidth()
		vr, vh := w*w, wh[j]*wh[j]
		c := (vh - vr) / (ratio[j]*(1/h-1/R) + (1/(h*h) - 1/(R*R)))
		if !(vr > 0) || math.IsNaN(c) {
			out[j] = NoiseSplit{math.NaN(), math.NaN()}
			continue
		}
		c = math.Max(c, 0)
		lin, sq := ratio[j]*c/R/vr, c/(R*R)/vr
		if t := lin + sq; t > 1 {
			lin, sq = lin/t, sq/t
		}
		out[j] = NoiseSplit{lin, sq}
	}
	return out, nil
}

// WidthPlan is what it takes to bring an interval of half-width Width at
// N base points below a target half-width.
type WidthPlan struct {
	Width float64 // the half-width now
	// Noise bounds the share of its variance due to simulation noise from
	// above (STNoise; NaN with one replication).
	Noise float64
	// N is the power-of-two number of base points (≥ now) predicted to
	// reach the target at the same replications (half-widths fall as
	// 1/√N); FloorN the N that would do even with the noise removed (a
	// lower bound: no number of replications does better).
	N, FloorN int
}

// PlanWidth predicts, from an interval of half-width w at n base points
// whose variance is at most a share noise simulation noise, the base
// points that bring it below target.
func PlanWidth(w float64, n int, noise, target float64) WidthPlan {
	p := WidthPlan{Width: w, Noise: noise}
	need := func(f float64) int {
		N := n
		for w*math.Sqrt(f*float64(n)/float64(N)) >= target && N < 1<<40 {
			N *= 2
		}
		return N
	}
	p.N = need(1)
	p.FloorN = p.N
	if noise >= 0 && noise <= 1 {
		p.FloorN = need(1 - noise)
	}
	return p
}

func newEstimate(d int, second bool) *estimate {
	e := &estimate{s1: make([]float64, d), st: make([]float64, d), rawS1: make([]float64, d), rawST: make([]float64, d)}
	if second {
		e.s2 = make([][]float64, d)
		for j := range e.s2 {
			e.s2[j] = make([]float64, d)
		}
	}
	return e
}

// MinResamples is the fewest bootstrap resamples an analysis accepts.
const MinResamples = 100

// Analyze estimates the Sobol indices of one output from the first n base
// points (n·RunsPerBase() runs) of y, where y[run][rep] is replication rep of
// run run. Confidence intervals are 95% percentile intervals over resamples
// bootstrap resamples of the base points (each resample redraws n base points
// with replacement and recomputes every index, the noise variance included),
// drawn from a stream seeded by the design's seed, so the result is a pure
// function of the design and y.
//
// With R ≥ 2 replications per run the estimators are corrected for
// simulation noise with independent seeds per run (see the package
// documentation): σ² is the pooled within-run variance, V = Var(ȳ) − σ²/R the
// factors' variance, S1 = V̂_j / V and ST = (Ê_j − σ²/R) / V where V̂_j and Ê_j
// are the Saltelli 2010 and Jansen numerators computed on replication means.
func (d *SaltelliDesign) Analyze(y [][]float64, n, resamples int) (*SobolIndices, error) {
	if !isPow2(n) {
		return nil, fmt.Errorf("sensitivity: N = %d base points is not a power of two (the Sobol design is balanced only at powers of two)", n)
	}
	if resamples < MinResamples {
		return nil, fmt.Errorf("sensitivity: %d bootstrap resamples; at least %d are needed for a 95%% interval", resamples, MinResamples)
	}
	sd, err := d.newSaltelliData(y, n)
	if err != nil {
		return nil, err
	}
	D := len(d.Factors)
	full := newEstimate(D, d.SecondOrder)
	sd.estimate(nil, full)
	if !(full.v > 0) {
		return nil, fmt.Errorf("sensitivity: the output's variance due to the factors is %s (variance of the replication means minus the noise's σ²/R): the factors' effect is not distinguishable from noise or absent; indices are undefined (more replications or a larger N may resolve it)", humannum.Plain(full.v))
	}
	res := &SobolIndices{N: n, Replications: sd.r, Resamples: resamples,
		S1: make([]Index, D), ST: make([]Index, D), RawS1: full.rawS1, RawST: full.rawST,
		Mean: full.mean, Variance: full.v, NoiseVariance: full.noise, NoiseShare: math.NaN()}
	if !math.IsNaN(full.noise) {
		res.NoiseShare = full.noise / (full.v + full.noise)
	}
	// bootstrap
	bs1 := make([][]float64, D)
	bst := make([][]float64, D)
	var bs2 [][][]float64
	for j := range D {
		bs1[j] = make([]float64, resamples)
		bst[j] = make([]float64, resamples)
	}
	if d.SecondOrder {
		bs2 = make([][][]float64, D)
		for j := range D {
			bs2[j] = make([][]float64, D)
			for k := j + 1; k < D; k++ {
				bs2[j][k] = make([]float64, resamples)
			}
		}
	}
	rng := rand.New(rand.NewPCG(d.Seed, 0xb007)) // bootstrap stream
	idx := make([]int, n)
	e := newEstimate(D, d.SecondOrder)
	for s := range resamples {
		for i := range idx {
			idx[i] = rng.IntN(n)
		}
		sd.estimate(idx, e)
		for j := range D {
			bs1[j][s], bst[j][s] = e.s1[j], e.st[j]
			for k := j + 1; k < D && d.SecondOrder; k++ {
				bs2[j][k][s] = e.s2[j][k]
			}
		}
	}
	for j := range D {
		res.S1[j] = interval(full.s1[j], bs1[j])
		res.ST[j] = interval(full.st[j], bst[j])
	}
	if d.SecondOrder {
		res.S2 = make([][]Index, D)
		for j := range D {
			res.S2[j] = make([]Index, D)
			for k := j + 1; k < D; k++ {
				res.S2[j][k] = interval(full.s2[j][k], bs2[j][k])
			}
		}
	}
	if sd.r >= 2 && !math.IsNaN(full.noise) {
		if res.STNoise, err = d.stNoise(y, n, resamples, full.noise, res.ST, sd.noiseRatio(full.noise)); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// interval returns the estimate with the 2.5% and 97.5% quantiles of its
// bootstrap replicates (sorted in place). Resamples whose estimate is not a
// number (a resample with no output variance) are left out.
func interval(v float64, boot []float64) Index {
	boot = slices.DeleteFunc(boot, math.IsNaN)
	slices.Sort(boot)
	if len(boot) == 0 {
		return Index{Value: v, Lo: math.NaN(), Hi: math.NaN()}
	}
	return Index{Value: v, Lo: quantile(boot, 0.025), Hi: quantile(boot, 0.975)}
}

// quantile of sorted xs by linear interpolation between order statistics.
func quantile(xs []float64, p float64) float64 {
	h := p * float64(len(xs)-1)
	i := int(h)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (h-float64(i))*(xs[i+1]-xs[i])
}
