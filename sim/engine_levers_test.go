package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

// taskYAML: one roster creator and one merchant posting a single Magpie
// Bridge task it alone can take (no generated creators). The task's fee is
// budget × (1 − ecommerce_share) = 10000 × 0.6 = 6000; on the first re-plan
// nothing has sold yet, so the expected commission is 0 and the creator's
// decision is fee vs reservation income.
const taskYAML = `
name: task-boundary
seed: 3
horizon_days: 3
replications: 1
population: {users: 500}
creators:
  roster: creators.csv
merchants:
  - id: m
    products: [{id: p, price: 100, margin: 0.5, refund_rate: 0}]
    budget: {creator_fees: 50000, paid_traffic: 50000}
    strategy:
      matrix:
        - {stage: any, type: seeder, tier: head, format: short_video, count: 1, contract: task, task: {budget: 10000, ecommerce_share: 0.4}}
`

func taskScenario(t *testing.T, reservation float64) *scenarios.Scenario {
	t.Helper()
	dir := t.TempDir()
	csv := "id,name,type,followers,quality,live_skill,short_video,live,post,storefront,fee,commission,reservation_income\n" +
		fmt.Sprintf("solo,独行,seeder,2000000,0.7,0.5,3,0,0,0,5000,0.2,%g\n", reservation)
	writeFile(t, dir+"/creators.csv", csv)
	writeFile(t, dir+"/task.yaml", taskYAML)
	sc, err := scenarios.Load(dir + "/task.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestEngineTaskAcceptance: in the engine (not only on the task board), a
// creator takes a task whose income is just above its reservation income
// and refuses one just below, which then stays unfilled.
func TestEngineTaskAcceptance(t *testing.T) {
	for _, c := range []struct {
		reservation      float64
		accepted, unfill float64
	}{
		{5999, 1, 0}, // fee 6000 beats 5999: accepts
		{6000, 1, 0}, // a tie accepts
		{6001, 0, 1}, // fee 6000 is short of 6001: refuses, the task is unfilled
	} {
		res, err := Run(context.Background(), taskScenario(t, c.reservation), Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		tot := res.Variants[0].Reps[0].Totals
		if tot["tasks_posted"] < 1 {
			t.Fatalf("reservation %g: no task posted: %v", c.reservation, tot["tasks_posted"])
		}
		if tot["tasks_accepted"] != c.accepted || tot["tasks_unfilled"] != c.unfill {
			t.Errorf("reservation %g: accepted %v unfilled %v, want %v and %v",
				c.reservation, tot["tasks_accepted"], tot["tasks_unfilled"], c.accepted, c.unfill)
		}
		if fees := tot["spend_creator_fees"]; (c.accepted == 1) != (fees > 0) {
			t.Errorf("reservation %g: creator fees %v with %v accepted", c.reservation, fees, c.accepted)
		}
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// linkYAML: merchant "linked" seeds with seed_harvest short videos and
// harvests with seed_harvest live rooms and its own live room; merchant
// "plain" has the same kinds of content on fee_cps contracts (its own live
// room is harvest content too, but nothing ever links a user to it).
// Short videos and storefronts (the merchants' own stores) convert nothing
// (format conversion 0: no a2→a3, a3→a4 or a4→a5), so every order of
// "linked" is placed in harvest content (live) and is a linked order
// exactly when the buyer is inside the window.
const linkYAML = `
name: linkage-engine
seed: 11
horizon_days: 28
replications: 1
scale: 1
population: {users: 4000}
platform:
  formats: {short_video: {conversion: 0}, storefront: {conversion: 0}}
creators:
  generate: {count: 400}
merchants:
  - id: linked
    products: [{id: p, price: 100, margin: 0.5, refund_rate: 0, stage: growth}]
    budget: {creator_fees: 1000000, paid_traffic: 0}
    live_room: {hours_per_day: 4, quality: 0.6}
    initial: {funnel: {a1: 0.2, a2: 0.2}}
    strategy:
      matrix:
        - {id: seed, type: seeder, tier: tail, format: short_video, count: 6, posts: 3, contract: seed_harvest}
        - {id: harvest, type: live_seller, tier: tail, format: live, count: 3, posts: 7, contract: seed_harvest}
  - id: plain
    products: [{id: q, price: 100, margin: 0.5, refund_rate: 0, stage: growth}]
    budget: {creator_fees: 1000000, paid_traffic: 0}
    live_room: {hours_per_day: 4, quality: 0.6}
    initial: {funnel: {a1: 0.2, a2: 0.2}}
    strategy:
      matrix:
        - {type: seeder, tier: tail, format: short_video, count: 6, posts: 3, contract: fee_cps}
        - {type: live_seller, tier: tail, format: live, count: 3, posts: 7, contract: fee_cps}
`

// stepWorld runs world w day by day on one worker, as world.run does,
// calling after(d, a) at the end of each day with the day's counts.
func stepWorld(w *world, after func(d int, a *accum)) {
	a := new(accum)
	for d := 0; d < w.T; d++ {
		w.beginDay(d)
		x := w.userContext()
		a.reset(w)
		for ci := range w.chunks {
			w.runChunk(&w.chunks[ci], a, &x)
		}
		w.countWork(a)
		w.endDay(d, a)
		after(d, a)
	}
}

// funnelDays returns the day codes of user i's last order from merchant m
// and last engagement with m's seeding content (0 = never): the one place
// the linkage test reads the engine's per-user × merchant state.
func funnelDays(w *world, i, m int) (order, link uint16) {
	f := &w.fun[i*w.M+m]
	return f.order, f.link
}

// TestEngineLinkageWindow: the engine applies Xingque linkage only to
// users who engaged with the merchant's seeding content inside the window
// (0 ≤ today − last seeding engagement < window_days), only in the
// merchant's own harvest content, and not at all without seed_harvest
// contracts. Per day, the engine's linked orders of "linked" must equal
// the number of its buyers that day whose last seeding engagement (the
// funnel's link day, read from the world) is inside the window, counted
// here independently of mechanisms.Linked; window 1 (same day only) makes
// an off-by-one at either end visible.
func TestEngineLinkageWindow(t *testing.T) {
	for _, window := range []int{1, 3, 7} {
		sc, err := scenarios.LoadBytes("link.yaml", []byte(linkYAML), fmt.Sprintf("platform.linkage.window_days=%d", window))
		if err != nil {
			t.Fatal(err)
		}
		if f := sc.Platform.Formats.ShortVideo; f.Conversion != 0 || f.Reach != 1 || f.LifetimeDays != 7 {
			t.Fatalf("short_video format %+v: want conversion 0 with the default reach and lifetime", f)
		}
		w := testWorld(t, sc)
		const linked, plain = 0, 1
		var engine, outside, plainLinks, plainLinked, stale int64
		stepWorld(w, func(d int, a *accum) {
			today := int(w.day.today)
			var byMerchant [2]int64
			for k := range w.day.items {
				it := &w.day.items[k]
				n := a.cnt[k*nCnt+cLinked]
				if n != 0 && (it.merchant < 0 || !it.harvest) {
					t.Fatalf("window %d day %d: %d linked orders in item %d (merchant %d, harvest %v)", window, d, n, k, it.merchant, it.harvest)
				}
				if it.merchant >= 0 {
					byMerchant[it.merchant] += n
				}
			}
			var inside int64
			for i := 0; i < w.U; i++ {
				order, link := funnelDays(w, i, linked)
				if _, pl := funnelDays(w, i, plain); pl != 0 {
					plainLinks++
				}
				if int(link) > today {
					stale++
				}
				if int(order) != today {
					continue
				}
				if gap := today - int(link); link != 0 && gap >= 0 && gap < window {
					inside++
				} else {
					outside++
				}
			}
			if byMerchant[linked] != inside {
				t.Errorf("window %d day %d: engine counts %d linked orders, but %d buyers engaged with the seeding content inside the window",
					window, d, byMerchant[linked], inside)
			}
			engine += byMerchant[linked]
			plainLinked += byMerchant[plain]
		})
		res := w.out.result()
		t.Logf("window %d: %d linked orders (%d orders by buyers outside the window); linked_gmv %.0f",
			window, engine, outside, res.Totals["linked_gmv"])
		if plainLinks != 0 || plainLinked != 0 {
			t.Errorf("window %d: merchant without seed_harvest has %d recorded seeding engagements and %d linked orders", window, plainLinks, plainLinked)
		}
		if stale != 0 {
			t.Errorf("window %d: %d seeding engagements recorded in the future", window, stale)
		}
		if engine == 0 || outside == 0 {
			t.Fatalf("window %d: the test needs linked orders and orders outside the window: %d and %d", window, engine, outside)
		}
		if got, wantT := res.Totals["linked_orders"], float64(engine)*sc.Scale; got != wantT {
			t.Errorf("window %d: linked_orders %v, want %v (%d agent orders × scale)", window, got, wantT, engine)
		}
		if got, wantT := res.Totals["linked_gmv"], float64(engine)*sc.Scale*100; math.Abs(got-wantT) > 1e-6*wantT {
			t.Errorf("window %d: linked_gmv %v, want %v", window, got, wantT)
		}
		// The stepping above is the engine's own: Run gives the same result.
		a, err1 := json.Marshal(run(t, sc, 1).Variants[0].Reps[0])
		b, err2 := json.Marshal(res)
		if err1 != nil || err2 != nil || string(a) != string(b) {
			t.Errorf("window %d: stepping the world by hand differs from Run (%v, %v)", window, err1, err2)
		}
	}
	// Linkage off (the same creators on fee_cps contracts), and seeding
	// with no harvest content (the live creators on fee_cps, no own live
	// room; users are linked but only non-harvest live content sells): no
	// linked orders, GMV or seeding credit at all.
	for _, c := range []struct {
		name string
		sets []string
	}{
		{"linkage off", []string{"merchants.linked.strategy.matrix.seed.contract=fee_cps", "merchants.linked.strategy.matrix.harvest.contract=fee_cps"}},
		{"no harvest content", []string{"merchants.linked.strategy.matrix.harvest.contract=fee_cps", "merchants.linked.live_room.hours_per_day=0"}},
	} {
		sc, err := scenarios.LoadBytes("link.yaml", []byte(linkYAML), c.sets...)
		if err != nil {
			t.Fatal(err)
		}
		tot := run(t, sc, 1).Variants[0].Reps[0].Totals
		for _, k := range []string{"linked_orders", "linked_gmv", "seeding_credit"} {
			if tot[k] != 0 {
				t.Errorf("%s: %s = %v, want exactly 0", c.name, k, tot[k])
			}
		}
		if !(tot["orders"] > 100) {
			t.Errorf("%s: too few orders for the test to mean anything: %v", c.name, tot["orders"])
		}
	}
}
