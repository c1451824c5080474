package sim

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim/mechanisms"
)

// Life-cycle facts of trends and creators on the default scenario, for
// seeds 1, 2 and 3. Within a seed the compared runs share their random
// streams by replication (common random numbers), so they are judged by
// paired 95% CIs over replications.

var lifeSeeds = []uint64{1, 2, 3}

const lifeReps = 8

// lifeScenario is the default scenario for seed with the creator pool the
// matrix needs (2,500 generated creators; the trend's potential lowered to
// keep ~175 adopters) and no variants, edited by sets.
func lifeScenario(t *testing.T, seed uint64, sets ...string) *scenarios.Scenario {
	t.Helper()
	sets = append([]string{"creators.generate.count=2500", "trends.mint_manbo.potential=0.07"}, sets...)
	sc, err := scenarios.LoadLibrary("default.yaml", sets...)
	if err != nil {
		t.Fatal(err)
	}
	sc.Seed = seed
	sc.Replications = lifeReps
	sc.Variants = nil
	// Half the agents at twice the scale: the same market of real users.
	sc.Population.Users /= 2
	sc.Scale *= 2
	return sc
}

func lifeRun(t *testing.T, sc *scenarios.Scenario) []RepResult {
	t.Helper()
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Variants[0].Reps
}

// perRep returns f of every replication.
func perRep(reps []RepResult, f func(tot map[string]float64) float64) []float64 {
	out := make([]float64, len(reps))
	for i, r := range reps {
		out[i] = f(r.Totals)
	}
	return out
}

// relChange is the paired 95% CI of mean(b − a) / mean(a).
func relChange(a, b []float64) (mean, lo, hi float64) {
	d := PairedDiff(a, b)
	base := MeanCI(a).Mean
	return d.Mean / base, d.Lo / base, d.Hi / base
}

// TestTrendsEnd: a trend has a life cycle — adopters' submission rate
// fades and adoption saturates — so its per-participant totals stop
// growing: between horizons of 60 and 120 days, submissions per
// participating creator and plays per submission change by at most 15%
// (the whole paired 95% CI inside ±15%). Source: the article's trend
// totals ("Merada style": 1.03 M submissions by 16 k creators, 3.5 B plays
// over the trend's life) are finite per creator and per submission; the
// engine used to give 1.5 × days since adoption (30, 60, 151 submissions
// per creator at 40, 60, 120 days).
func TestTrendsEnd(t *testing.T) {
	subsPerCreator := func(tot map[string]float64) float64 { return tot["trend_submissions"] / tot["trend_creators"] }
	playsPerSub := func(tot map[string]float64) float64 { return tot["trend_plays"] / tot["trend_submissions"] }
	for _, seed := range lifeSeeds {
		short := lifeRun(t, lifeScenario(t, seed, "horizon_days=60"))
		long := lifeRun(t, lifeScenario(t, seed, "horizon_days=120"))
		for _, m := range []struct {
			name string
			f    func(map[string]float64) float64
		}{{"submissions per participating creator", subsPerCreator}, {"plays per submission", playsPerSub}} {
			a, b := perRep(short, m.f), perRep(long, m.f)
			mean, lo, hi := relChange(a, b)
			t.Logf("seed %d: %s %.1f at 60 days, %.1f at 120: %+.1f%% [%+.1f%%, %+.1f%%]",
				seed, m.name, MeanCI(a).Mean, MeanCI(b).Mean, 100*mean, 100*lo, 100*hi)
			if lo < -0.15 || hi > 0.15 {
				t.Errorf("seed %d: %s changes by %+.1f%% [%+.1f%%, %+.1f%%] from 60 to 120 days (allowed ±15%%)",
					seed, m.name, 100*mean, 100*lo, 100*hi)
			}
		}
	}
}

