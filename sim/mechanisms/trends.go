package mechanisms

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Mixing says whose adoption a creator imitates.
type Mixing uint8

const (
	// MixFull: every potential adopter sees the adopted share of all
	// potential adopters (the Bass model's homogeneous mixing).
	MixFull Mixing = iota
	// MixFollowGraph: a creator sees the adopted share among the creators
	// it follows; a creator following nobody imitates nobody (hazard p).
	MixFollowGraph
)

// Graph is a directed graph in compressed sparse row form: node i has edges
// to Targets[Offsets[i]:Offsets[i+1]]. len(Offsets) is nodes+1, Offsets[0]
// is 0 and Offsets is non-decreasing. For trends, i → j means "creator i
// follows creator j". Duplicate edges count twice; self-edges are allowed.
type Graph struct {
	Offsets []int32
	Targets []int32
}

// TrendConfig sets one trend's Bass diffusion among creators.
type TrendConfig struct {
	// StartDay is the first day creators may adopt.
	StartDay int
	// P (platform push) and Q (imitation) are per day, ≥ 0.
	P, Q float64
	// Mixing chooses full mixing or the follow graph.
	Mixing Mixing
	// Potential is the share of creators who may ever adopt (Bass m), in
	// [0, 1]; round(Potential × creators) of them, drawn at random.
	Potential float64
}

const notAdopted = math.MaxInt32

// Trend is the adoption state of one trend among creators 0..n−1.
//
// Step on day d (≥ StartDay, called at most once per day, days increasing)
// lets every potential creator that has not adopted adopt, from the
// adoptions of earlier days only (synchronous update). Under MixFull the
// probability is DayAdoptProb(p, q, share), share = AdoptedCount /
// PotentialCount at the start of the day: the exact one-day transition of
// the continuous Bass equation dF/dt = (1 − F)(p + qF) started at share.
// Under MixFollowGraph a creator sees, once a day, the fraction s of the
// creators it follows that adopted before day d and adopts at the constant
// hazard p + q·s for the day, AdoptProb(p + q·s) (a network observed daily
// has no within-day imitation; a creator following nobody feels push only).
// Under MixFull, therefore,
//
//	E[F_{t+1} | F_t] = BassFFrom(p, q, F_t, 1),
//
// and the expected path is the continuous closed form BassF at whole days
// (up to an O(1/N) Jensen term): published per-day p and q transfer.
//
// Cost per Step: O(non-adopters) under MixFull, O(edges of non-adopters)
// under MixFollowGraph; one Uint64 per non-adopting potential creator; no
// allocation once the adopter list has grown (it is allocated with
// capacity PotentialCount at construction).
type Trend struct {
	cfg      TrendConfig
	g        Graph
	nPot     int
	pending  []int32 // potential creators not yet adopted, ascending
	adoptDay []int32 // per creator: day adopted, or notAdopted
	adopters []int32 // in adoption order (ascending index within a day)
	lastStep int
	stepped  bool
	em1      float64 // e^{p+q} − 1, for DayAdoptProb
}

// NewTrend draws the potential adopters among n creators with rng and
// returns a trend nobody has adopted yet. Under MixFollowGraph, g must be a
// valid CSR graph over n creators (len(g.Offsets) == n+1, targets in
// [0, n)); under MixFull g is ignored. Invalid input panics: it is a
// programming error of the caller, not a scenario error.
func NewTrend(cfg TrendConfig, n int, g Graph, rng *rand.PCG) *Trend {
	if n < 0 || n > math.MaxInt32 {
		panic(fmt.Sprintf("mechanisms: NewTrend with %d creators", n))
	}
	if !(cfg.P >= 0) || !(cfg.Q >= 0) || !(cfg.Potential >= 0 && cfg.Potential <= 1) {
		panic(fmt.Sprintf("mechanisms: NewTrend with p=%v q=%v potential=%v", cfg.P, cfg.Q, cfg.Potential))
	}
	if cfg.Mixing == MixFollowGraph {
		if err := g.validate(n); err != nil {
			panic("mechanisms: NewTrend: " + err.Error())
		}
	} else {
		g = Graph{}
	}
	k := int(math.Round(cfg.Potential * float64(n)))
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	// Partial Fisher–Yates: the first k entries are a uniform k-subset.
	for i := 0; i < k; i++ {
		j := i + int(uintN(rng, uint64(n-i)))
		idx[i], idx[j] = idx[j], idx[i]
	}
	pot := idx[:k:k]
	slices.Sort(pot)
	t := &Trend{
		cfg:      cfg,
		g:        g,
		nPot:     k,
		pending:  pot,
		adoptDay: make([]int32, n),
		adopters: make([]int32, 0, k),
		em1:      math.Expm1(cfg.P + cfg.Q),
	}
	for i := range t.adoptDay {
		t.adoptDay[i] = notAdopted
	}
	return t
}

func (g Graph) validate(n int) error {
	if len(g.Offsets) != n+1 {
		return fmt.Errorf("graph has %d offsets for %d nodes (want %d)", len(g.Offsets), n, n+1)
	}
	if g.Offsets[0] != 0 || int(g.Offsets[n]) != len(g.Targets) {
		return fmt.Errorf("graph offsets must run from 0 to len(targets)=%d", len(g.Targets))
	}
	for i := 0; i < n; i++ {
		if g.Offsets[i+1] < g.Offsets[i] {
			return fmt.Errorf("graph offsets decrease at node %d", i)
		}
	}
	for e, j := range g.Targets {
		if j < 0 || int(j) >= n {
			return fmt.Errorf("graph edge %d targets node %d, outside [0, %d)", e, j, n)
		}
	}
	return nil
}

