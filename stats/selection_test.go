package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// runSelection drives a selection on normal systems with the given means
// and common standard deviation; crn adds a shared per-observation shock
// (common random numbers). It returns the result.
func runSelection(t *testing.T, means []float64, sd float64, crn float64, o SelectionOptions, seed uint64) SelectionResult {
	t.Helper()
	s, err := NewSelection(len(means), o)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 11))
	for !s.Done() {
		shock := crn * r.NormFloat64()
		act := s.Active()
		x := make([]float64, len(act))
		for j, i := range act {
			x[j] = means[i] + shock + sd*r.NormFloat64()
		}
		if err := s.Observe(x); err != nil {
			t.Fatal(err)
		}
	}
	return s.Result()
}

// TestDecidedNeverWithZeroInInterval: whatever the configuration (equal
// means, close means, budget-capped or not, CRN or not), Decided is true
// exactly when every reported interval excludes zero in the winner's
// favour.
func TestDecidedNeverWithZeroInInterval(t *testing.T) {
	decided, undecided := 0, 0
	for seed := uint64(1); seed <= 300; seed++ {
		means := []float64{10, 10, 10.05, 9.9}
		o := SelectionOptions{Delta: 0.1 * float64(seed%2), N0: 5, MaxObs: 40, Maximize: seed%2 == 0}
		if seed%3 == 0 {
			o.MaxObs = 12
		}
		res := runSelection(t, means, 1, float64(seed%4)*0.5, o, seed)
		all := true
		for _, v := range res.Vs {
			inside := v.Lo <= 0 // zero inside, or the interval favours the other
			if !o.Maximize {
				inside = v.Hi >= 0
			}
			if inside && v.Separated {
				t.Fatalf("seed %d: %+v separated with zero in (or beyond) its interval", seed, v)
			}
			all = all && v.Separated
		}
		if res.Decided != all {
			t.Fatalf("seed %d: Decided %t but intervals all separated %t", seed, res.Decided, all)
		}
		if res.Decided {
			decided++
		} else {
			undecided++
		}
	}
	if undecided == 0 {
		t.Errorf("no undecided case among near-equal systems: the test does not exercise the rule")
	}
	t.Logf("near-equal systems: %d decided, %d undecided", decided, undecided)
}

// TestClearWinnerIsDecided: a best system separated from the others by
// more than δ is chosen and decided (Kim and Nelson 2001's
// indifference-zone setting).
func TestClearWinnerIsDecided(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		means := []float64{10, 11.5, 10, 9.5} // best by 1.5 > Detectable (1.0–1.4)
		res := runSelection(t, means, 1, 0, SelectionOptions{Delta: 0.3, N0: 10, MaxObs: 100, Maximize: true}, seed)
		if res.Best != 1 || !res.Decided {
			t.Errorf("seed %d: chose %d, decided %t (vs %+v); want 1, decided", seed, res.Best, res.Decided, res.Vs)
		}
		if res.PCS != 0.95 || res.Delta != 0.3 || !(res.Detectable < 1.5) {
			t.Errorf("seed %d: reported PCS %g δ %g detectable %g, want 0.95, 0.3, < 1.5", seed, res.PCS, res.Delta, res.Detectable)
		}
	}
	// minimising: the smallest mean, and CRN do not change the answer
	for seed := uint64(1); seed <= 10; seed++ {
		res := runSelection(t, []float64{5, 4, 6}, 1, 3, SelectionOptions{MaxObs: 100}, seed)
		if res.Best != 1 || !res.Decided {
			t.Errorf("minimising, seed %d: chose %d decided %t", seed, res.Best, res.Decided)
		}
	}
}

