package mechanisms

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// lnaSD is the standard deviation of the simulated share F_t of a trend
// under full mixing with n potential adopters, by the linear noise
// approximation (delta method) along the recursion:
//
//	Var_{t+1} = g'(F_t)² Var_t + (1 − F_t) π_t (1 − π_t) / n,
//
// g(F) = F + (1 − F) π(F), π(F) = DayAdoptProb(p, q, F). It is the binomial
// √(F(1−F)/N) of one day's draws propagated through the imitation dynamics:
// random early adoptions shift the whole take-off, so σ_t is up to ~7× the
// naive √(F(1−F)/N) (measured: the empirical sd over 300 replications is
// within [0.89, 1.10] × σ_t for the cases below).
func lnaSD(p, q float64, days, n int) []float64 {
	sd := make([]float64, days+1)
	f, v := 0.0, 0.0
	E := math.Expm1(p + q)
	for t := 1; t <= days; t++ {
		pi := DayAdoptProb(p, q, f)
		ce := (p + q*f) / (p + q) * E
		dpi := E / ((1 + ce) * (1 + ce)) * q / (p + q) // dπ/dF
		gp := 1 - pi + (1-f)*dpi
		v = gp*gp*v + (1-f)*pi*(1-pi)/float64(n)
		f += (1 - f) * pi
		sd[t] = math.Sqrt(v)
	}
	return sd
}

type bassCase struct {
	p, q      float64
	creators  int
	potential float64
}

var bassCases = []bassCase{
	{0.01, 0.4, 8000, 1},
	{0.03, 0.38, 10000, 0.5},
	{0.002, 0.5, 20000, 1},
	{0.05, 0.1, 5000, 0.8},
	{0.1, 0.05, 3000, 1}, // q < p: no take-off
}

const (
	bassDays = 80
	// kSigma is the tolerance in standard deviations: 5σ per day keeps a
	// correct model from failing (family-wise over 80 days and 5 cases, the
	// chance is below 1e-4 under normality) while a 30% error in q or p is
	// caught (TestTrendToleranceHasPower).
	kSigma = 5
)

// simulateFull runs one trend under full mixing starting on day 1 and
// returns the share after each day (index t = after t steps).
func simulateFull(c bassCase, seed uint64) ([]float64, int) {
	rng := rand.NewPCG(seed, 0xb455)
	tr := NewTrend(TrendConfig{StartDay: 1, P: c.p, Q: c.q, Potential: c.potential}, c.creators, Graph{}, rng)
	out := make([]float64, bassDays+1)
	for d := 1; d <= bassDays; d++ {
		tr.Step(d, rng)
		out[d] = tr.Share()
	}
	return out, tr.PotentialCount()
}

// TestTrendFullMixingTracksRecursion: under full mixing, the simulated
// cumulative adoption tracks the discrete-day Bass recursion within
// kSigma·σ_t + 2/N on every day, σ_t the propagated sampling sd (lnaSD, ≥
// √(F(1−F)/N)) and 2/N the granularity plus the O(1/N) Jensen bias.
func TestTrendFullMixingTracksRecursion(t *testing.T) {
	for ci, c := range bassCases {
		sim, n := simulateFull(c, uint64(ci))
		if want := int(math.Round(c.potential * float64(c.creators))); n != want {
			t.Fatalf("potential count %d, want %d", n, want)
		}
		rec := BassRecursion(c.p, c.q, bassDays, 0, nil)
		sd := lnaSD(c.p, c.q, bassDays, n)
		worst := 0.0
		for d := 1; d <= bassDays; d++ {
			tol := kSigma*sd[d] + 2/float64(n)
			dev := math.Abs(sim[d] - rec[d])
			worst = max(worst, dev/tol)
			if dev > tol {
				t.Errorf("p=%v q=%v N=%d day %d: F_sim %.4f, recursion %.4f, |diff| %.4f > %.4f",
					c.p, c.q, n, d, sim[d], rec[d], dev, tol)
			}
		}
		t.Logf("p=%v q=%v N=%d: worst |diff|/tolerance %.2f", c.p, c.q, n, worst)
	}
}

