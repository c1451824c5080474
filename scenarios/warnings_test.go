package scenarios

import (
	"strings"
	"testing"
)

func warningPaths(ws []Warning) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.String() + "\n")
	}
	return b.String()
}

// TestWarningsDefault: the default scenario's known silent no-ops are
// reported (Glow Beauty's and Crunchy Snacks' campaign fees, Xingque
// linkage without seeding content, matrix cells beyond their pools), each
// with the file position of the field.
func TestWarningsDefault(t *testing.T) {
	// Pinned by --set so that a later edit of the library file keeps the
	// test's premises: Crunchy Snacks eligible without a campaigns budget,
	// Spring Jacket's live seed_harvest entry without seeding content.
	sc, err := Load("default.yaml", "merchants.crunchy_snacks.budget.campaigns=0",
		"campaigns.super_value.eligible.merchants=[glow_beauty, crunchy_snacks]", liveHarvest,
		"merchants.spring_jacket.strategy.matrix.growth-reach-tail-short_video.contract=fee_cps")
	if err != nil {
		t.Fatal(err)
	}
	ws := Warnings(sc, CommandRun)
	text := warningPaths(ws)
	t.Log("\n" + text)
	for _, want := range []string{
		"campaigns.super_value.eligible.merchants: merchant crunchy_snacks cannot afford",
		"merchants.spring_jacket.strategy.matrix.growth-live_seller-waist-live.contract: seed_harvest live content harvests users linked",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing warning %q", want)
		}
	}
	for _, w := range ws {
		// The premises pinned by --set are positioned there.
		if (w.Pos.File != "default.yaml" && w.Pos.File != "--set") || w.Pos.Line == 0 {
			t.Errorf("%s: no file position", w)
		}
	}
}

// noSeed keeps the default scenario's premise that no merchant has
// seeding content, whatever the library file does later.
const noSeed = "merchants.spring_jacket.strategy.matrix.growth-reach-tail-short_video.contract=fee_cps"

// liveHarvest makes Spring Jacket's growth live cell a seed_harvest one
// (the library file books it as fee_cps since it has no seeding content).
const liveHarvest = "merchants.spring_jacket.strategy.matrix.growth-live_seller-waist-live.contract=seed_harvest"

// TestWarningsEach: each check fires on a scenario built to trigger it
// and stays silent when the cause is removed.
func TestWarningsEach(t *testing.T) {
	cases := []struct {
		name      string
		sets      []string
		want      string // a substring of some warning
		fixedSets []string
	}{
		{"campaign unaffordable", []string{"merchants.glow_beauty.budget.campaigns=5000"}, "merchant glow_beauty cannot afford", []string{"merchants.glow_beauty.budget.campaigns=50000"}},
		{"no eligible merchants", []string{"campaigns.super_value.eligible.merchants=[]"}, "no eligible merchants", nil},
		{"linkage without seeding", []string{"platform.linkage.window_days=5", noSeed}, "platform.linkage: no merchant has seed_harvest seeding", []string{"merchants.spring_jacket.strategy.matrix.growth-reach-tail-short_video.contract=seed_harvest"}},
		{"harvest without seeding", []string{noSeed, liveHarvest}, "growth-live_seller-waist-live.contract: seed_harvest live content harvests", []string{liveHarvest, "merchants.spring_jacket.strategy.matrix.growth-reach-tail-short_video.contract=seed_harvest"}},
		{"empty pool", []string{"creators.generate.tiers.waist=0", "creators.generate.tiers.koc=0.745"}, "no creator of type trend_setter and tier waist", nil},
		{"pool smaller than count", []string{"merchants.crunchy_snacks.strategy.matrix.any-reach-koc-short_video.count=5000"}, "exceeds the expected pool", nil},
		{"unaffordable cell", []string{"merchants.spring_jacket.budget.creator_fees=100"}, "no cooperation is affordable", nil},
		// The rate card k·followers^b at the tier's lowest follower count:
		// 0.05 × 100,000 = 5,000 for a waist creator.
		{"rate card at the tier's floor", []string{"merchants.spring_jacket.budget.creator_fees=4999", "creators.generate.rate_card.k=0.05", "creators.generate.rate_card.b=1", "creators.tier_thresholds.waist=100000"},
			"launch-trend_setter-waist-short_video: the cheapest waist creator's fee 5", []string{"merchants.spring_jacket.budget.creator_fees=5001"}},
		{"budget without strategy", []string{"merchants.crunchy_snacks.strategy.paid_traffic.daily=0"}, "the budget is never spent", nil},
		{"stage never reached", []string{"merchants.glow_beauty.strategy.matrix.any-seeder-waist-short_video.stage=launch"}, "never at stage launch", nil},
		{"unread block", []string{"sweep.parameters=[{path: seed, values: [1, 2]}]"}, "sweep: read only by a sweep", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, err := Load("default.yaml", c.sets...)
			if err != nil {
				t.Fatal(err)
			}
			text := warningPaths(Warnings(sc, CommandRun))
			if !strings.Contains(text, c.want) {
				t.Errorf("no warning %q in\n%s", c.want, text)
			}
			if c.fixedSets != nil {
				sc, err := Load("default.yaml", append(c.sets, c.fixedSets...)...)
				if err != nil {
					t.Fatal(err)
				}
				if text := warningPaths(Warnings(sc, CommandRun)); strings.Contains(text, c.want) {
					t.Errorf("warning %q stays after the fix", c.want)
				}
			}
		})
	}
}

// TestWarningsTaskPartners: a task cell is filled by the task board, not
// by the partner rule, so partners on it is reported as inert, and the
// incremental-authors run-out check (re-plans × count against the pool)
// is not applied to it.
func TestWarningsTaskPartners(t *testing.T) {
	const cell = "merchants.home_goods.strategy.matrix.task-koc"
	sc, err := Load("magpie-bridge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if text := warningPaths(Warnings(sc, CommandRun)); strings.Contains(text, cell+".partners") {
		t.Errorf("a task cell without partners is warned about:\n%s", text)
	}
	sc, err = Load("magpie-bridge.yaml", cell+".partners=new", cell+".count=100000")
	if err != nil {
		t.Fatal(err)
	}
	text := warningPaths(Warnings(sc, CommandRun))
	t.Log("\n" + text)
	if !strings.Contains(text, cell+".partners: partners: new has no effect on a task cell") {
		t.Errorf("no inert-partners warning for the task cell in\n%s", text)
	}
	if strings.Contains(text, "run out") {
		t.Errorf("the run-out rule is applied to a task cell:\n%s", text)
	}
}
