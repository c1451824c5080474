package stats

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// SelectionOptions configure a Selection.
type SelectionOptions struct {
	// Alpha is 1 − the guaranteed probability of correct selection, and the
	// family-wise error of the reported intervals (default 0.05).
	Alpha float64
	// Delta is the indifference zone δ ≥ 0: differences below it are not
	// worth telling apart, so the procedure stops ("indifferent") once every
	// survivor's interval against the leader lies within (−δ, δ). 0: never
	// stop for indifference.
	Delta float64
	// N0 is the first-stage number of observations of every system
	// (default 10, at least 2).
	N0 int
	// MaxObs caps the observations of one system (the budget); required.
	// It fixes the number of looks L = MaxObs − N0 + 1 the intervals are
	// corrected for.
	MaxObs int
	// Maximize selects the largest mean (default: the smallest).
	Maximize bool
}

// Selection is a sequential ranking-and-selection procedure for k systems
// with error control over repeated looks: a fully sequential elimination
// (in the spirit of Kim and Nelson 2001, "A fully sequential procedure for
// indifference-zone selection in simulation", ACM TOMACS 11(3)) whose
// elimination test is a paired Student-t interval Bonferroni-corrected over
// the k − 1 comparisons with the leader and over every look the procedure
// can take. Observation r of every system may share random numbers (common
// random numbers): every comparison is paired on r.
//
// Use: NewSelection, then repeatedly Observe one observation of every
// system in Active (in that order) until Done; Result reports the choice.
//
// The rule. After N0 observations and after each later one (a look; at
// most L = MaxObs − N0 + 1 of them), the leader is the survivor with the
// best mean; every other survivor l gets the interval of leader − l at
// level 1 − Alpha/((k−1)·L) over their common observations, and is
// eliminated when that interval excludes zero in the leader's favour. An
// eliminated system keeps that interval (its evidence). The procedure stops
// when one survivor remains (Decided), when every survivor's interval lies
// within (−Delta, Delta) (indifferent: not Decided), or at MaxObs (not
// Decided).
//
// Guarantees. Decided is true exactly when every reported interval
// (Result.Vs) excludes zero in the chosen system's favour; since all
// intervals over all looks hold together with probability ≥ 1 − Alpha,
// P(Decided and the chosen system is not the best) ≤ Alpha, whatever the
// means and however often the procedure looked: the probability of correct
// selection given a decision is ≥ 1 − Alpha (Result.PCS). Result.Detectable
// states the difference the budget resolves: if the best mean exceeds every
// other by at least it, the procedure decides with probability about
// ≥ 1 − Alpha (normal approximation with the first stage's standard
// deviations of differences).
type Selection struct {
	o      SelectionOptions
	k      int
	obs    [][]float64 // per system, in order
	active []bool
	elim   []int    // observations after which eliminated (0: not)
	vs     []Versus // the eliminating interval, per eliminated system
	sdMax  float64  // largest first-stage SD of a paired difference
	done   bool
	looks  int
	indiff bool
}

