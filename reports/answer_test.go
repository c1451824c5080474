package reports

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

// answerResult builds a result whose merchant "m1" has, in variant v and
// replication r, GMV gmv[v][r] and spend spend[v]; the market totals equal
// the merchant's.
func answerResult(gmv [][]float64, spend []float64) *sim.Result {
	res := &sim.Result{Scenario: "q", Replications: len(gmv[0]), Currency: "CNY", Metrics: synthMetrics}
	for v := range gmv {
		name := "baseline"
		if v > 0 {
			name = "v" + string(rune('0'+v))
		}
		vr := sim.VariantResult{Name: name}
		for r := range gmv[v] {
			g, s := gmv[v][r], spend[v]
			vr.Reps = append(vr.Reps, sim.RepResult{
				Totals: map[string]float64{"gmv": g, "spend": s, "orders": g / 100},
				Breakdown: []sim.BreakdownRow{
					{Dimension: "merchant", Key: "m1", Metric: "gmv", Value: g},
					{Dimension: "merchant", Key: "m1", Metric: "spend", Value: s},
					{Dimension: "merchant", Key: "m1", Metric: "orders", Value: g / 100},
					{Dimension: "merchant", Key: "m1", Metric: "roi", Value: stats.ROI(g, s)},
				},
			})
		}
		res.Variants = append(res.Variants, vr)
	}
	return res
}

func scenarioWithQuestion(extra string) []byte {
	return []byte("merchants:\n  - id: m1\n    name: Merchant One\n  - id: m2\nquestion:\n  merchant: m1\n  objective: gmv\n" + extra)
}

// noisy returns n replications of mean·(1+effect) with common noise.
func noisy(seed uint64, n int, mean, effect, own float64) []float64 {
	out := make([]float64, n)
	rc := rand.New(rand.NewPCG(seed, 0)) // common to every variant
	ro := rand.New(rand.NewPCG(seed, uint64(effect*1e6)+1))
	for i := range out {
		out[i] = mean * (1 + effect) * (1 + 0.05*rc.NormFloat64() + own*ro.NormFloat64())
	}
	return out
}

func TestRecommendClearWinner(t *testing.T) {
	gmv := [][]float64{noisy(1, 10, 1e6, 0, 0.005), noisy(1, 10, 1e6, 0.10, 0.005), noisy(1, 10, 1e6, 0.03, 0.005)}
	s, err := BuildSummary(answerResult(gmv, []float64{1e5, 1e5, 1e5}), scenarioWithQuestion(""), "")
	if err != nil {
		t.Fatal(err)
	}
	r := s.Recommendation
	if r == nil || !r.Decided || r.Winner != "v1" {
		t.Fatalf("want v1 decided, got %+v", r)
	}
	if r.ScopeName != "Merchant One" || !strings.Contains(r.Text, "v1") || !strings.Contains(r.Text, "Holm") {
		t.Errorf("text/scope: %q %q", r.ScopeName, r.Text)
	}
	for _, c := range r.Candidates {
		if c.Variant == r.Winner {
			continue
		}
		if c.VsBest == nil || !(float64(c.VsBest.Diff.CI95[0]) > 0) || !(float64(c.PHolm) < 0.05) {
			t.Errorf("decided but %s is not separated: %+v", c.Variant, c)
		}
	}
	if len(s.Merchants) != 1 || s.Merchants[0].ID != "m1" || len(s.Merchants[0].Variants) != 2 {
		t.Fatalf("merchants: %+v", s.Merchants)
	}
	want := stats.MeanCI(gmv[0], 0.95).Mean
	if got := float64(s.Merchants[0].KPIs["gmv"].Mean); math.Abs(got-want) > 1e-6*want {
		t.Errorf("merchant baseline GMV %v, want %v", got, want)
	}
	if d := s.Merchants[0].Variants[0].VsBaseline["gmv"]; !(float64(d.Pct.Mean) > 9 && float64(d.Pct.Mean) < 11) {
		t.Errorf("v1 vs baseline %% = %v, want ≈ +10", d.Pct.Mean)
	}
}

func TestRecommendNoClearDifference(t *testing.T) {
	gmv := [][]float64{noisy(2, 10, 1e6, 0, 0.05), noisy(2, 10, 1e6, 0.001, 0.05)}
	s, err := BuildSummary(answerResult(gmv, []float64{1e5, 1e5}), scenarioWithQuestion(""), "")
	if err != nil {
		t.Fatal(err)
	}
	r := s.Recommendation
	if r.Decided || r.Winner != "" || !strings.Contains(r.Text, "no clear difference at 95%") {
		t.Errorf("want undecided, got decided=%v winner=%q %q", r.Decided, r.Winner, r.Text)
	}
}

// min_roi makes a variant inadmissible: the best admissible one is chosen.
func TestRecommendMinROI(t *testing.T) {
	gmv := [][]float64{noisy(3, 10, 1e6, 0, 0.005), noisy(3, 10, 1e6, 0.2, 0.005)}
	s, err := BuildSummary(answerResult(gmv, []float64{1e5, 1e6}), scenarioWithQuestion("  min_roi: 2\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	r := s.Recommendation
	if r.Best != "baseline" || r.Candidates[1].Admissible {
		t.Errorf("v1 (ROI 1.2) should be inadmissible under min_roi 2: best %q, %+v", r.Best, r.Candidates[1])
	}
}

// Holm's correction matters: a family where every raw p-value is below
// 0.05 but the smallest is above 0.025 is not decided (two comparisons).
// Without the correction this case would be recommended.
func TestRecommendHolmCorrection(t *testing.T) {
	found := 0
	for seed := uint64(1); seed < 4000 && found < 3; seed++ {
		gmv := [][]float64{noisy(seed, 6, 1e6, 0, 0.02), noisy(seed, 6, 1e6, 0.025, 0.02), noisy(seed, 6, 1e6, 0.022, 0.02)}
		s, err := BuildSummary(answerResult(gmv, []float64{1e5, 1e5, 1e5}), scenarioWithQuestion(""), "")
		if err != nil {
			t.Fatal(err)
		}
		r := s.Recommendation
		var raw []float64
		for _, c := range r.Candidates {
			if c.VsBest != nil {
				raw = append(raw, float64(c.P))
			}
		}
		if len(raw) != 2 {
			continue
		}
		if min(raw[0], raw[1]) > 0.025 && max(raw[0], raw[1]) < 0.05 {
			found++
			if r.Decided {
				t.Errorf("seed %d: raw p %v, decided without Holm's correction", seed, raw)
			}
		}
		// The invariant in every case: decided ⇒ every interval excludes 0.
		if r.Decided {
			for _, c := range r.Candidates {
				if c.VsBest != nil && !(float64(c.VsBest.Diff.CI95[0]) > 0) {
					t.Errorf("seed %d: decided with an interval including 0: %+v", seed, c.VsBest)
				}
			}
		}
	}
	if found == 0 {
		t.Fatal("no family with raw p-values in (0.025, 0.05) found: the test did not test")
	}
}

func TestNoQuestionNoRecommendation(t *testing.T) {
	gmv := [][]float64{noisy(1, 4, 1e6, 0, 0.01)}
	s, err := BuildSummary(answerResult(gmv, []float64{1e5}), []byte("merchants:\n  - id: m1\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Recommendation != nil || len(s.Merchants) != 1 {
		t.Errorf("recommendation %+v, merchants %d", s.Recommendation, len(s.Merchants))
	}
}
