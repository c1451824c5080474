package optimize

import (
	"math"
	"sort"
)

// NoiseHandling selects CMA-ES's treatment of noisy objectives.
type NoiseHandling int

const (
	// NoiseAuto (the default) re-evaluates a few candidates of each
	// generation until the objective has shown itself deterministic (three
	// generations of identical re-evaluations, then never again); on a noisy
	// objective it keeps measuring rank changes and treats them (see CMAES).
	NoiseAuto NoiseHandling = iota
	// NoiseOff never re-evaluates: plain CMA-ES.
	NoiseOff
)

// Noise-handling constants after Hansen, Niederberger, Guzzella and
// Koumoutsakos (2009), "A method for handling uncertainty in evolutionary
// optimization…", IEEE TEC 13(1), and pycma's NoiseHandler defaults.
const (
	noiseTheta     = 0.5 // percentile (×50) of the rank-change limit (pycma; 0.2 in the paper)
	noiseCum       = 0.3 // smoothing of the measure s
	noiseDetGens   = 3   // identical generations that prove determinism
	noiseMaxPerCan = 100 // default cap on evaluations per candidate
	noiseMaxLambda = 8   // population adaptation up to 8× the run's λ
)

// cmaesNoise is the uncertainty-handling state (UH-CMA-ES).
type cmaesNoise struct {
	// Off: no more re-evaluations (NoiseOff, or shown deterministic).
	Off bool `json:"off"`
	// Noisy: some re-evaluation differed from its first evaluation.
	Noisy bool `json:"noisy"`
	// Identical counts generations whose re-evaluations were all identical.
	Identical int `json:"identical"`
	// Evals is the (real) number of evaluations per candidate, ≥ 1.
	Evals float64 `json:"evals"`
	// MaxEvals caps Evals.
	MaxEvals float64 `json:"max_evals"`
	// K and Reev are the copies per candidate and the number of
	// re-evaluated candidates of the pending generation.
	K    int `json:"k"`
	Reev int `json:"reev"`
	// S is the smoothed rank-change measure; > 0 means noise dominates.
	S float64 `json:"s"`
	// Avg is the smoothed distribution mean (scaled units) that a noisy
	// run recommends, with the generations it averages.
	Avg Floats `json:"avg"`
	// Lambda is the adapted (real) population size, within
	// [MinLambda, MaxLambda].
	Lambda    float64 `json:"lambda"`
	MinLambda float64 `json:"min_lambda"`
	MaxLambda float64 `json:"max_lambda"`
	// Treated counts generations with S > 0.
	Treated int `json:"treated"`
}

// plan fixes the copies per candidate and the re-evaluations of the next
// generation.
func (c *CMAES) planNoise() {
	nz := &c.st.Noise
	nz.K, nz.Reev = 1, 0
	if nz.Off {
		return
	}
	if !nz.Noisy {
		// until noise shows, one re-evaluation and no random draw: on a
		// deterministic objective the search is plain CMA-ES's, plus
		// noiseDetGens evaluations
		nz.Reev = 1
		return
	}
	lam := c.st.Run.Lambda
	k := math.Floor(nz.Evals)
	if c.rng.Float64() < nz.Evals-k {
		k++
	}
	nz.K = max(1, int(k))
	// λ_reev = 1.5 + λ/20, rounded at random (pycma's default), at least 1
	r := 1.5 + float64(lam)/20
	reev := math.Floor(r)
	if c.rng.Float64() < r-reev {
		reev++
	}
	nz.Reev = min(lam, max(1, int(reev)))
}

// batchLen is the number of evaluations the pending generation asks for.
func (c *CMAES) batchLen() int {
	return (c.st.Run.Lambda + c.st.Noise.Reev) * c.st.Noise.K
}

// Replica returns the copy number of batch index i (0…K−1 for a
// candidate's evaluations, K…2K−1 for its re-evaluation).
func (c *CMAES) Replica(i int) int {
	k := max(1, c.st.Noise.K)
	if i < c.st.Run.Lambda*k {
		return i % k
	}
	return k + i%k
}

// aggregate averages each candidate's copies (fit) and the re-evaluated
// candidates' copies (re, nil when there is nothing to measure: no
// re-evaluations, or all identical on an objective not yet shown noisy).
func (c *CMAES) aggregate(values []float64) (fit, re []float64) {
	nz := &c.st.Noise
	lam, k := c.st.Run.Lambda, max(1, nz.K)
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	fit = make([]float64, lam)
	for i := range fit {
		fit[i] = mean(values[i*k : (i+1)*k])
	}
	if nz.Reev == 0 {
		return fit, nil
	}
	re = make([]float64, nz.Reev)
	same := true
	for j := range re {
		re[j] = mean(values[(lam+j)*k : (lam+j+1)*k])
		same = same && re[j] == fit[j]
	}
	for i := range lam { // copies of one candidate differing also show noise
		for _, v := range values[i*k : (i+1)*k] {
			same = same && v == values[i*k]
		}
	}
	if same && !nz.Noisy {
		nz.Identical++
		if nz.Identical >= noiseDetGens {
			nz.Off = true
		}
		return fit, nil
	}
	nz.Noisy = true
	return fit, re
}

