package reports

import (
	"math"
	"testing"
)

// Difference plots show at most maxEffects KPIs, clear effects first, each
// group by decreasing size, undefined ones left out (issue: 68 rotated,
// overlapping labels in 864 px).
func TestTopEffects(t *testing.T) {
	var es []effect
	for i := range 40 {
		m := float64(i) - 20
		es = append(es, effect{Label: string(rune('A' + i)), Mean: m, Lo: m - 3, Hi: m + 3, Clear: math.Abs(m) > 3})
	}
	es = append(es, effect{Label: "nan", Mean: math.NaN()})
	kept, dropped := topEffects(es, maxEffects)
	if len(kept) != maxEffects || dropped != 40-maxEffects {
		t.Fatalf("kept %d dropped %d", len(kept), dropped)
	}
	for i := 1; i < len(kept); i++ {
		a, b := kept[i-1], kept[i]
		if a.Clear == b.Clear && math.Abs(a.Mean) < math.Abs(b.Mean) {
			t.Errorf("not sorted by size at %d: %v then %v", i, a.Mean, b.Mean)
		}
		if !a.Clear && b.Clear {
			t.Errorf("unclear %v before clear %v", a.Mean, b.Mean)
		}
	}
	if math.Abs(kept[0].Mean) != 20 {
		t.Errorf("largest effect first: got %v", kept[0].Mean)
	}
	few, _ := topEffects([]effect{{Label: "x", Mean: 1, Clear: false}, {Label: "y", Mean: -0.5, Clear: true}}, maxEffects)
	if few[0].Label != "y" {
		t.Errorf("a clear effect goes before an unclear larger one: %+v", few)
	}
}