// TestTrendToleranceHasPower: the same simulations are rejected by the
// same tolerance against the recursion of a model with q 30% higher (or,
// for the no-take-off case, p 30% higher), so the test above can fail.
func TestTrendToleranceHasPower(t *testing.T) {
	for ci, c := range bassCases {
		sim, n := simulateFull(c, uint64(ci))
		p, q := c.p, c.q*1.3
		if c.q < c.p {
			p, q = c.p*1.3, c.q
		}
		wrong := BassRecursion(p, q, bassDays, 0, nil)
		sd := lnaSD(c.p, c.q, bassDays, n)
		rejected := false
		for d := 1; d <= bassDays; d++ {
			if math.Abs(sim[d]-wrong[d]) > kSigma*sd[d]+2/float64(n) {
				rejected = true
				break
			}
		}
		if !rejected {
			t.Errorf("p=%v q=%v N=%d: a 30%% wrong model passes the tolerance", c.p, c.q, n)
		}
	}
}

// TestTrendTracksClosedForm: the simulation tracks the continuous closed
// form within kSigma·σ_t + 2/N (the daily step is the exact flow map).
func TestTrendTracksClosedForm(t *testing.T) {
	for ci, c := range bassCases {
		sim, n := simulateFull(c, uint64(ci))
		sd := lnaSD(c.p, c.q, bassDays, n)
		for d := 1; d <= bassDays; d++ {
			f := BassF(c.p, c.q, float64(d))
			if dev := math.Abs(sim[d] - f); dev > kSigma*sd[d]+2/float64(n) {
				t.Errorf("p=%v q=%v day %d: F_sim %.4f, closed form %.4f, |diff| %.4f > %.4f",
					c.p, c.q, d, sim[d], f, dev, kSigma*sd[d]+2/float64(n))
			}
		}
	}
}

// TestBassRecursionIsClosedForm: the expected daily path equals the
// continuous closed form at whole days over a grid of (p, q) (the old
// constant-hazard step 1 − e^{−(p+qF)} lagged it by up to 0.6 in F).
func TestBassRecursionIsClosedForm(t *testing.T) {
	for _, p := range []float64{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2} {
		for _, q := range []float64{0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.5} {
			rec := BassRecursion(p, q, 2000, 0, nil)
			gap := 0.0
			for i, f := range rec {
				gap = max(gap, math.Abs(f-BassF(p, q, float64(i))))
			}
			if gap > 1e-12 {
				t.Errorf("p=%v q=%v: max |recursion − closed form| %.3g > 1e-12", p, q, gap)
			}
		}
	}
}

// TestDayAdoptProb: by hand at q = 0 (a constant hazard p) and p = q = 0,
// and the one-day flow from share f lands on the closed form from f.
func TestDayAdoptProb(t *testing.T) {
	if got, want := DayAdoptProb(0.03, 0, 0.4), 1-math.Exp(-0.03); math.Abs(got-want) > 1e-15 {
		t.Errorf("q=0: %v, want %v", got, want)
	}
	if got := DayAdoptProb(0, 0, 0.5); got != 0 {
		t.Errorf("p=q=0: %v, want 0", got)
	}
	for _, f := range []float64{0, 0.1, 0.5, 0.9} {
		got := f + (1-f)*DayAdoptProb(0.02, 0.4, f)
		if want := BassFFrom(0.02, 0.4, f, 1); math.Abs(got-want) > 1e-14 {
			t.Errorf("from %v: %v, want %v", f, got, want)
		}
	}
}

func TestBassRecursion(t *testing.T) {
	// F1 and F2 are the closed form at days 1 and 2.
	p, q := 0.02, 0.3
	f1, f2 := BassF(p, q, 1), BassF(p, q, 2)
	r := BassRecursion(p, q, 2, 0, make([]float64, 0, 1))
	if len(r) != 3 || r[0] != 0 || math.Abs(r[1]-f1) > 1e-15 || math.Abs(r[2]-f2) > 1e-15 {
		t.Fatalf("BassRecursion = %v, want [0 %v %v]", r, f1, f2)
	}
	if r := BassRecursion(p, q, 0, 0.3, nil); len(r) != 1 || r[0] != 0.3 {
		t.Fatalf("0 days: %v", r)
	}
}

