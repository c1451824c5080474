package sim

import (
	"math"
	"math/bits"
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

// dayRand is the user-day stream: wyrand (Wang Yi's wyhash family,
// github.com/wangyi-fudan/wyhash; the generator Go's runtime uses for its
// own cheap random numbers, runtime.cheaprand): a Weyl sequence
// (s += γ) through one 64×64→128-bit multiply folded by XOR; it passes
// TestU01's BigCrush and PractRand. runChunk seeds it for every user-day
// from the user-day hash, and each user-day draws a few dozen numbers at
// most. Less than half a PCG step's instructions (no 128-bit state
// multiply, no output permutation): the daily user loop draws tens of
// numbers per active user.
type dayRand struct{ s uint64 }

// Seed restarts the stream at state s.
func (r *dayRand) Seed(s uint64) { r.s = s }

// Uint64 returns the next 64 random bits.
func (r *dayRand) Uint64() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// uint64er is a source of random bits (a PCG or a dayRand).
type uint64er interface{ Uint64() uint64 }

// u01 turns 64 random bits into a uniform float64 in [0, 1).
func u01(r uint64) float64 { return float64(r>>11) * (1.0 / (1 << 53)) }

// poissonTable is the inverse CDF of a Poisson law, for drawing a count
// with one uniform number.
type poissonTable struct {
	cdf []float64 // cdf[k] = P(N <= k); the last entry is 1
	// guide[j] for the cell j/guideN ≤ u < (j+1)/guideN: k, the answer
	// for every u of the cell, when no CDF step falls inside it (most
	// cells: no scan, no unpredictable branch); else ^k, k being the
	// answer for u = j/guideN, where the scan starts.
	guide []int16
}

// guideN is the number of guide entries of a poissonTable (a power of
// two, so u·guideN and the cell bounds are exact): draw finds the same k
// as a scan from 0, directly in most cells, in a step or two in the rest.
const guideN = 256

// set builds the table for mean lambda (lambda <= 0: always 0).
func (p *poissonTable) set(lambda float64) {
	p.cdf = p.cdf[:0]
	if lambda > 0 {
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
	}
	p.cdf = append(p.cdf, 1) // lambda <= 0: always 0 (the guide too, never stale)
	if cap(p.guide) < guideN {
		p.guide = make([]int16, guideN)
	}
	p.guide = p.guide[:guideN]
	k := 0
	for j := 0; j < guideN; j++ {
		u := float64(j) / guideN
		for k < len(p.cdf)-1 && u >= p.cdf[k] {
			k++
		}
		// Every u of the cell is below cdf[k] (and at or above cdf[k−1]):
		// the answer is k throughout.
		if p.cdf[k] >= float64(j+1)/guideN {
			p.guide[j] = int16(k)
		} else {
			p.guide[j] = ^int16(k)
		}
	}
}

// draw returns a Poisson count for the uniform u in [0, 1).
func (p *poissonTable) draw(u float64) int {
	e := p.guide[int(u*guideN)]
	if e >= 0 {
		return int(e)
	}
	c := p.cdf
	k := int(^e)
	for k < len(c)-1 && u >= c[k] {
		k++
	}
	return k
}

// poisson draws a Poisson count for any mean (normal approximation above 500).
func poisson(r uint64er, lambda float64) int {
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

func normal(r uint64er) float64 {
	u1 := u01(r.Uint64())
	u2 := u01(r.Uint64())
	if u1 < 1e-300 {
		u1 = 1e-300
	}
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}
