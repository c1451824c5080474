package sim

import (
	"fmt"
	"math"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

// fieldEffectAllow lists the numeric fields of the test scenario that may
// leave every KPI unchanged, each with the reason it cannot act there. At
// most 5% of the fields may stand on it.
var fieldEffectAllow = map[string]string{
	"creators.generate.capacity.koc.storefront":                        kocStorefront,
	"merchants.c.strategy.matrix.any-deal_hunter-koc-storefront.posts": kocStorefront,
}

// kocStorefront: ranking by followers (ranking.followers 0.5) gives a koc's
// storefront listing (reach 0.3) a few hundred impressions in the test
// scenario and no order, so its posts and capacity move nothing there (they
// act in a market where koc listings are seen; the entry's count moves
// matrix_shortfall).
const kocStorefront = "koc storefront listings get almost no impressions under follower-weighted ranking: no order in the test scenario"

// kpiMoved reports the KPI that changed most between a and b, relative to
// its size, and whether that change is more than rounding (1e-9 relative;
// the runs are deterministic and use one worker, so an unchanged model
// reproduces every number to the last bit). The KPIs are the baseline's
// totals and its breakdown (KPIs by merchant, channel, creator type, …) of
// every replication; the hash, names and headers are not compared.
func kpiMoved(a, b *Result) (metric string, rel float64, moved bool) {
	consider := func(name string, x, y float64) {
		if math.IsNaN(x) && math.IsNaN(y) || x == y {
			return
		}
		d := math.Abs(x-y) / math.Max(math.Max(math.Abs(x), math.Abs(y)), 1e-300)
		if math.IsNaN(x) != math.IsNaN(y) {
			d = math.Inf(1)
		}
		if d > rel {
			metric, rel = name, d
		}
	}
	va, vb := a.Variants[0].Reps, b.Variants[0].Reps
	for r := range min(len(va), len(vb)) {
		names := make([]string, 0, len(va[r].Totals))
		for k := range va[r].Totals {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			consider(k, va[r].Totals[k], vb[r].Totals[k])
		}
		type key struct{ dim, key, metric string }
		rows := make(map[key]float64, len(vb[r].Breakdown))
		for _, row := range vb[r].Breakdown {
			rows[key{row.Dimension, row.Key, row.Metric}] = row.Value
		}
		for _, row := range va[r].Breakdown {
			consider(row.Metric+" by "+row.Dimension+"="+row.Key, row.Value, rows[key{row.Dimension, row.Key, row.Metric}])
		}
	}
	return metric, rel, rel > 1e-9
}

// fieldEffectBase is the test scenario made to exercise every lever for the
// field-effect check: budgets that bind (merchant a's campaigns budget
// pays exactly its fee, a paces by stage), a launch that spans re-plans,
// customer thresholds reachable within the horizon, and a merchant c whose
// matrix books every tier × format with more posts than the weekly
// capacity, a premium product (so rich groups' willingness to pay acts)
// and loyalty/deal-hunter content in volume. The merchant without products
// is an edge case of the engine (tested with the full test scenario), not
// a lever: none of its fields can act, so it is left out.
func fieldEffectBase(t testing.TB) *scenarios.Scenario {
	var c strings.Builder
	c.WriteString(`  - id: c
    products:
      - {id: watch, price: 899, margin: 0.5, refund_rate: 0.1, stage: decline}
    budget: {creator_fees: 300, paid_traffic: 6000, campaigns: 1000, pacing: by_stage}
    live_room: {hours_per_day: 3, quality: 0.6}
    initial:
      funnel: {a1: 0.2, a2: 0.1, a3: 0.05, a4: 0.05, a5: 0.02}
    strategy:
      paid_traffic: {daily: 300}
      matrix:
`)
	// Posts equal to the weekly capacity (tail and koc live capacity
	// raised to 2 below), so that cutting either publishes less; the koc
	// entries pay fees from a budget that binds.
	// One type per cell of a tier (a merchant books a creator once per
	// re-plan): loyalty and deal-hunter content in volume.
	types := map[string][4]string{"head": {"reach", "live_seller", "seeder", "loyalty"}, "waist": {"deal_hunter", "deal_hunter", "deal_hunter", "deal_hunter"},
		"tail": {"loyalty", "loyalty", "loyalty", "loyalty"}, "koc": {"deal_hunter", "deal_hunter", "deal_hunter", "deal_hunter"}}
	capacity := map[string][4]int{"head": {3, 2, 2, 20}, "waist": {4, 2, 3, 20}, "tail": {5, 2, 3, 10}, "koc": {3, 2, 2, 5}}
	for _, tier := range scenarios.Tiers() {
		for fi, f := range scenarios.Formats() {
			contract := "cps"
			if tier == "koc" {
				contract = "fee_cps"
			}
			fmt.Fprintf(&c, "        - {type: %s, tier: %s, format: %s, count: 2, posts: %d, contract: %s}\n", types[tier][fi], tier, f, capacity[tier][fi], contract)
		}
	}
	yml := strings.Replace(testYAML, "  - id: empty\n", c.String()+"  - id: empty\n", 1)
	sc, err := scenarios.LoadBytes("fields.yaml", []byte(yml), "replications=1", "population.users=10000",
		"creators.generate.count=1200", "creators.generate.capacity.tail.live=2", "creators.generate.capacity.koc.live=2",
		"merchants.a.budget.campaigns=2000", "merchants.b.budget.campaigns=3000", "merchants.a.budget.creator_fees=150000",
		"merchants.a.budget.pacing=by_stage",
		"merchants.a.products.jacket.bass.p=0.005", "merchants.a.products.jacket.bass.q=0.2", "merchants.a.products.jacket.bass.start_f=0",
		"merchants.a.strategy.matrix.any-live_seller-tail-live.count=6", "merchants.a.strategy.matrix.growth-trend_setter-waist-short_video.count=6",
		"platform.linkage.exposure_boost=10", "platform.linkage.conversion_uplift=1.5",
		"platform.customers.at_risk_after_days=5", "platform.customers.churn_after_days=10", "platform.customers.loyal_after_orders=2",
		"merchants.b.strategy.matrix.any-loyalty-koc-post.count=12",
		"campaigns.sv.eligible.creator_tiers=[koc, tail, waist]", "campaigns.sv2.window=[12, 24]", "campaigns.sv2.traffic_multiplier=4", "campaigns.sv2.eligible.merchants=[b, c]",
		"campaigns.sv2.eligible.creator_types=[loyalty, seeder]", "merchants.a.strategy.matrix.any-loyalty-head-storefront.contract=cps")
	if err != nil {
		t.Fatal(err)
	}
	sc.Variants = nil
	sc.Merchants = slices.DeleteFunc(sc.Merchants, func(m scenarios.Merchant) bool { return len(m.Products) == 0 })
	return sc
}

// perturbed returns valid copies of base with path changed, to be tried in
// order until one moves a KPI: the first valid larger value and the first
// valid smaller one (a budget that does not bind acts only when cut, a fee
// only when raised), then the largest valid step up to ×10 and down to
// ×0.1 (a rare event — a campaign's few orders — shows the effect only of
// a large change); or a share moved from a sibling when the field cannot
// change alone.
func perturbed(base *scenarios.Scenario, path string, paths []string) []*scenarios.Scenario {
	v, err := scenarios.GetFloat(base, path)
	if err != nil {
		return nil
	}
	valid := func(nv any) *scenarios.Scenario {
		c := scenarios.Clone(base)
		if scenarios.Set(c, path, nv) != nil || scenarios.Validate(c) != nil {
			return nil
		}
		return c
	}
	var up, down *scenarios.Scenario
	for _, nv := range perturbations(v) {
		f, ok := nv.(float64)
		if !ok {
			f = float64(nv.(int))
		}
		if f == v || (f > v && up != nil) || (f < v && down != nil) {
			continue
		}
		if c := valid(nv); c != nil && f > v {
			up = c
		} else if c != nil {
			down = c
		}
	}
	var bigUp, bigDown *scenarios.Scenario
	for _, k := range []float64{10, 5, 3} {
		nv := any(v * k)
		if v == 0 {
			nv = any(k / 10)
		}
		if v == math.Trunc(v) && math.Abs(v*k) < 1e6 {
			nv = int(math.Max(v*k, k/10*10))
		}
		if bigUp = valid(nv); bigUp != nil {
			break
		}
	}
	for _, k := range []float64{0.1, 0.2, 0.3} {
		if v == 0 {
			break
		}
		nv := any(v * k)
		if v == math.Trunc(v) && math.Abs(v) < 1e6 {
			if int(v*k) == int(v) {
				break
			}
			nv = int(v * k)
		}
		if bigDown = valid(nv); bigDown != nil {
			break
		}
	}
	var out []*scenarios.Scenario
	for _, c := range []*scenarios.Scenario{up, down, bigUp, bigDown} {
		if c != nil {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		if c := moveShare(base, path, v, paths); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// TestEveryFieldHasAnEffect perturbs every numeric field of the test
// scenario (which exercises every lever) in turn and requires some KPI of
// the baseline to move by more than rounding; the scenario hash, names and
// headers are left out of the comparison (they change with any edit, so a
// comparison including them could not fail). A field may instead stand on
// fieldEffectAllow with its reason, for at most 5% of the fields. Runs are
// spread over GOMAXPROCS goroutines, one engine worker each.
func TestEveryFieldHasAnEffect(t *testing.T) {
	base := fieldEffectBase(t)
	ref := run(t, base, 1)
	var paths []string
	numericPaths(reflect.ValueOf(base).Elem(), "", &paths)
	type outcome struct {
		path, metric string
		rel          float64
		moved, tried bool
	}
	out := make([]outcome, len(paths))
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i].path = paths[i]
				for _, sc := range perturbed(base, paths[i], paths) {
					res, err := Run(t.Context(), sc, Options{Workers: 1})
					if err != nil {
						t.Errorf("%s: %v", paths[i], err)
						break
					}
					out[i].tried = true
					out[i].metric, out[i].rel, out[i].moved = kpiMoved(ref, res)
					if out[i].moved {
						break
					}
				}
			}
		}()
	}
	for i := range paths {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	tested, inert, skipped := 0, []string{}, []string{}
	for _, o := range out {
		switch {
		case !o.tried:
			skipped = append(skipped, o.path)
		case o.moved:
			tested++
			if _, ok := fieldEffectAllow[o.path]; ok {
				t.Logf("%s stands on the allow-list but moves %s by %.3g: it may come off", o.path, o.metric, o.rel)
			}
		default:
			tested++
			if _, ok := fieldEffectAllow[o.path]; !ok {
				inert = append(inert, o.path)
				t.Errorf("changing %s moves no KPI by more than rounding (largest: %s %.3g)", o.path, o.metric, o.rel)
			}
		}
	}
	if n := len(fieldEffectAllow); float64(n) > 0.05*float64(tested) {
		t.Errorf("%d fields on the allow-list, more than 5%% of %d", n, tested)
	}
	t.Logf("%d numeric fields perturbed, %d inert, %d allowed; %d could not be changed alone and stay valid: %s",
		tested, len(inert), len(fieldEffectAllow), len(skipped), strings.Join(skipped, ", "))
	if tested < 150 {
		t.Errorf("only %d fields tested", tested)
	}
}

// TestFieldEffectCheckCatchesInert: the comparison reports no effect for
// changes the engine cannot see — the scenario's name (which changes the
// hash the old comparison included) and a zero-weight share in a mix —
// and an effect for a real one, so TestEveryFieldHasAnEffect can fail.
func TestFieldEffectCheckCatchesInert(t *testing.T) {
	base := fieldEffectBase(t)
	ref := run(t, base, 1)
	renamed := scenarios.Clone(base)
	renamed.Name = "renamed"
	res := run(t, renamed, 1)
	if res.Hash == ref.Hash {
		t.Fatal("renaming kept the hash: the demonstration needs a hash change")
	}
	if m, rel, moved := kpiMoved(ref, res); moved {
		t.Errorf("renaming the scenario moved %s by %.3g", m, rel)
	}
	// An inert numeric field: the duration of a trend nobody adopts
	// (potential 0) cannot act.
	inert := scenarios.Clone(base)
	if err := scenarios.Set(inert, "trends.mint.potential", 0); err != nil {
		t.Fatal(err)
	}
	resA := run(t, inert, 1)
	inert2 := scenarios.Clone(inert)
	if err := scenarios.Set(inert2, "trends.mint.fade_days", 25.0); err != nil {
		t.Fatal(err)
	}
	if m, rel, moved := kpiMoved(resA, run(t, inert2, 1)); moved {
		t.Errorf("fade_days of a trend nobody adopts moved %s by %.3g", m, rel)
	}
	real := scenarios.Clone(base)
	if err := scenarios.Set(real, "merchants.a.budget.paid_traffic", 40000.0); err != nil {
		t.Fatal(err)
	}
	if _, _, moved := kpiMoved(ref, run(t, real, 1)); !moved {
		t.Error("doubling a paid-traffic budget moved no KPI")
	}
}