// randomGraph: every creator follows `deg` distinct others chosen uniformly.
func randomGraph(n, deg int, seed uint64) Graph {
	r := rand.NewPCG(seed, 1)
	g := Graph{Offsets: make([]int32, n+1), Targets: make([]int32, 0, n*deg)}
	for i := range n {
		start := len(g.Targets)
		for len(g.Targets)-start < deg {
			j := int32(uintN(r, uint64(n)))
			if int(j) != i && !slices.Contains(g.Targets[start:], j) {
				g.Targets = append(g.Targets, j)
			}
		}
		g.Offsets[i+1] = int32(len(g.Targets))
	}
	return g
}

// ringGraph: creator i follows its deg/2 neighbours on each side (a
// clustered lattice, the extreme of local imitation).
func ringGraph(n, deg int) Graph {
	g := Graph{Offsets: make([]int32, n+1)}
	for i := range n {
		for k := 1; k <= deg/2; k++ {
			g.Targets = append(g.Targets, int32((i+k)%n), int32((i-k+n)%n))
		}
		g.Offsets[i+1] = int32(len(g.Targets))
	}
	return g
}

// TestTrendFollowGraphSlower: along a sparse follow graph adoption is
// measurably slower than under full mixing, as theory says (a
// non-adopter's followees are biased towards non-adopters; on a clustered
// lattice imitation can only spread as a front). Measured at the day the
// recursion crosses F = 0.5: the graph's share must lie more than 6σ_t
// below the recursion (σ_t of full mixing), the lattice's below the random
// graph's, and both above pure push (q = 0).
func TestTrendFollowGraphSlower(t *testing.T) {
	const n = 20000
	p, q := 0.01, 0.4
	rec := BassRecursion(p, q, bassDays, 0, nil)
	sd := lnaSD(p, q, bassDays, n)
	half := 0
	for rec[half] < 0.5 {
		half++
	}
	run := func(g Graph, mixing Mixing) float64 {
		rng := rand.NewPCG(11, 12)
		tr := NewTrend(TrendConfig{StartDay: 1, P: p, Q: q, Mixing: mixing, Potential: 1}, n, g, rng)
		for d := 1; d <= half; d++ {
			tr.Step(d, rng)
		}
		return tr.Share()
	}
	full := run(Graph{}, MixFull)
	random := run(randomGraph(n, 5, 3), MixFollowGraph)
	ring := run(ringGraph(n, 6), MixFollowGraph)
	push := 1 - math.Exp(-p*float64(half))
	t.Logf("day %d: recursion %.3f full %.3f random(deg 5) %.3f ring(deg 6) %.3f push only %.3f",
		half, rec[half], full, random, ring, push)
	if math.Abs(full-rec[half]) > kSigma*sd[half] {
		t.Errorf("full mixing %.3f off the recursion %.3f", full, rec[half])
	}
	if random > rec[half]-6*sd[half] {
		t.Errorf("random graph %.3f not measurably below full mixing %.3f (6σ = %.3f)", random, rec[half], 6*sd[half])
	}
	if ring >= random {
		t.Errorf("lattice %.3f not below random graph %.3f", ring, random)
	}
	if ring <= push+0.02 {
		t.Errorf("lattice %.3f shows no imitation over push-only %.3f", ring, push)
	}
}

// TestTrendFollowNobody: on a graph without edges nobody imitates, so the
// share follows pure push 1 − e^{−pt} within 5 binomial sd.
func TestTrendFollowNobody(t *testing.T) {
	const n = 20000
	p, q := 0.02, 0.9
	g := Graph{Offsets: make([]int32, n+1)}
	rng := rand.NewPCG(1, 2)
	tr := NewTrend(TrendConfig{StartDay: 5, P: p, Q: q, Mixing: MixFollowGraph, Potential: 1}, n, g, rng)
	for d := 1; d <= 40; d++ {
		tr.Step(d, rng)
		f := 0.0
		if d >= 5 {
			f = 1 - math.Exp(-p*float64(d-4))
		}
		if math.Abs(tr.Share()-f) > 5*math.Sqrt(f*(1-f)/n)+1.0/n {
			t.Fatalf("day %d: share %.4f, push-only %.4f", d, tr.Share(), f)
		}
	}
}