// TestRepeatedLooksControlError: with all systems equal, any "decided" is
// an error; over repeated looks (every observation after the first stage)
// the procedure's decided rate stays ≤ α, while a naive 95% paired
// interval tested at every look (what the old race did) claims a winner
// far more often.
func TestRepeatedLooksControlError(t *testing.T) {
	const trials = 400
	wrong, naive := 0, 0
	for seed := uint64(1); seed <= trials; seed++ {
		means := []float64{0, 0, 0}
		o := SelectionOptions{Delta: 0.2, N0: 5, MaxObs: 60, Maximize: true}
		s, _ := NewSelection(3, o)
		r := rand.New(rand.NewPCG(seed, 5))
		var obs [3][]float64
		naiveHit := false
		for !s.Done() {
			act := s.Active()
			x := make([]float64, len(act))
			for j, i := range act {
				x[j] = means[i] + r.NormFloat64()
			}
			_ = s.Observe(x)
			// naive: every system every look, 95% intervals of best − others
			for i := range obs {
				obs[i] = append(obs[i], means[i]+r.NormFloat64())
			}
			if n := len(obs[0]); n >= 5 && !naiveHit {
				b := 0
				for i := range obs {
					if selMean(obs[i]) > selMean(obs[b]) {
						b = i
					}
				}
				all := true
				for l := range obs {
					if l == b {
						continue
					}
					d := make([]float64, n)
					for j := range d {
						d[j] = obs[b][j] - obs[l][j]
					}
					if selMean(d)-1.96*math.Sqrt(selVariance(d)/float64(n)) <= 0 {
						all = false
					}
				}
				naiveHit = all
			}
		}
		if s.Result().Decided {
			wrong++
		}
		if naiveHit {
			naive++
		}
	}
	rate, naiveRate := float64(wrong)/trials, float64(naive)/trials
	t.Logf("equal systems: decided %.3f of %d trials; naive repeated 95%% looks %.3f", rate, trials, naiveRate)
	if rate > 0.05 {
		t.Errorf("decided among equal systems in %.3f of trials, want ≤ α = 0.05", rate)
	}
	if naiveRate <= 0.05 {
		t.Errorf("naive repeated looks decided only %.3f: the test no longer shows the repeated-look problem", naiveRate)
	}
}

// TestDetectableDifferenceIsDecided: in the slippage configuration (best
// ahead of k − 1 equal others by more than the reported Detectable
// difference), the procedure decides for the best with probability ≥ 1 − α.
func TestDetectableDifferenceIsDecided(t *testing.T) {
	const trials = 300
	correct := 0
	o := SelectionOptions{N0: 10, MaxObs: 60, Maximize: true}
	for seed := uint64(1); seed <= trials; seed++ {
		res := runSelection(t, []float64{0, 0, 1.2, 0, 0}, 1, 0, o, seed)
		if seed == 1 && !(res.Detectable > 0.7 && res.Detectable < 1.2) {
			t.Fatalf("Detectable %.3g, expected about 1.1 for sd √2, 60 observations", res.Detectable)
		}
		if res.Best == 2 && res.Decided {
			correct++
		}
	}
	if pcs := float64(correct) / trials; pcs < 0.95-0.02 {
		t.Errorf("decided for the best in %.3f of trials, want ≥ 0.95 (less 0.02 for %d trials)", pcs, trials)
	}
}

func TestSelectionBadOptions(t *testing.T) {
	for _, c := range []struct {
		k int
		o SelectionOptions
	}{{1, SelectionOptions{MaxObs: 10}}, {3, SelectionOptions{}}, {3, SelectionOptions{Alpha: 1, MaxObs: 10}}, {3, SelectionOptions{Delta: -1}}, {3, SelectionOptions{N0: 1}}, {3, SelectionOptions{N0: 5, MaxObs: 3}}, {3, SelectionOptions{Delta: math.NaN()}}} {
		if _, err := NewSelection(c.k, c.o); err == nil {
			t.Errorf("NewSelection(%d, %+v) accepted", c.k, c.o)
		}
	}
	s, _ := NewSelection(2, SelectionOptions{Delta: 1, MaxObs: 10})
	if err := s.Observe([]float64{1}); err == nil {
		t.Error("Observe with the wrong count accepted")
	}
	if err := s.Observe([]float64{1, math.Inf(1)}); err == nil {
		t.Error("Observe of +Inf accepted")
	}
}
