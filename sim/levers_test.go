package sim

import (
	"context"
	"math"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

// Lever tests: each lever's library scenario, shrunk for test time, must
// show the lever's own KPI moving in the direction its parameters imply,
// with a paired 95% CI (common random numbers) that excludes zero. The
// engine-level mechanism tests (tasks at the reservation income, campaign
// window and eligibility, linkage window) follow.

// leverRun loads a library scenario with sets and runs it.
func leverRun(t *testing.T, name string, sets ...string) *Result {
	t.Helper()
	sc, err := scenarios.LoadLibrary(name, sets...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// kpi extracts a per-replication value of variant v.
func kpi(res *Result, v string, f func(r *RepResult) float64) []float64 {
	for _, vr := range res.Variants {
		if vr.Name == v {
			xs := make([]float64, len(vr.Reps))
			for i := range vr.Reps {
				xs[i] = f(&vr.Reps[i])
			}
			return xs
		}
	}
	panic("no variant " + v)
}

func total(name string) func(r *RepResult) float64 {
	return func(r *RepResult) float64 { return r.Totals[name] }
}

func bdValue(r *RepResult, dim, key, metric string) float64 {
	for _, b := range r.Breakdown {
		if b.Dimension == dim && b.Key == key && b.Metric == metric {
			return b.Value
		}
	}
	return math.NaN()
}

// wantPaired checks that the paired difference variant − baseline of a KPI
// has a 95% CI on the sign's side of zero (sign +1: variant higher).
func wantPaired(t *testing.T, res *Result, what, base, variant string, sign float64, f func(r *RepResult) float64) Estimate {
	t.Helper()
	a, b := kpi(res, base, f), kpi(res, variant, f)
	e := PairedDiff(a, b)
	m := MeanCI(a)
	t.Logf("%s: %s − %s = %.4g [%.4g, %.4g] (%+.1f%% of %.4g)", what, variant, base, e.Mean, e.Lo, e.Hi, 100*e.Mean/m.Mean, m.Mean)
	if !(sign*e.Lo > 0 && sign*e.Hi > 0) {
		t.Errorf("%s: paired 95%% CI [%.4g, %.4g] does not exclude 0 on the %+v side", what, e.Lo, e.Hi, sign)
	}
	return e
}

func TestLeverSuperValue(t *testing.T) {
	res := leverRun(t, "super-value", "population.users=10000", "replications=10", "scale=20")
	conv := func(r *RepResult) float64 {
		return bdValue(r, "campaign_window", "glow_beauty/super_value", "orders") / bdValue(r, "campaign_window", "glow_beauty/super_value", "impressions")
	}
	wantPaired(t, res, "order conversion in the window", "baseline", "join-10pct", +1, conv)
	wantPaired(t, res, "campaign_orders", "baseline", "join-10pct", +1, total("campaign_orders"))
	wantPaired(t, res, "campaign_orders, 20% vs 10%", "join-10pct", "join-20pct", +1, total("campaign_orders"))
}

func TestLeverTrend(t *testing.T) {
	res := leverRun(t, "mint-manbo-trend", "population.users=10000", "replications=10", "scale=20")
	wantPaired(t, res, "trend_gmv", "baseline", "not-riding", -1, total("trend_gmv"))
	wantPaired(t, res, "trend_plays", "baseline", "not-riding", -1, total("trend_plays"))
}

func TestLeverMagpieBridge(t *testing.T) {
	res := leverRun(t, "magpie-bridge", "population.users=10000", "replications=10", "scale=20")
	wantPaired(t, res, "tasks_accepted", "baseline", "plain-fee", -1, total("tasks_accepted"))
	wantPaired(t, res, "spend_paid_traffic (task boosts)", "baseline", "plain-fee", -1, total("spend_paid_traffic"))
}

func TestLeverXingque(t *testing.T) {
	res := leverRun(t, "xingque-linkage", "population.users=6000", "replications=10", "scale=60", "horizon_days=40")
	wantPaired(t, res, "linked_gmv", "baseline", "linkage-off", -1, total("linked_gmv"))
	// Total orders fall too when linkage is off, but at this shrunk size the
	// paired CI of orders does not always exclude zero (the lever's own KPI,
	// linked GMV, is what the issue pins); it is logged, not asserted.
	d := PairedDiff(kpi(res, "baseline", total("orders")), kpi(res, "linkage-off", total("orders")))
	t.Logf("orders: linkage-off − baseline = %.4g [%.4g, %.4g]", d.Mean, d.Lo, d.Hi)
}

// TestLeverIncrementalAuthors: incremental authors reach users existing
// partners don't (novelty_reach on o→a1), so booking last season's
// partners instead of new authors in the same matrix cells
// (apparel-launch's existing-partners variant) lowers O→A1 flow. Shrunk:
// the file's population and scale, only that variant, 30 KPI days (the
// switched cells are booked in the first five weeks, KPI days up to 21;
// later days only add the other content's noise) and 40 replications —
// the variant's extra partner rows shift the world stream, so the rival
// merchant books other creators and common random numbers align less
// well: at 20 replications the CI crossed zero for 2 of 5 seeds tried, at
// 40 it excluded zero for all 4 tried. The partners' higher conversion
// (Spring Jacket's new customers and GMV) is logged, not asserted: its
// sign depends on the population size (see the scenario's description).
func TestLeverIncrementalAuthors(t *testing.T) {
	// 40,000 agents at scale 20: the file's market of 800k real users.
	sc, err := scenarios.LoadLibrary("apparel-launch", "horizon_days=30", "replications=40", "population.users=40000", "scale=20")
	if err != nil {
		t.Fatal(err)
	}
	var keep []scenarios.Variant
	for _, v := range sc.Variants {
		if v.Name == "existing-partners" {
			keep = append(keep, v)
		}
	}
	if len(keep) != 1 {
		t.Fatalf("apparel-launch has no existing-partners variant")
	}
	sc.Variants = keep
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantPaired(t, res, "flow_o_a1 (reach)", "baseline", "existing-partners", -1, total("flow_o_a1"))
	for _, m := range []string{"new_customers", "gmv"} {
		f := func(r *RepResult) float64 { return bdValue(r, "merchant", "spring_jacket", m) }
		d := PairedDiff(kpi(res, "baseline", f), kpi(res, "existing-partners", f))
		t.Logf("spring_jacket %s: existing-partners − baseline = %.4g [%.4g, %.4g]", m, d.Mean, d.Lo, d.Hi)
	}
}

// TestEngineCampaignWindow: the engine uses the campaign table — campaign
// orders fall only on window days, and only a joined merchant's content
// gets them (the test scenario's sv runs days 6–14 for a and b, sv2 days
// 15–20 for b only; the no-campaign variant drops a from sv).
func TestEngineCampaignWindow(t *testing.T) {
	// sv's orders are few at 3,000 users (about one agent order per
	// replication, none in a third of them): 6 replications, judged on
	// their sums.
	sc := testScenario(t, "replications=6", "population.users=3000")
	res := run(t, sc, 1)
	for _, v := range res.Variants {
		for ri := range v.Reps {
			for d, x := range v.Reps[ri].Daily["campaign_orders"] {
				if day := d + 1; x != 0 && (day < 6 || day > 20) {
					t.Fatalf("%s: %v campaign orders on day %d, outside every window", v.Name, x, day)
				}
			}
		}
	}
	var base, noA, sv float64
	for ri := range res.Variants[0].Reps {
		base += res.Variants[0].Reps[ri].Totals["campaign_orders"]
		noA += res.Variants[1].Reps[ri].Totals["campaign_orders"]
		sv += bdValue(&res.Variants[0].Reps[ri], "campaign", "sv", "orders")
	}
	if noA >= base && base > 0 {
		t.Fatalf("dropping merchant a did not lower campaign orders: %v vs %v", noA, base)
	}
	if !(sv > 0) {
		t.Fatalf("no orders attributed to campaign sv: %v", sv)
	}
}
