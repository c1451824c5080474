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
// lets every potential creator that has not adopted adopt with probability
// AdoptProb(h), h = p + q × share, where share is computed from the
// adoptions of earlier days only (synchronous update): under MixFull it is
// AdoptedCount / PotentialCount at the start of the day; under
// MixFollowGraph it is the fraction of the creators i follows that adopted
// before day d. Consequently, under MixFull,
//
//	E[F_{t+1} | F_t] = F_t + (1 − F_t) (1 − e^{−(p + q F_t)}),
//
// the recursion BassRecursion computes, where F_t is Share after t steps.
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

// AdoptProb is the probability of adopting within one day at hazard h:
// 1 − e^{−h} (the exact one-day probability of a constant hazard h).
func AdoptProb(h float64) float64 { return -math.Expm1(-h) }

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
		prob := AdoptProb(p + q*float64(before)/float64(t.nPot))
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

// BassRecursion returns the discrete-day Bass curve matching Trend under
// MixFull: F_0 = f0 and
//
//	F_{t+1} = F_t + (1 − F_t) · AdoptProb(p + q F_t),  t = 0 … days−1,
//
// so that element t is the expected share after t Steps (exactly, given
// F_t; up to an O(1/N) Jensen term unconditionally). It writes into dst
// (grown if needed) and returns dst[:days+1].
//
// Against the continuous curve BassF, the daily step freezes the hazard for
// a day, so it lags: the tests bound max_t |F_t − BassF(t)| by
// DiscretisationBound(p, q).
func BassRecursion(p, q float64, days int, f0 float64, dst []float64) []float64 {
	dst = grow(dst, days+1)
	f := f0
	dst[0] = f
	for t := 1; t <= days; t++ {
		f += (1 - f) * AdoptProb(p+q*f)
		dst[t] = f
	}
	return dst
}

// DiscretisationBound is a stated upper bound on max_t |F_t − BassF(p, q, t)|
// between the daily recursion (from F_0 = 0) and the continuous Bass curve:
//
//	D(p, q) = min(1, (1/2 + t* (q/ln(1+q) − 1)) · r_max),
//
// where t* = BassPeakTime(p, q) and r_max is the largest adoption rate,
// (p+q)²/(4q) when q > p, else p.
//
// Rationale: freezing the hazard for a day delays adoption by about half a
// day, and while imitation dominates the daily recursion grows by a factor
// 1+q per day (rate ln(1+q)) where the continuous curve grows at rate q, so
// it reaches the peak later by t*(q/ln(1+q) − 1) days; a lag of Δ days costs
// at most Δ · r_max in F. The tests check D over p ∈ [0.0005, 0.2],
// q ∈ [0, 1.5] (the worst observed ratio of the true gap to D is 0.75).
// It is large for small p and large q (0.6 at p = 0.002, q = 1): there the
// daily step is a different model from the continuous one, and the engine's
// exact reference is BassRecursion.
func DiscretisationBound(p, q float64) float64 {
	var ts, rmax float64
	if q > p {
		ts = BassPeakTime(p, q)
		rmax = (p + q) * (p + q) / (4 * q)
	} else {
		rmax = p
	}
	slow := 1.0
	if q > 0 {
		slow = q / math.Log1p(q)
	}
	return min(1, (0.5+ts*(slow-1))*rmax)
}
