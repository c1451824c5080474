package reports

import (
	"strings"
	"testing"

	"github.com/startrend/startrend/stats"
	"github.com/startrend/startrend/strategy"
)

func convergence(best ...float64) []strategy.ConvergencePoint {
	var c []strategy.ConvergencePoint
	for i, b := range best {
		c = append(c, strategy.ConvergencePoint{Runs: 10 * (i + 1), Best: stats.Float(b)})
	}
	return c
}

// Issue 16: an optimisation report flags a chosen decision at its bound and
// a search still improving when its budget ended — and flags nothing when
// neither holds.
func TestOptimizeReportFlags(t *testing.T) {
	decisions := []strategy.Decided{
		{Path: "merchants.m.budget.paid_traffic", Label: "budget.paid_traffic", Min: 0, Max: 200000},
		{Path: "merchants.m.strategy.matrix.a.count", Label: "matrix.a.count", Min: 0, Max: 12, Integer: true},
		{Path: "merchants.m.budget.campaigns", Label: "budget.campaigns", Min: 0, Max: 5000},
		{Path: "merchants.m.live_room.hours_per_day", Label: "live_room.hours_per_day", Min: 2, Max: 2, Fixed: true},
	}
	out := &strategy.Outcome{Complete: true, Merchant: "m", Objective: "gmv", Maximize: true, Decisions: decisions,
		Best: &strategy.Candidate{Label: "cma-es #7", Decision: map[string]float64{
			"merchants.m.budget.paid_traffic": 199500, "merchants.m.strategy.matrix.a.count": 0,
			"merchants.m.budget.campaigns": 2500, "merchants.m.live_room.hours_per_day": 2}},
		Search: &strategy.PhaseResult{Convergence: convergence(1e6, 2e6, 2.5e6, 2.6e6, 2.8e6, 4e6, 7e6)}}
	md := string(optimizeMarkdown(out, nil))
	html, err := optimizeHTML(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"budget.paid\\_traffic is at its upper bound (199,500, allowed 0 … 200,000)",
		"matrix.a.count is at its lower bound (0, allowed 0 … 12)",
		"still improving when its budget ended: its best gmv went from 2,800,000 to 7,000,000",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	// One scope per row, labelled: the merchant's own KPIs (profit
	// included), and the objective row says what it maximises.
	for _, want := range []string{"| GMV (merchant m) |", "| Profit (merchant m) |", "| ROI (merchant m) |", "| **objective: gmv (race mean [CI])** |"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks the row %q", want)
		}
	}
	// Under min_roi the objective row says it is penalised.
	out.MinROI = 1.5
	if l := objectiveRowLabel(out); !strings.Contains(l, "penalised below ROI 1.5") {
		t.Errorf("objective row under min_roi: %q", l)
	}
	out.MinROI = 0
	if !strings.Contains(string(html), `id="optimize-flags"`) || !strings.Contains(string(html), "at its upper bound") {
		t.Errorf("report.html lacks the flags")
	}
	for _, not := range []string{"budget.campaigns is at", "hours\\_per\\_day is at"} {
		if strings.Contains(md, not) {
			t.Errorf("report.md flags %q", not)
		}
	}
	// Inside the bounds, levelled off: no flags.
	out.Best.Decision["merchants.m.budget.paid_traffic"] = 150000
	out.Best.Decision["merchants.m.strategy.matrix.a.count"] = 1
	out.Search.Convergence = convergence(1e6, 5e6, 6.9e6, 6.95e6, 6.98e6, 7e6, 7e6)
	if md := string(optimizeMarkdown(out, nil)); strings.Contains(md, "Flags") {
		t.Errorf("flags without cause:\n%s", md)
	}
	// Minimising: a value still falling is still improving.
	out.Maximize = false
	out.Search.Convergence = convergence(9, 8, 7.5, 7.4, 7.3, 5, 3)
	if md := string(optimizeMarkdown(out, nil)); !strings.Contains(md, "still improving") {
		t.Errorf("a falling minimised objective not flagged:\n%s", md)
	}
}