// TestTrendSynchronous: adoptions of a day are invisible to imitation that
// day. With p = 0 and one follow chain 0 ← 1 ← 2 ← …, adoption can move at
// most one link per day.
func TestTrendSynchronous(t *testing.T) {
	const n = 10
	g := Graph{Offsets: make([]int32, n+1)}
	for i := 1; i < n; i++ {
		g.Targets = append(g.Targets, int32(i-1))
		g.Offsets[i+1] = int32(len(g.Targets))
	}
	// Push is negligible (p = 1e-9) and imitation near-certain (q = 50):
	// creator 0 is made an adopter before day 1, and each day only the next
	// link of the chain may follow.
	rng := rand.NewPCG(9, 9)
	tr := NewTrend(TrendConfig{StartDay: 1, P: 1e-9, Q: 50, Mixing: MixFollowGraph, Potential: 1}, n, g, rng)
	tr.adoptDay[0] = 0
	tr.adopters = append(tr.adopters, 0)
	tr.pending = tr.pending[1:]
	for d := 1; d <= n; d++ {
		got := tr.Step(d, rng)
		if got > 1 {
			t.Fatalf("day %d: %d adoptions along a chain, want ≤ 1", d, got)
		}
		if tr.Step(d, rng) != 0 {
			t.Fatalf("second Step on day %d adopted", d)
		}
	}
	if tr.AdoptedCount() != n {
		t.Fatalf("chain not fully adopted: %d of %d", tr.AdoptedCount(), n)
	}
	for i := 1; i < n; i++ {
		if d, ok := tr.AdoptedDay(i); !ok || d != i {
			t.Fatalf("creator %d adopted on day %d (%v), want %d", i, d, ok, i)
		}
	}
}

func TestTrendDeterminismAndContract(t *testing.T) {
	cfg := TrendConfig{StartDay: 3, P: 0.02, Q: 0.3, Mixing: MixFollowGraph, Potential: 0.3}
	g := randomGraph(1000, 4, 5)
	runOnce := func() ([]int32, *Trend) {
		rng := rand.NewPCG(42, 43)
		tr := NewTrend(cfg, 1000, g, rng)
		for d := -2; d <= 30; d++ {
			n := tr.Step(d, rng)
			if d < 3 && n != 0 {
				t.Fatalf("adoption on day %d before start", d)
			}
		}
		return slices.Clone(tr.Adopters()), tr
	}
	a, tr := runOnce()
	b, _ := runOnce()
	if !slices.Equal(a, b) {
		t.Fatal("same seed, different adopters")
	}
	if tr.PotentialCount() != 300 || len(a) > 300 || len(a) == 0 {
		t.Fatalf("potential %d, adopters %d", tr.PotentialCount(), len(a))
	}
	seen := map[int32]bool{}
	for _, i := range a {
		if seen[i] || !tr.Adopted(int(i)) {
			t.Fatalf("adopter %d duplicated or not marked", i)
		}
		seen[i] = true
	}
	count := 0
	for i := range 1000 {
		if tr.Adopted(i) {
			count++
		}
	}
	if count != tr.AdoptedCount() || math.Abs(tr.Share()-float64(count)/300) > 1e-15 {
		t.Fatal("counts disagree")
	}
	// Steady state: Step does not allocate.
	rng := rand.NewPCG(1, 1)
	tr2 := NewTrend(TrendConfig{StartDay: 0, P: 0.01, Q: 0.2, Potential: 1}, 5000, Graph{}, rng)
	day := 0
	if allocs := testing.AllocsPerRun(50, func() { day++; tr2.Step(day, rng) }); allocs != 0 {
		t.Fatalf("Step allocated %.1f times", allocs)
	}
}

func TestNewTrendPanicsOnBadGraph(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("want panic")
		}
	}()
	NewTrend(TrendConfig{Mixing: MixFollowGraph, Potential: 1}, 3, Graph{Offsets: []int32{0, 1, 2, 3}, Targets: []int32{1, 2, 7}}, rand.NewPCG(1, 1))
}

func BenchmarkTrendStepFollowGraph(b *testing.B) {
	const n = 100000
	g := randomGraph(n, 20, 1)
	rng := rand.NewPCG(1, 2)
	for b.Loop() {
		tr := NewTrend(TrendConfig{StartDay: 1, P: 0.01, Q: 0.4, Mixing: MixFollowGraph, Potential: 0.5}, n, g, rng)
		for d := 1; d <= 30; d++ {
			tr.Step(d, rng)
		}
	}
}