// NewSelection starts a selection among k ≥ 2 systems.
func NewSelection(k int, o SelectionOptions) (*Selection, error) {
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.N0 == 0 {
		o.N0 = 10
	}
	var errs []error
	if k < 2 {
		errs = append(errs, fmt.Errorf("stats: a selection needs at least 2 systems, got %d", k))
	}
	if !(o.Alpha > 0 && o.Alpha < 1) {
		errs = append(errs, fmt.Errorf("stats: selection Alpha must be in (0, 1), got %g", o.Alpha))
	}
	if o.Delta < 0 || math.IsNaN(o.Delta) || math.IsInf(o.Delta, 0) {
		errs = append(errs, fmt.Errorf("stats: selection Delta must be finite and ≥ 0, got %g", o.Delta))
	}
	if o.N0 < 2 {
		errs = append(errs, fmt.Errorf("stats: selection N0 must be ≥ 2, got %d", o.N0))
	}
	if o.MaxObs < o.N0 {
		errs = append(errs, fmt.Errorf("stats: selection MaxObs must be ≥ N0 = %d (it fixes the looks the intervals are corrected for), got %d", o.N0, o.MaxObs))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s := &Selection{o: o, k: k, obs: make([][]float64, k), active: make([]bool, k), elim: make([]int, k), vs: make([]Versus, k)}
	for i := range s.active {
		s.active[i] = true
	}
	return s, nil
}

// Active returns the systems that Observe expects an observation of next,
// in order (nil once Done).
func (s *Selection) Active() []int {
	if s.done {
		return nil
	}
	return s.survivors()
}

func (s *Selection) survivors() []int {
	var out []int
	for i, a := range s.active {
		if a {
			out = append(out, i)
		}
	}
	return out
}

// Done reports whether the procedure has stopped.
func (s *Selection) Done() bool { return s.done }

// Looks is the number of looks L the intervals are corrected for.
func (s *Selection) Looks() int { return s.o.MaxObs - s.o.N0 + 1 }

// Level is every interval's confidence level, 1 − Alpha/((k−1)·L).
func (s *Selection) Level() float64 { return 1 - s.alphaEach() }

func (s *Selection) alphaEach() float64 { return s.o.Alpha / float64((s.k-1)*s.Looks()) }

// Observe adds one observation of every active system, in Active's order.
func (s *Selection) Observe(x []float64) error {
	if s.done {
		return errors.New("stats: Observe after the selection is done")
	}
	act := s.Active()
	if len(x) != len(act) {
		return fmt.Errorf("stats: Observe got %d observations for %d active systems", len(x), len(act))
	}
	for j, i := range act {
		if math.IsNaN(x[j]) || math.IsInf(x[j], 0) {
			return fmt.Errorf("stats: observation of system %d is %g", i, x[j])
		}
	}
	for j, i := range act {
		s.obs[i] = append(s.obs[i], x[j])
	}
	r := len(s.obs[act[0]])
	if r < s.o.N0 {
		return nil
	}
	if r == s.o.N0 {
		s.firstStage()
	}
	s.looks++
	s.screen(r)
	switch {
	case len(s.survivors()) == 1:
		s.done = true
	case s.indiff:
		s.done = true
	case r >= s.o.MaxObs:
		s.done = true
	}
	return nil
}

func (s *Selection) firstStage() {
	for i := range s.k {
		for l := i + 1; l < s.k; l++ {
			d := make([]float64, s.o.N0)
			for j := range d {
				d[j] = s.obs[i][j] - s.obs[l][j]
			}
			s.sdMax = math.Max(s.sdMax, math.Sqrt(selVariance(d)))
		}
	}
}

// leader is the survivor with the best mean (lowest index on ties).
func (s *Selection) leader() int {
	b := -1
	for _, i := range s.survivors() {
		if b < 0 || s.sign()*selMean(s.obs[i]) > s.sign()*selMean(s.obs[b]) {
			b = i
		}
	}
	return b
}

// versus is the paired interval of b − l over their common observations.
func (s *Selection) versus(b, l int) Versus {
	n := min(len(s.obs[b]), len(s.obs[l]))
	v := Versus{Other: l, Against: b, N: n, Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	if n < 2 {
		return v
	}
	d := make([]float64, n)
	for j := range d {
		d[j] = s.obs[b][j] - s.obs[l][j]
	}
	m := selMean(d)
	h := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1-s.alphaEach()/2) * math.Sqrt(selVariance(d)/float64(n))
	v.Mean, v.Lo, v.Hi = m, m-h, m+h
	if s.o.Maximize {
		v.Separated = v.Lo > 0
	} else {
		v.Separated = v.Hi < 0
	}
	return v
}

// screen eliminates, after r observations, every survivor whose interval
// against the leader is separated; it notes indifference.
func (s *Selection) screen(r int) {
	b := s.leader()
	s.indiff = s.o.Delta > 0
	for _, l := range s.survivors() {
		if l == b {
			continue
		}
		v := s.versus(b, l)
		if v.Separated {
			s.active[l] = false
			s.elim[l] = r
			s.vs[l] = v
			continue
		}
		s.indiff = s.indiff && v.Lo > -s.o.Delta && v.Hi < s.o.Delta
	}
}

func (s *Selection) sign() float64 {
	if s.o.Maximize {
		return 1
	}
	return -1
}

// Versus is the chosen system against one other: the paired difference
// Against − Other over their common observations, with its interval at
// the family's corrected level. For a survivor Against is the chosen
// system; for an eliminated system it is the leader whose interval
// eliminated it (when every interval covers, which happens with
// probability ≥ 1 − Alpha, the best is never eliminated, so the last
// survivor is the best).
type Versus struct {
	// Other is the system compared; Against the system it was compared
	// with (the chosen one, or the leader that eliminated Other).
	Other   int
	Against int
	N       int
	Mean    float64
	Lo      float64
	Hi      float64
	// Separated: the interval excludes zero in the chosen system's favour.
	Separated bool
}

// SelectionResult is the outcome of a Selection.
type SelectionResult struct {
	// Best is the chosen system: the survivor with the best mean.
	Best int
	// Means and N per system (over all its observations).
	Means []float64
	N     []int
	// EliminatedAt is the number of observations after which a system was
	// eliminated (0: survived).
	EliminatedAt []int
	// Alpha and PCS = 1 − Alpha: P(Decided and wrong) ≤ Alpha.
	Alpha, PCS float64
	// Delta is the indifference zone in use (0: none); Indifferent says
	// the procedure stopped because every survivor was within it.
	Delta       float64
	Indifferent bool
	// Detectable is the difference the budget resolves (see Selection).
	Detectable float64
	// Level is each interval's confidence, 1 − Alpha/((k−1)·Looks).
	Level float64
	Looks int
	// Vs holds the chosen system against every other, in system order.
	Vs []Versus
	// Decided is true exactly when every interval in Vs is Separated.
	Decided bool
}

// Result reports the current choice (also before Done: the best mean so
// far, Decided by the same rule).
func (s *Selection) Result() SelectionResult {
	res := SelectionResult{Means: make([]float64, s.k), N: make([]int, s.k), EliminatedAt: append([]int(nil), s.elim...),
		Alpha: s.o.Alpha, PCS: 1 - s.o.Alpha, Delta: s.o.Delta, Indifferent: s.indiff && s.done,
		Level: s.Level(), Looks: s.Looks(), Best: s.leader()}
	for i := range s.k {
		res.N[i] = len(s.obs[i])
		res.Means[i] = math.NaN()
		if res.N[i] > 0 {
			res.Means[i] = selMean(s.obs[i])
		}
	}
	if s.sdMax > 0 {
		a := s.alphaEach()
		z := distuv.UnitNormal
		res.Detectable = (z.Quantile(1-a/2) + z.Quantile(1-s.o.Alpha/float64(s.k-1))) * s.sdMax / math.Sqrt(float64(s.o.MaxObs))
	}
	if res.N[res.Best] == 0 {
		return res
	}
	res.Decided = true
	for l := range s.k {
		if l == res.Best {
			continue
		}
		v := s.vs[l]
		if !(s.elim[l] > 0) {
			v = s.versus(res.Best, l)
		}
		res.Decided = res.Decided && v.Separated
		res.Vs = append(res.Vs, v)
	}
	return res
}

func selMean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// selVariance is the sample variance (n − 1 denominator).
func selVariance(v []float64) float64 {
	m := selMean(v)
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return s / float64(len(v)-1)
}