// treatNoise measures the rank changes between the (penalised) values f of
// the generation and the re-evaluations fre of its first candidates,
// smooths the measure and adapts the evaluations per candidate; it returns
// the factor for σ (> 1 while noise dominates the ranking) and replaces the
// re-evaluated candidates' values by the mean of both evaluations.
func (c *CMAES) treatNoise(f, fre []float64) float64 {
	nz := &c.st.Noise
	all := append([]float64(nil), f...)
	copy(all, fre)
	s := rankChange(f, all, len(fre))
	nz.S += noiseCum * (s - nz.S)
	for j, v := range fre {
		f[j] = (f[j] + v) / 2
	}
	a := c.noiseAlpha()
	lam := float64(c.st.Run.Lambda)
	if nz.Lambda == 0 {
		nz.Lambda = lam
	}
	if nz.S > 0 {
		nz.Treated++
		if nz.Lambda < nz.MaxLambda {
			nz.Lambda = math.Min(nz.MaxLambda, nz.Lambda*a)
			return a
		}
		nz.Evals = math.Min(nz.MaxEvals, nz.Evals*a)
		return 1
	}
	if nz.Evals > 1 {
		nz.Evals = math.Max(1, nz.Evals*math.Pow(a, -0.25))
	} else {
		nz.Lambda = math.Max(nz.MinLambda, nz.Lambda*math.Pow(a, -0.25))
	}
	return 1
}

// rankChange is the uncertainty measure s of Hansen et al. (2009): the mean
// over the first reev candidates of the rank change between fit and its
// re-evaluation re within the joint ranking of both, minus the change that
// the θ-percentile of random rank differences allows. s > 0 when the
// ranking is dominated by noise.
func rankChange(fit, re []float64, reev int) float64 {
	lam := len(fit)
	all := append(append([]float64(nil), fit...), re...)
	idx := make([]int, 2*lam)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return all[idx[a]] < all[idx[b]] })
	rank := make([]int, 2*lam)
	for r, i := range idx {
		rank[i] = r
	}
	diffs := make([]float64, 2*lam-1)
	limit := func(r0, r1 int) float64 {
		// |{1…2λ−1} − (r0 + 1 − [r0 > r1])|, its θ-percentile
		c := r0 + 1
		if r0 > r1 {
			c--
		}
		for q := range diffs {
			diffs[q] = math.Abs(float64(q + 1 - c))
		}
		sort.Float64s(diffs)
		return percentile(diffs, noiseTheta*50)
	}
	s := 0.0
	for j := range reev {
		r0, r1 := rank[j], rank[lam+j]
		d := r0 - r1
		if d > 0 {
			d--
		} else if d < 0 {
			d++
		}
		lim := (limit(r0, r1) + limit(r1, r0)) / 2
		s += math.Abs(float64(d)) - lim
	}
	return s / float64(reev)
}

// percentile of sorted v at p ∈ [0, 100], by linear interpolation.
func percentile(v []float64, p float64) float64 {
	if len(v) == 1 {
		return v[0]
	}
	h := p / 100 * float64(len(v)-1)
	lo := int(math.Floor(h))
	if lo >= len(v)-1 {
		return v[len(v)-1]
	}
	return v[lo] + (h-float64(lo))*(v[lo+1]-v[lo])
}

// smoothMean updates the averaged mean: an exponential average whose time
// constant is a fifth of the run's generations, so that the recommendation
// of a noisy run averages the mean's jitter around the optimum.
func (c *CMAES) smoothMean() {
	r := &c.st.Run
	nz := &c.st.Noise
	if len(nz.Avg) != len(r.Mean) || r.Gen <= 1 {
		nz.Avg = append(Floats(nil), r.Mean...)
		return
	}
	a := 1 / math.Max(1, 0.2*float64(r.Gen))
	for i, m := range r.Mean {
		nz.Avg[i] += a * (m - nz.Avg[i])
	}
}

// noiseAlpha is the factor for σ and for the evaluations per candidate
// while noise dominates, 1 + 2/(n + 10) (pycma; 1.5 for evaluations in the
// paper).
func (c *CMAES) noiseAlpha() float64 { return 1 + 2/(float64(c.st.N)+10) }
