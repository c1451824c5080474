package mechanisms

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Source: Bass, F. M. (1969), "A new product growth for model consumer
// durables", Management Science 15(5): F(t) = (1 − e^{−(p+q)t}) /
// (1 + (q/p) e^{−(p+q)t}). An agent-based trend under full mixing must track
// this closed form so that published per-day p and q transfer: the mean
// cumulative adopter fraction of 10 replications with N = 20,000 potential
// adopters stays within 4·√(F(1−F)/N) + 0.01 of F(t) on every day, for
// seeds 1, 2 and 3.

var bassFactCases = [][2]float64{{0.03, 0.38}, {0.01, 0.15}, {0.05, 0.5}}

const (
	bassFactN    = 20000
	bassFactReps = 10
	bassFactDays = 90
)

// bassTolerance is the allowed |mean − F| on a day with closed form f.
func bassTolerance(f float64) float64 {
	return 4*math.Sqrt(f*(1-f)/bassFactN) + 0.01
}

// meanTrendPath simulates reps trends of n potential adopters under full
// mixing from day 1 and returns the mean share after each day.
func meanTrendPath(p, q float64, seed uint64, reps int) []float64 {
	mean := make([]float64, bassFactDays+1)
	for r := 0; r < reps; r++ {
		rng := rand.NewPCG(seed, uint64(r))
		tr := NewTrend(TrendConfig{StartDay: 1, P: p, Q: q, Potential: 1}, bassFactN, Graph{}, rng)
		for d := 1; d <= bassFactDays; d++ {
			tr.Step(d, rng)
			mean[d] += tr.Share() / float64(reps)
		}
	}
	return mean
}

func TestBassFactTrendFullMixing(t *testing.T) {
	for _, pq := range bassFactCases {
		for seed := uint64(1); seed <= 3; seed++ {
			mean := meanTrendPath(pq[0], pq[1], seed, bassFactReps)
			worst, worstDay := 0.0, 0
			for d := 1; d <= bassFactDays; d++ {
				f := BassF(pq[0], pq[1], float64(d))
				dev := math.Abs(mean[d] - f)
				if dev > bassTolerance(f) {
					t.Errorf("p=%v q=%v seed %d day %d: mean F %.4f, closed form %.4f, |diff| %.4f > %.4f",
						pq[0], pq[1], seed, d, mean[d], f, dev, bassTolerance(f))
				}
				if dev > worst {
					worst, worstDay = dev, d
				}
			}
			t.Logf("p=%v q=%v seed %d: max |mean F − closed form| %.4f (day %d)", pq[0], pq[1], seed, worst, worstDay)
		}
	}
}

// TestBassFactToleranceHasPower: the constant-hazard daily step the engine
// used before (1 − e^{−(p+qF)} per day) fails the same tolerance on every
// case, so the test above can fail.
func TestBassFactToleranceHasPower(t *testing.T) {
	for _, pq := range bassFactCases {
		old := make([]float64, bassFactDays+1)
		f := 0.0
		for d := 1; d <= bassFactDays; d++ {
			f += (1 - f) * AdoptProb(pq[0]+pq[1]*f)
			old[d] = f
		}
		failed := false
		for d := 1; d <= bassFactDays; d++ {
			c := BassF(pq[0], pq[1], float64(d))
			if math.Abs(old[d]-c) > bassTolerance(c) {
				failed = true
			}
		}
		if !failed {
			t.Errorf("p=%v q=%v: the lagging constant-hazard step passes the tolerance", pq[0], pq[1])
		}
	}
}

// TestBassFactProductLifecycle: a product lifecycle drawn from a Bass curve
// (ProductCurve, start_f 0, day 1 = t 0) follows the same closed form on
// every day within the same tolerance (it is evaluated in closed form, so
// the deviation is rounding), and its stages change where F crosses 0.1,
// the rate peak and 0.9.
func TestBassFactProductLifecycle(t *testing.T) {
	for _, pq := range bassFactCases {
		c := ProductCurve{P: pq[0], Q: pq[1]}
		worst := 0.0
		for d := 1; d <= bassFactDays; d++ {
			f := BassF(pq[0], pq[1], float64(d-1))
			dev := math.Abs(c.F(d) - f)
			worst = max(worst, dev)
			if dev > bassTolerance(f) {
				t.Errorf("p=%v q=%v day %d: product F %.4f, closed form %.4f", pq[0], pq[1], d, c.F(d), f)
			}
			if got, want := c.Stage(d), StageOf(f, pq[0], pq[1]); got != want {
				t.Errorf("p=%v q=%v day %d: stage %v, want %v", pq[0], pq[1], d, got, want)
			}
		}
		if worst > 1e-12 {
			t.Errorf("p=%v q=%v: product curve off the closed form by %.3g", pq[0], pq[1], worst)
		}
	}
}
