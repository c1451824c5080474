package reports

import (
	"testing"

	"github.com/startrend/startrend/sim"
)

// An interval never leaves the KPI's possible range (issue: "Orders 2.0
// [−0.88, 4.88]"); profit keeps its negative side.
func TestKPIIntervalsStayInRange(t *testing.T) {
	xs := []float64{0, 0, 0, 8, 2}
	orders := kpiFrom(sim.Metric{Name: "orders", Kind: sim.Sum}, xs, "CNY")
	if lo := float64(orders.CI95[0]); lo != 0 {
		t.Errorf("orders CI lower bound %v, want 0 (clipped)", lo)
	}
	if float64(orders.Mean) != 2 {
		t.Errorf("mean changed by clipping: %v", orders.Mean)
	}
	profit := kpiFrom(sim.Metric{Name: "profit", Kind: sim.Sum}, xs, "CNY")
	if lo := float64(profit.CI95[0]); !(lo < 0) {
		t.Errorf("profit CI lower bound %v, want the unclipped negative value", lo)
	}
	gini := kpiFrom(sim.Metric{Name: "creator_income_gini", Kind: sim.Stock}, []float64{0.9, 1, 0.95, 1, 0.99}, "")
	if hi := float64(gini.CI95[1]); hi > 1 {
		t.Errorf("gini CI upper bound %v > 1", hi)
	}
}

// Plain numbers: integers as integers, thousands separated, no exponent
// for everyday magnitudes.
func TestHumanNumbers(t *testing.T) {
	for v, want := range map[float64]string{6: "6", 1234567: "1,234,567", 0.12345: "0.1235", 2.5: "2.500", -42: "-42", 179400.4: "179,400"} {
		if got := human(v); got != want {
			t.Errorf("human(%v) = %q, want %q", v, got, want)
		}
	}
}