// TestCreatorsLive: the default pools meet the matrix's counts (with ×4
// creator fees, at most 2% of the requested cooperations unmet,
// matrix_shortfall); creators grow with engagement and go dormant only when
// they earn below their reservation income, so by day 60 of the default
// scenario rising creators exist and some creators have grown to
// established (more established than on day 1, in every replication)
// and at most 30% are dormant; and more money never buys fewer
// cooperations: with every merchant's creator-fee budget ×4 the
// cooperations' paired 95% CI of the change lies at or above 0 (lower
// bound > −1 cooperation). Source: the acceptance bar (the engine
// had no rising creator, 225 of 600 dormant, and 116 cooperations at ×4
// against 216 at ×1); economically, a creator's participation constraint
// (reservation income) and a budget constraint that, relaxed, leaves the
// earlier plan feasible.
func TestCreatorsLive(t *testing.T) {
	x4 := func(t *testing.T, seed uint64) []string {
		sc := lifeScenario(t, seed)
		var sets []string
		for _, m := range sc.Merchants {
			sets = append(sets, "merchants."+m.ID+".budget.creator_fees="+formatFloat(4*m.Budget.CreatorFees))
		}
		return sets
	}
	for _, seed := range lifeSeeds {
		base := lifeRun(t, lifeScenario(t, seed))
		C := float64(lifeScenario(t, seed).Creators.Generate.Count)
		grown := 0.0
		for i, r := range base {
			est := r.Daily["creators_established"]
			if r.Totals["creators_rising"] < 1 || len(est) == 0 || !(est[len(est)-1] > est[0]) {
				t.Errorf("seed %d rep %d: rising %v, established %v at day 60 (%v on day 1: none grew)", seed, i,
					r.Totals["creators_rising"], r.Totals["creators_established"], est[0])
			}
			grown += (est[len(est)-1] - est[0]) / float64(len(base))
		}
		dormant := MeanCI(perRep(base, func(tot map[string]float64) float64 { return tot["creators_dormant"] / C }))
		if dormant.Hi > 0.30 {
			t.Errorf("seed %d: dormant share %.3f [%.3f, %.3f] > 0.30", seed, dormant.Mean, dormant.Lo, dormant.Hi)
		}
		rich := lifeRun(t, lifeScenario(t, seed, x4(t, seed)...))
		// Pools big enough: with money not binding (×4 fees) matrix entries
		// get the creators they ask for — at most 2% of the requests unmet
		// (at ×1 the fee allowance leaves ~5% unmet).
		short := MeanCI(perRep(rich, func(tot map[string]float64) float64 {
			return tot["matrix_shortfall"] / (tot["matrix_shortfall"] + tot["cooperations"])
		}))
		if short.Hi > 0.02 {
			t.Errorf("seed %d: with ×4 fees matrix entries still miss %.1f%% [%.1f%%, %.1f%%] of the cooperations they ask for (allowed 2%%)", seed, 100*short.Mean, 100*short.Lo, 100*short.Hi)
		}
		coops := func(tot map[string]float64) float64 { return tot["cooperations"] }
		d := PairedDiff(perRep(base, coops), perRep(rich, coops))
		t.Logf("seed %d: matrix shortfall at ×4 fees %.1f%%; rising %.0f, established %.0f (%.0f grown since day 1), dormant %.1f%%; cooperations ×1 %.1f, ×4 %.1f (Δ %+.1f [%+.1f, %+.1f])",
			seed, 100*short.Mean, MeanCI(perRep(base, func(tot map[string]float64) float64 { return tot["creators_rising"] })).Mean,
			MeanCI(perRep(base, func(tot map[string]float64) float64 { return tot["creators_established"] })).Mean, grown,
			100*dormant.Mean, MeanCI(perRep(base, coops)).Mean, MeanCI(perRep(rich, coops)).Mean, d.Mean, d.Lo, d.Hi)
		if d.Mean < 0 || d.Lo < -1 {
			t.Errorf("seed %d: ×4 creator budget changes cooperations by %+.1f [%+.1f, %+.1f]", seed, d.Mean, d.Lo, d.Hi)
		}
	}
}

