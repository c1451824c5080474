package sim

import (
	"math"
	"math/rand/v2"
)

// Random streams. Every stream is a PCG seeded from (seed, replication,
// stream id, chunk) through SplitMix64, never from the worker that runs it,
// so a run is a pure function of (scenario, seed) and variants of one
// scenario draw exactly the same numbers (common random numbers).
const (
	streamWorld    = 1 // creator/merchant decisions, once per replication
	streamCreators = 2 // creator generation
	streamUserInit = 3 // user initial state and follow graph, per chunk
	streamUserDay  = 4 // daily user loop, per chunk
	streamGraph    = 5 // creator–creator follow graph
	streamFollows  = 6 // user → creator follow graph (hash key)
)

// splitmix64 is one step of the SplitMix64 generator.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newStream returns the PCG for (seed, rep, stream, chunk).
func newStream(seed uint64, rep, stream, chunk int) *rand.PCG {
	h := splitmix64(seed)
	h = splitmix64(h ^ uint64(rep)*0x100000001b3)
	h = splitmix64(h ^ uint64(stream)*0xc2b2ae3d27d4eb4f)
	h = splitmix64(h ^ uint64(chunk)*0x165667b19e3779f9)
	return rand.NewPCG(h, splitmix64(h^0xdeadbeefcafef00d))
}

// u01 turns 64 random bits into a uniform float64 in [0, 1).
func u01(r uint64) float64 { return float64(r>>11) * (1.0 / (1 << 53)) }

// alias is Vose's alias table over n outcomes; one 64-bit draw picks one.
type alias struct {
	prob  []uint32 // acceptance threshold scaled to 2^32
	alias []int32
	total float64 // sum of the weights it was built from
}

// build (re)builds the table from weights, reusing its storage. Negative and
// NaN weights count as zero. With total weight zero, the table is empty.
func (a *alias) build(w []float64, small, large []int32, scaled []float64) ([]int32, []int32, []float64) {
	n := len(w)
	if cap(a.prob) < n {
		a.prob = make([]uint32, n)
		a.alias = make([]int32, n)
	}
	a.prob = a.prob[:n]
	a.alias = a.alias[:n]
	var total float64
	for _, x := range w {
		if x > 0 {
			total += x
		}
	}
	a.total = total
	if total <= 0 || n == 0 {
		a.prob = a.prob[:0]
		a.alias = a.alias[:0]
		return small, large, scaled
	}
	if cap(scaled) < n {
		scaled = make([]float64, n)
	}
	scaled = scaled[:n]
	small, large = small[:0], large[:0]
	for i, x := range w {
		if !(x > 0) {
			x = 0
		}
		scaled[i] = x * float64(n) / total
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		a.prob[s] = uint32(math.Min(scaled[s], 1) * 4294967295)
		a.alias[s] = l
		scaled[l] = scaled[l] + scaled[s] - 1
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, l := range large {
		a.prob[l] = 4294967295
		a.alias[l] = l
	}
	for _, s := range small { // numerical leftovers
		a.prob[s] = 4294967295
		a.alias[s] = s
	}
	return small, large, scaled
}

// draw picks an outcome from one 64-bit random number: the high 32 bits
// choose a column, the low 32 bits accept it or take its alias.
func (a *alias) draw(r uint64) int32 {
	n := uint64(len(a.prob))
	i := ((r >> 32) * n) >> 32
	if uint32(r) < a.prob[i] {
		return int32(i)
	}
	return a.alias[i]
}

// poissonTable is the inverse CDF of a Poisson law, for drawing a count
// with one uniform number.
type poissonTable struct {
	cdf   []float64 // cdf[k] = P(N <= k); the last entry is 1
	guide []int32   // guide[j]: the answer for u = j/guideN (a start for the scan)
}

// guideN is the number of guide entries of a poissonTable: the scan from
// guide[⌊u·guideN⌋] finds the same k as a scan from 0, in a step or two.
const guideN = 64

// set builds the table for mean lambda (lambda <= 0: always 0).
func (p *poissonTable) set(lambda float64) {
	p.cdf = p.cdf[:0]
	if !(lambda > 0) {
		p.cdf = append(p.cdf, 1)
		return
	}
	term := math.Exp(-lambda)
	sum := term
	p.cdf = append(p.cdf, sum)
	for k := 1; k < 4096; k++ {
		term *= lambda / float64(k)
		sum += term
		if sum >= 1-1e-12 || (float64(k) > lambda && term < 1e-13) {
			break
		}
		p.cdf = append(p.cdf, sum)
	}
	p.cdf = append(p.cdf, 1)
	if cap(p.guide) < guideN {
		p.guide = make([]int32, guideN)
	}
	p.guide = p.guide[:guideN]
	k := 0
	for j := 0; j < guideN; j++ {
		u := float64(j) / guideN
		for k < len(p.cdf)-1 && u >= p.cdf[k] {
			k++
		}
		p.guide[j] = int32(k)
	}
}

// draw returns a Poisson count for the uniform u in [0, 1).
func (p *poissonTable) draw(u float64) int {
	c := p.cdf
	k := int(p.guide[int(u*guideN)])
	for k < len(c)-1 && u >= c[k] {
		k++
	}
	return k
}

// poisson draws a Poisson count for any mean (normal approximation above 500).
func poisson(r *rand.PCG, lambda float64) int {
	if !(lambda > 0) {
		return 0
	}
	if lambda > 500 {
		x := lambda + math.Sqrt(lambda)*normal(r)
		if x < 0 {
			return 0
		}
		return int(x + 0.5)
	}
	l := math.Exp(-lambda)
	k := 0
	p := u01(r.Uint64())
	for p > l {
		k++
		p *= u01(r.Uint64())
	}
	return k
}

func normal(r *rand.PCG) float64 {
	u1 := u01(r.Uint64())
	u2 := u01(r.Uint64())
	if u1 < 1e-300 {
		u1 = 1e-300
	}
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}
