package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

// testYAML is a small scenario that exercises every mechanism: matrix
// entries of every contract kind (tasks, seed_harvest), existing partners,
// a Bass product and a fixed-stage one, paid traffic with targets, own live
// rooms, a restricted campaign, trends with both mixings, and a merchant
// without products.
const testYAML = `
name: test
seed: 7
horizon_days: 24
warmup_days: 3
replications: 2
scale: 10
population:
  users: 4000
  follows_per_user: 12
creators:
  generate:
    count: 400
    tiers: {head: 0.02, waist: 0.1, tail: 0.38, koc: 0.5}
merchants:
  - id: a
    products:
      - {id: jacket, price: 199, margin: 0.45, refund_rate: 0.2, bass: {p: 0.03, q: 0.3, start_f: 0.05}}
      - {id: scarf, price: 59, margin: 0.5, refund_rate: 0.05, stage: growth}
    budget: {creator_fees: 60000, paid_traffic: 20000, campaigns: 5000, pacing: front_loaded}
    live_room: {hours_per_day: 4, quality: 0.6}
    initial:
      funnel: {a1: 0.1, a2: 0.05, a3: 0.02, a4: 0.03, a5: 0.01}
      partners:
        - {type: seeder, tier: tail, count: 3, trust: 0.7}
    strategy:
      replan_days: 5
      matrix:
        - {stage: any, type: seeder, tier: tail, format: short_video, count: 3, partners: existing, posts: 2}
        - {stage: launch, type: trend_setter, tier: waist, format: short_video, count: 2, contract: seed_harvest}
        - {stage: growth, type: trend_setter, tier: waist, format: short_video, count: 2, contract: seed_harvest}
        - {stage: any, type: live_seller, tier: tail, format: live, count: 2, contract: seed_harvest}
        - {stage: any, product: scarf, type: deal_hunter, tier: koc, format: live, count: 3, contract: cps}
        - {stage: any, type: reach, tier: tail, format: post, count: 3, contract: task, task: {budget: 900, ecommerce_share: 0.4}}
        - {stage: any, type: loyalty, tier: head, format: storefront, count: 1}
      paid_traffic: {daily: 1200, target: {stages: [o, a1, a2], groups: [gen_z, small_town_youth, exquisite_moms]}}
  - id: b
    products:
      - {id: serum, price: 129, margin: 0.6, refund_rate: 0.08, stage: maturity}
    budget: {creator_fees: 30000, paid_traffic: 8000, campaigns: 8000, pacing: by_stage, stage_weights: {launch: 1, growth: 2, maturity: 1, decline: 0.5}}
    live_room: {hours_per_day: 2, quality: 0.7}
    initial:
      funnel: {a1: 0.2, a2: 0.05, a3: 0.01, a4: 0.05, a5: 0.02}
    strategy:
      matrix:
        - {type: seeder, tier: waist, format: short_video, count: 2, partners: new}
        - {type: loyalty, tier: koc, format: post, count: 4, contract: cps}
      paid_traffic: {daily: 400}
  - id: empty
    products: []
    budget: {creator_fees: 1000, paid_traffic: 1000}
campaigns:
  - id: sv
    window: [6, 14]
    discount: 0.15
    traffic_multiplier: 2
    conversion_uplift: 0.3
    fee: 2000
    eligible: {merchants: [a, b], creator_tiers: [koc, tail]}
  - id: sv2
    window: [15, 20]
    discount: 0.1
    traffic_multiplier: 1.5
    conversion_uplift: 0.2
    fee: 1000
    eligible: {merchants: [b], products: [serum], creator_types: [loyalty]}
trends:
  - {id: mint, start_day: 2, p: 0.02, q: 0.4, mixing: full, potential: 0.5, submissions_per_day: 0.5, boost: 2, riders: [a]}
  - {id: merada, start_day: -1, p: 0.01, q: 0.5, mixing: follow_graph, potential: 0.4, submissions_per_day: 0.3, boost: 1.5, riders: [a, b]}
variants:
  - name: no-campaign
    set: {campaigns.sv.eligible.merchants: [b]}
`

