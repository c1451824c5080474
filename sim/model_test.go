package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/stats"
)

// An invalid scenario cannot run: Run returns the validation error instead
// of simulating an empty world (which used to return GMV 0).
func TestRunRefusesInvalidScenario(t *testing.T) {
	res, err := Run(context.Background(), &scenarios.Scenario{Name: "x", HorizonDays: 5, Replications: 1}, Options{})
	if err == nil {
		t.Fatalf("Run of an empty scenario returned no error (GMV %v)", res.Variants[0].Reps[0].Totals[KPIGMV])
	}
	if !strings.Contains(err.Error(), "merchant") {
		t.Errorf("error does not say what is missing: %v", err)
	}
	if _, err := RunModel(context.Background(), nil, Options{}); err == nil {
		t.Error("RunModel(nil) returned no error")
	}
}

// The compile step refuses what the engine does not know instead of mapping
// it to a default (an unknown contract kind used to run as fee_cps). The
// variant is compiled directly, as validation would already refuse these.
func TestCompileRefusesUnknownEnums(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		set        func(sc *scenarios.Scenario)
	}{
		{"contract", `contract: unknown contract kind (got "fee_cpx"`, func(sc *scenarios.Scenario) { sc.Merchants[0].Strategy.Matrix[0].Contract = "fee_cpx" }},
		{"tier", `tier: unknown tier (got "giant"`, func(sc *scenarios.Scenario) { sc.Merchants[0].Strategy.Matrix[0].Tier = "giant" }},
		{"type", `type: unknown creator type (got "robot"`, func(sc *scenarios.Scenario) { sc.Merchants[0].Strategy.Matrix[0].Type = "robot" }},
		{"pacing", `pacing: unknown pacing (got "later"`, func(sc *scenarios.Scenario) { sc.Merchants[0].Budget.Pacing = "later" }},
		{"product", `product: unknown product of`, func(sc *scenarios.Scenario) { sc.Merchants[0].Strategy.Matrix[0].Product = "nope" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := scenarios.Default("replications=1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := compileVariant(sc, "baseline", ""); err != nil {
				t.Fatalf("the default scenario does not compile: %v", err)
			}
			tc.set(sc)
			_, err = compileVariant(sc, "baseline", "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if _, err := Compile(sc); err == nil {
				t.Fatal("Compile accepted it")
			}
		})
	}
}

// MeanFee is the engine's fee model: with generated creators it matches the
// mean rate-card fee of the creators a world draws, tier by tier.
func TestMeanFeeMatchesDrawnCreators(t *testing.T) {
	sc, err := scenarios.Default("replications=1", "creators.generate.count=100000")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(sc)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(m.variants[0], 0)
	for ti, tier := range scenarios.Tiers() {
		var fees []float64
		for c := 0; c < w.C; c++ {
			if !w.cRoster[c] && int(w.tierOf(w.cFollowers[c])) == ti {
				fees = append(fees, w.fee(int32(c)))
			}
		}
		want, err := m.MeanFee(tier, "")
		if err != nil {
			t.Fatal(err)
		}
		e := stats.MeanCI(fees, stats.DefaultLevel)
		if e.N < 100 {
			t.Fatalf("%s: only %d creators drawn", tier, e.N)
		}
		if math.Abs(e.Mean-want) > 4*e.SE {
			t.Errorf("%s: drawn creators' mean fee %.4g ± %.2g (SE, %d creators), MeanFee %.4g", tier, e.Mean, e.SE, e.N, want)
		}
	}
	if _, err := m.MeanFee("giant", ""); err == nil {
		t.Error("MeanFee of an unknown tier returned no error")
	}
}

// What the campaign table cannot index is a compile error, not a panic
// inside a run: more than 126 creator types with a campaign.
func TestCompileRefusesUnindexableCampaigns(t *testing.T) {
	sc, err := scenarios.Default("replications=1")
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Campaigns) == 0 {
		t.Fatal("the default scenario has no campaign: give this test one")
	}
	for i := len(sc.CreatorTypes); i < 130; i++ {
		ct := sc.CreatorTypes[0]
		ct.ID = fmt.Sprintf("extra%d", i)
		sc.CreatorTypes = append(sc.CreatorTypes, ct)
	}
	_, err = Compile(sc)
	if err == nil || !strings.Contains(err.Error(), "types") {
		t.Fatalf("got %v, want the campaign table's refusal of 130 creator types", err)
	}
}

// A Result stays JSON: an undefined breakdown value (roi of a key with no
// spend) is null and reads back as NaN.
func TestBreakdownRowJSON(t *testing.T) {
	in := []BreakdownRow{{"merchant", "a", KPIROI, math.NaN()}, {"merchant", "a", KPIGMV, 2.5}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"Dimension":"merchant","Key":"a","Metric":"roi","Value":null},{"Dimension":"merchant","Key":"a","Metric":"gmv","Value":2.5}]`; string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	var out []BreakdownRow
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || !math.IsNaN(out[0].Value) || out[1] != in[1] {
		t.Fatalf("read back %+v", out)
	}
}