// AdoptProb is the probability of adopting within one day at a constant
// hazard h: 1 − e^{−h}. (Freezing the Bass hazard p + qF for a day this way
// lags the continuous curve by up to 0.1 in F; Step uses DayAdoptProb.)
func AdoptProb(h float64) float64 { return -math.Expm1(-h) }

// DayAdoptProb is the probability that a non-adopter adopts within one day
// when the adopted share is share at the start of the day and then follows
// the continuous Bass equation dF/dt = (1 − F)(p + qF):
//
//	π = (F(1) − F(0)) / (1 − F(0)) = c·E / (1 + c·E),
//	c = (p + q·share) / (p + q),  E = e^{p+q} − 1,
//
// from the closed form 1/(1 − F(t)) = q/a + (1/(1 − F(0)) − q/a)·e^{at},
// a = p + q (see BassFFrom). It is 0 when p + q = 0, 1 − e^{−p} when q = 0.
func DayAdoptProb(p, q, share float64) float64 {
	return dayAdoptProb(p, q, share, math.Expm1(p+q))
}

func dayAdoptProb(p, q, share, em1 float64) float64 {
	a := p + q
	if !(a > 0) {
		return 0
	}
	ce := (p + q*share) / a * em1
	if math.IsInf(ce, 1) {
		return 1
	}
	return ce / (1 + ce)
}

// Step advances the trend through day and returns the number of creators
// who adopted on it. Days before StartDay, and days not after the last
// stepped day, do nothing and return 0.
func (t *Trend) Step(day int, rng *rand.PCG) int {
	if day < t.cfg.StartDay || (t.stepped && day <= t.lastStep) || len(t.pending) == 0 {
		return 0
	}
	t.lastStep, t.stepped = day, true
	d := int32(day)
	p, q := t.cfg.P, t.cfg.Q
	before := len(t.adopters)
	keep := t.pending[:0]
	if t.cfg.Mixing == MixFull {
		prob := dayAdoptProb(p, q, float64(before)/float64(t.nPot), t.em1)
		for _, i := range t.pending {
			if uniform(rng) < prob {
				t.adoptDay[i] = d
				t.adopters = append(t.adopters, i)
			} else {
				keep = append(keep, i)
			}
		}
	} else {
		off, tg := t.g.Offsets, t.g.Targets
		probP := AdoptProb(p)
		for _, i := range t.pending {
			prob := probP
			if lo, hi := off[i], off[i+1]; hi > lo {
				cnt := 0
				for _, j := range tg[lo:hi] {
					if t.adoptDay[j] < d {
						cnt++
					}
				}
				if cnt > 0 {
					prob = AdoptProb(p + q*float64(cnt)/float64(hi-lo))
				}
			}
			if uniform(rng) < prob {
				t.adoptDay[i] = d
				t.adopters = append(t.adopters, i)
			} else {
				keep = append(keep, i)
			}
		}
	}
	t.pending = keep
	return len(t.adopters) - before
}

// Adopted reports whether creator i has adopted.
func (t *Trend) Adopted(i int) bool { return t.adoptDay[i] != notAdopted }

// AdoptedDay returns the day creator i adopted, if it has.
func (t *Trend) AdoptedDay(i int) (day int, ok bool) {
	d := t.adoptDay[i]
	return int(d), d != notAdopted
}

// Adopters returns the adopters in adoption order (within a day, by
// ascending index). The slice is the trend's own: read it, don't modify it;
// it stays valid (and grows) across Steps.
func (t *Trend) Adopters() []int32 { return t.adopters }

// AdoptedCount returns the number of adopters.
func (t *Trend) AdoptedCount() int { return len(t.adopters) }

// PotentialCount returns the number of potential adopters, round(Potential × n).
func (t *Trend) PotentialCount() int { return t.nPot }

// Share returns AdoptedCount / PotentialCount (Bass F), 0 when nobody may adopt.
func (t *Trend) Share() float64 {
	if t.nPot == 0 {
		return 0
	}
	return float64(len(t.adopters)) / float64(t.nPot)
}

// BassRecursion returns the expected daily path of Trend under MixFull:
// F_0 = f0 and
//
//	F_{t+1} = F_t + (1 − F_t) · DayAdoptProb(p, q, F_t),  t = 0 … days−1,
//
// so that element t is the expected share after t Steps (exactly, given
// F_t; up to an O(1/N) Jensen term unconditionally). Each step is the exact
// one-day flow of the continuous Bass equation, so the recursion equals
// BassFFrom(p, q, f0, t) at every whole day t up to rounding (tested to
// 1e-12). It writes into dst (grown if needed) and returns dst[:days+1].
func BassRecursion(p, q float64, days int, f0 float64, dst []float64) []float64 {
	dst = grow(dst, days+1)
	em1 := math.Expm1(p + q)
	f := f0
	dst[0] = f
	for t := 1; t <= days; t++ {
		f += (1 - f) * dayAdoptProb(p, q, f, em1)
		dst[t] = f
	}
	return dst
}