func testScenario(t testing.TB, sets ...string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.LoadBytes("test.yaml", []byte(testYAML), sets...)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func run(t testing.TB, sc *scenarios.Scenario, workers int) *Result {
	t.Helper()
	res, err := Run(context.Background(), sc, Options{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// canonical serialises a Result without its Work record.
func canonical(t testing.TB, r *Result) string {
	t.Helper()
	c := *r
	c.Work = Work{}
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDeterminismAcrossWorkers(t *testing.T) {
	sc := testScenario(t)
	var ref string
	for _, wk := range []int{1, 2, 8} {
		res := run(t, sc, wk)
		if res.Work.Workers < 1 || res.Work.Workers > wk {
			t.Errorf("workers %d: Work.Workers = %d", wk, res.Work.Workers)
		}
		s := canonical(t, res)
		if ref == "" {
			ref = s
		} else if s != ref {
			t.Fatalf("result with %d workers differs from 1 worker", wk)
		}
	}
	// One replication with chunk parallelism inside it (several chunks).
	big := testScenario(t, "population.users=40000", "replications=1", "horizon_days=5", "campaigns.sv.window=[1, 5]", "campaigns.sv2.window=[2, 3]")
	big.Variants = nil
	a, b := canonical(t, run(t, big, 1)), canonical(t, run(t, big, 3))
	if a != b {
		t.Fatal("chunk-parallel replication differs from the sequential one")
	}
	other := testScenario(t, "seed=8")
	if canonical(t, run(t, other, 2)) == ref {
		t.Fatal("different seeds gave identical results")
	}
}

// TestLinkedOrdersHappen: Xingque-linked orders are rare in the test
// scenario (about 1.5 per replication of 4,000 users; a third of the
// replications have none), so they are checked over enough users and
// replications that a zero is not a matter of luck.
func TestLinkedOrdersHappen(t *testing.T) {
	sc := testScenario(t, "population.users=8000", "replications=6")
	sc.Variants = nil
	res := run(t, sc, 2)
	n := 0.0
	for _, r := range res.Variants[0].Reps {
		n += r.Totals["linked_orders"]
	}
	if !(n > 0) {
		t.Fatalf("no linked orders in 6 replications of 8,000 users")
	}
}

func TestResultComplete(t *testing.T) {
	sc := testScenario(t)
	res := run(t, sc, 2)
	if len(res.Variants) != 2 || res.Variants[0].Name != "baseline" || res.Variants[1].Name != "no-campaign" {
		t.Fatalf("variants %+v", res.Variants)
	}
	if res.Hash == "" || res.Scenario != "test" || res.Seed != 7 || res.Replications != 2 {
		t.Fatalf("header %+v", res)
	}
	for _, name := range []string{"gmv", "orders", "buyers", "new_customers", "spend", "profit", "impressions", "trend_submissions", "campaign_orders", "tasks_posted", "linked_gmv", "stock_a1"} {
		if _, ok := res.Variants[0].Reps[0].Totals[name]; !ok {
			t.Errorf("missing total %s", name)
		}
	}
	tot := res.Variants[0].Reps[0].Totals
	for _, name := range []string{"gmv", "orders", "new_customers", "spend_creator_fees", "spend_paid_traffic", "spend_commission", "trend_submissions", "trend_plays", "tasks_posted", "tasks_accepted", "cooperations", "refunds"} {
		if !(tot[name] > 0) {
			t.Errorf("%s = %v, want > 0 in the test scenario", name, tot[name])
		}
	}
	for _, k := range []string{"trend_adopters:mint", "trend_bass:mint", "trend_adopters:merada"} {
		if len(res.Variants[0].Reps[0].Daily[k]) != sc.HorizonDays {
			t.Errorf("daily %s missing", k)
		}
	}
	names := map[string]bool{}
	for _, m := range res.Metrics {
		if names[m.Name] {
			t.Errorf("metric %s declared twice", m.Name)
		}
		names[m.Name] = true
	}
	for _, m := range res.Metrics {
		if m.Kind == Ratio {
			if _, ok := tot[m.Num]; !ok {
				t.Errorf("ratio %s: numerator %s is not a Sum total", m.Name, m.Num)
			}
			if _, ok := tot[m.Den]; !ok {
				t.Errorf("ratio %s: denominator %s is not a Sum total", m.Name, m.Den)
			}
		}
	}
	// Campaign variant: paired difference is defined. Campaign orders are
	// few (about 2 agent orders per replication: none in one replication
	// of ten), so they are judged over 8 replications.
	sc.Replications = 8
	res = run(t, sc, 2)
	var a, b []float64
	for r := range res.Variants[0].Reps {
		a = append(a, res.Variants[0].Reps[r].Totals["campaign_orders"])
		b = append(b, res.Variants[1].Reps[r].Totals["campaign_orders"])
	}
	if e := PairedDiff(a, b); !(e.Hi < 0) {
		t.Errorf("leaving the campaign should lower campaign orders (paired 95%% CI below 0), got %+v", e)
	}
}

// TestConservation checks the accounting identities of every replication:
// GMV is the sum of its attributions in every dimension (and so are orders,
// spend and impressions; profit by merchant sums to the market's profit), GMV = AOV × orders by construction, funnel stocks
// sum to the population each day, spend stays within budget and no creator
// exceeds capacity.
func TestConservation(t *testing.T) {
	sc := testScenario(t)
	res := run(t, sc, 2)
	for _, v := range res.Variants {
		for _, rep := range v.Reps {
			sums := map[string]float64{}
			for _, row := range rep.Breakdown {
				sums[row.Dimension+"/"+row.Metric] += row.Value
			}
			for _, dim := range breakdownDims {
				for _, m := range breakdownMetrics {
					got, want := sums[dim+"/"+m], rep.Totals[m]
					if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
						t.Errorf("%s: %s by %s sums to %v, total %v", v.Name, m, dim, got, want)
					}
				}
			}
			// The merchants' profit rows sum to the market's profit.
			if got, want := sums["merchant/profit"], rep.Totals["profit"]; math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("%s: profit by merchant sums to %v, total %v", v.Name, got, want)
			}
			pop := float64(sc.Population.Users*len(sc.Merchants)) * sc.Scale
			for d := 0; d < sc.HorizonDays; d++ {
				s := 0.0
				for st := 0; st < 6; st++ {
					s += rep.Daily[registry[mStockO+st].Name][d]
				}
				if math.Abs(s-pop) > 1e-6 {
					t.Fatalf("day %d: stocks sum to %v, population × merchants %v", d+1, s, pop)
				}
				l := 0.0
				for i := 0; i < 5; i++ {
					l += rep.Daily[registry[mUsersNew+i].Name][d]
				}
				if math.Abs(l-float64(sc.Population.Users)*sc.Scale) > 1e-6 {
					t.Fatalf("day %d: lifecycle states sum to %v", d+1, l)
				}
			}
			spend := rep.Totals["spend_creator_fees"] + rep.Totals["spend_commission"] + rep.Totals["spend_paid_traffic"] + rep.Totals["spend_campaign"]
			if math.Abs(spend-rep.Totals["spend"]) > 1e-6*spend {
				t.Errorf("spend %v != sum of kinds %v", rep.Totals["spend"], spend)
			}
			if math.Abs(rep.Totals["orders"]-rep.Totals["new_customers"]-rep.Totals["repurchases"]) > 1e-6 {
				t.Errorf("orders != new_customers + repurchases")
			}
		}
	}
	// Budgets and capacity, checked on the world's state every day.
	w := testWorld(t, sc)
	for d := 0; d < w.T; d++ {
		w.beginDay(d)
		for c := 0; c < w.C; c++ {
			for f := 0; f < numFormats; f++ {
				if w.cUsed[c*numFormats+f] > w.cCap[c*numFormats+f]+1e-9 {
					t.Fatalf("day %d: creator %d format %d used %v of capacity %v", d, c, f, w.cUsed[c*numFormats+f], w.cCap[c*numFormats+f])
				}
			}
		}
		x := w.userContext()
		var a accum
		a.reset(w)
		for ci := range w.chunks {
			w.runChunk(&w.chunks[ci], &a, &x)
		}
		// GMV equals the sum of the order values of the day.
		before := w.out.daily[mGMV]
		var sumOrders float64
		for k := range w.day.items {
			sumOrders += float64(a.cnt[k*nCnt+cOrders]) * w.scale * w.day.items[k].value
		}
		var g0 float64
		if w.out.day >= 0 {
			g0 = before[w.out.day]
		}
		w.endDay(d, &a)
		if w.out.day >= 0 && math.Abs(w.out.daily[mGMV][w.out.day]-g0-sumOrders) > 1e-6 {
			t.Fatalf("day %d: GMV %v != sum of order values %v", d, w.out.daily[mGMV][w.out.day]-g0, sumOrders)
		}
		for m := range w.merchants {
			mer := &w.merchants[m]
			b := &sc.Merchants[m].Budget
			end := w.phaseEnd(d)
			if mer.spentFees > mer.cumFees[end]+1e-6 || mer.spentPaid > mer.cumPaid[end]+1e-6 || mer.spentCamp > b.Campaigns+1e-6 {
				t.Fatalf("day %d merchant %s over budget: fees %v/%v paid %v/%v campaigns %v/%v", d, sc.Merchants[m].ID,
					mer.spentFees, mer.cumFees[end], mer.spentPaid, mer.cumPaid[end], mer.spentCamp, b.Campaigns)
			}
			if d >= w.W && (mer.spentFees > b.CreatorFees+1e-6 || mer.spentPaid > b.PaidTraffic+1e-6) {
				t.Fatalf("merchant %s: KPI spend over the horizon budget", sc.Merchants[m].ID)
			}
		}
	}
}

func noNaN(t *testing.T, label string, res *Result) {
	t.Helper()
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	for _, v := range res.Variants {
		for r, rep := range v.Reps {
			for k, x := range rep.Totals {
				if bad(x) {
					t.Errorf("%s: %s rep %d total %s = %v", label, v.Name, r, k, x)
				}
			}
			for k, xs := range rep.Daily {
				for d, x := range xs {
					if bad(x) {
						t.Errorf("%s: daily %s day %d = %v", label, k, d+1, x)
						break
					}
				}
			}
			spend := map[[2]string]float64{}
			for _, row := range rep.Breakdown {
				if row.Metric == KPISpend {
					spend[[2]string{row.Dimension, row.Key}] = row.Value
				}
			}
			for _, row := range rep.Breakdown {
				// roi is undefined (NaN) exactly where the key spent nothing
				if row.Metric == KPIROI && math.IsNaN(row.Value) && spend[[2]string{row.Dimension, row.Key}] == 0 {
					continue
				}
				if bad(row.Value) {
					t.Errorf("%s: breakdown %+v", label, row)
				}
			}
			for k, xs := range rep.Distributions {
				for _, x := range xs {
					if bad(x) {
						t.Errorf("%s: distribution %s has %v", label, k, x)
					}
				}
			}
		}
	}
}

func TestEdgeCases(t *testing.T) {
	cases := map[string][]string{
		"zero budget":           {"merchants.a.budget={creator_fees: 0, paid_traffic: 0, campaigns: 0}", "merchants.b.budget.creator_fees=0", "merchants.b.budget.paid_traffic=0", "merchants.a.strategy.paid_traffic.daily=0", "merchants.b.strategy.paid_traffic.daily=0"},
		"no creators of a type": {"creators.generate.types={reach: 0.2, seeder: 0.2, trend_setter: 0.2, live_seller: 0.2, deal_hunter: 0.2, loyalty: 0}"},
		"one day":               {"horizon_days=1", "warmup_days=0", "campaigns.sv.window=[1, 1]", "campaigns.sv2.window=[1, 1]", "trends.mint.start_day=1", "trends.merada.start_day=1"},
		"one replication":       {"replications=1"},
		"enormous prices":       {"merchants.a.products.jacket.price=1e12", "merchants.b.products.serum.price=1e15"},
		"no creators":           {"creators.generate.count=0"},
		"tiny population":       {"population.users=1"},
	}
	for name, sets := range cases {
		t.Run(name, func(t *testing.T) {
			sc := testScenario(t, sets...)
			if name == "one day" {
				sc.Variants = nil
			}
			res := run(t, sc, 2)
			noNaN(t, name, res)
			if len(res.Variants[0].Reps) != sc.Replications {
				t.Fatalf("%d reps", len(res.Variants[0].Reps))
			}
		})
	}
}

// perturbations are the candidate new values of a field at v, in order:
// for integers double, half, +3, +1, −1, ×1.5, ×0.5 and 0.5; for others ×0.5,
// ×1.5, ±0.1 and 0.5.
func perturbations(v float64) []any {
	if v == math.Trunc(v) && math.Abs(v) < 1e6 {
		iv := int(v)
		return []any{iv * 2, iv / 2, iv + 3, iv + 1, iv - 1, float64(v) * 1.5, float64(v) * 0.5, 0.5}
	}
	return []any{v * 0.5, v * 1.5, v + 0.1, v - 0.1, 0.5}
}

// numericPaths lists the paths of the numeric leaves of a scenario, using
// the scenario language's path syntax (list elements by id, map keys).
func numericPaths(v reflect.Value, prefix string, out *[]string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			numericPaths(v.Elem(), prefix, out)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if !f.IsExported() || tag == "" || tag == "-" {
				continue
			}
			switch tag {
			case "variants", "optimize", "sweep", "replications":
				continue // not the engine's (replications: checked by the determinism tests)
			}
			numericPaths(v.Field(i), join(prefix, tag), out)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			e := v.Index(i)
			for e.Kind() == reflect.Pointer {
				e = e.Elem()
			}
			if e.Kind() == reflect.Struct {
				if id := e.FieldByName("ID"); id.IsValid() && id.String() != "" {
					numericPaths(e, join(prefix, id.String()), out)
				}
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			numericPaths(v.MapIndex(k), join(prefix, fmt.Sprint(k.Interface())), out)
		}
	case reflect.Float64, reflect.Int, reflect.Uint64:
		*out = append(*out, prefix)
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// moveShare returns a copy of base with 0.05 (at most half the sibling's
// value) moved from a sibling field to path, or nil when none stays valid.
func moveShare(base *scenarios.Scenario, path string, v float64, paths []string) *scenarios.Scenario {
	parent := path[:strings.LastIndex(path, ".")]
	field := path[strings.LastIndex(path, ".")+1:]
	for _, q := range paths {
		if q == path || !strings.Contains(q, ".") {
			continue
		}
		// Siblings: same parent (tiers.head/tiers.tail) or same field of a
		// sibling element (groups.gen_z.share/groups.urban_silver.share).
		qp, qf := q[:strings.LastIndex(q, ".")], q[strings.LastIndex(q, ".")+1:]
		gp := parent[:max(0, strings.LastIndex(parent, "."))]
		sameParent := qp == parent
		sameField := qf == field && strings.HasPrefix(qp, gp+".") && strings.Count(qp, ".") == strings.Count(parent, ".")
		if !sameParent && !sameField {
			continue
		}
		vq, err := scenarios.GetFloat(base, q)
		if err != nil || vq <= 0 {
			continue
		}
		d := math.Min(0.05, vq/2)
		c := scenarios.Clone(base)
		if scenarios.Set(c, path, v+d) != nil || scenarios.Set(c, q, vq-d) != nil || scenarios.Validate(c) != nil {
			continue
		}
		return c
	}
	return nil
}

// TestRoster: named roster creators come first, keep their own fee,
// commission and capacity, and roster entries contract them.
func TestRoster(t *testing.T) {
	sc := testScenario(t, "replications=1")
	sc.Variants = nil
	sc.Creators.RosterCreators = []scenarios.RosterCreator{
		{ID: "star", Type: "live_seller", Followers: 2e6, Quality: 0.9, LiveSkill: 0.9,
			Capacity: scenarios.FormatMap[float64]{ShortVideo: 2, Live: 3, Post: 1, Storefront: 5}, Fee: 5000, Commission: 0.25, ReservationIncome: 3000},
	}
	sc.Merchants[1].Strategy.Roster = []scenarios.RosterEntry{{Creator: "star", Stage: "any", Format: "live", Contract: "fee_cps", Posts: 2}}
	sc.Merchants[1].Budget.CreatorFees = 300000 // room for the star's fee after the matrix
	without := testScenario(t, "replications=1")
	without.Variants = nil
	a, b := run(t, sc, 2), run(t, without, 2)
	noNaN(t, "roster", a)
	ta, tb := a.Variants[0].Reps[0].Totals, b.Variants[0].Reps[0].Totals
	if ta["cooperations"] == 0 || tb["cooperations"] == 0 {
		t.Fatalf("no cooperations: %v, %v", ta["cooperations"], tb["cooperations"])
	}
	w := testWorld(t, sc)
	if err := w.run(context.Background(), 1, func() {}); err != nil {
		t.Fatal(err)
	}
	if !w.cEngaged[0] || w.cIncome[0] <= 0 {
		t.Fatalf("roster creator never contracted (engaged %v, income %v)", w.cEngaged[0], w.cIncome[0])
	}
	w = testWorld(t, sc)
	if !w.cRoster[0] || w.fee(0) != 5000 || w.cTier[0] != tierHead || w.cCap[fLive] != 3 {
		t.Fatalf("roster creator 0: fee %v tier %v cap %v", w.fee(0), w.cTier[0], w.cCap[fLive])
	}
}

func TestCancelAndProgress(t *testing.T) {
	sc := testScenario(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, sc, Options{Workers: 2}); err != context.Canceled {
		t.Fatalf("cancelled run: err %v", err)
	}
	var last, total int
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	_, err := Run(context.Background(), sc, Options{Workers: 2, Progress: func(d, n int) {
		<-mu
		last, total = max(last, d), n
		mu <- struct{}{}
	}})
	if err != nil || last != total || total != 2*sc.Replications*(sc.HorizonDays+sc.WarmupDays) {
		t.Fatalf("progress %d/%d, err %v", last, total, err)
	}
}

// testWorld compiles sc and builds the world of its baseline's
// replication 0.
func testWorld(tb testing.TB, sc *scenarios.Scenario) *world {
	tb.Helper()
	m, err := Compile(sc)
	if err != nil {
		tb.Fatal(err)
	}
	return newWorld(m.variants[0], 0)
}