func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// TestTrendConnectsRiders: trend content reaches users and moves them
// through the rider's funnel ("activating users, connecting products"):
// with one submission in ten featuring the rider's product (connect 0.1,
// the default) the rider's orders and new customers attributed to the
// trend (spring_jacket is the trend's only rider) exceed those with
// connect 0 (paired 95% CI above 0). Source: the article's trends lead to "a
// strong outbreak in early spring sales of new products" of the riding
// merchants.
func TestTrendConnectsRiders(t *testing.T) {
	trendMetric := func(reps []RepResult, metric string) []float64 {
		out := make([]float64, len(reps))
		for i, r := range reps {
			for _, row := range r.Breakdown {
				if row.Dimension == "trend" && row.Key == "mint_manbo" && row.Metric == metric {
					out[i] = row.Value
				}
			}
		}
		return out
	}
	for _, seed := range lifeSeeds {
		off := lifeRun(t, lifeScenario(t, seed, "trends.mint_manbo.connect=0"))
		on := lifeRun(t, lifeScenario(t, seed))
		for _, metric := range []string{"orders", "new_customers"} {
			d := PairedDiff(trendMetric(off, metric), trendMetric(on, metric))
			t.Logf("seed %d: trend %s, connect 0 → 0.1: %.0f → %.0f (Δ %+.0f [%+.0f, %+.0f])", seed, metric,
				MeanCI(trendMetric(off, metric)).Mean, MeanCI(trendMetric(on, metric)).Mean, d.Mean, d.Lo, d.Hi)
			if !(d.Lo > 0) {
				t.Errorf("seed %d: connecting trend submissions to the rider's product does not raise trend %s: Δ %+.0f [%+.0f, %+.0f]", seed, metric, d.Mean, d.Lo, d.Hi)
			}
		}
	}
}

// TestBassFactEngine: the engine's trend adoption (not only
// mechanisms.Trend) tracks the continuous Bass closed form (Bass 1969):
// with 20,000 creators all potential adopters under full mixing, the mean
// adopter fraction of 10 replications stays within 4·√(F(1−F)/N) + 0.01 of
// F(t) on every day, for (p, q) = (0.03, 0.38), (0.01, 0.15), (0.05, 0.5)
// and seeds 1, 2, 3.
func TestBassFactEngine(t *testing.T) {
	const N = 20000
	for _, pq := range [][2]float64{{0.03, 0.38}, {0.01, 0.15}, {0.05, 0.5}} {
		for _, seed := range lifeSeeds {
			yml := fmt.Sprintf(`
name: bass
seed: %d
horizon_days: 60
replications: 10
population: {users: 200}
creators: {generate: {count: %d}}
merchants:
  - id: m
    products: [{id: x, price: 50}]
trends:
  - {id: t, start_day: 1, p: %v, q: %v, mixing: full, potential: 1}
`, seed, N, pq[0], pq[1])
			sc, err := scenarios.LoadBytes("bass.yaml", []byte(yml))
			if err != nil {
				t.Fatal(err)
			}
			reps := lifeRun(t, sc)
			worst := 0.0
			for k := range reps[0].Daily["trend_adopters:t"] {
				mean := 0.0
				for _, r := range reps {
					mean += r.Daily["trend_adopters:t"][k] / N / float64(len(reps))
				}
				f := mechanisms.BassF(pq[0], pq[1], float64(k+1))
				dev := math.Abs(mean - f)
				worst = max(worst, dev)
				if tol := 4*math.Sqrt(f*(1-f)/N) + 0.01; dev > tol {
					t.Errorf("p=%v q=%v seed %d day %d: mean F %.4f, closed form %.4f (|diff| %.4f > %.4f)", pq[0], pq[1], seed, k+1, mean, f, dev, tol)
				}
			}
			t.Logf("p=%v q=%v seed %d: max |mean F − closed form| %.4f", pq[0], pq[1], seed, worst)
		}
	}
}
