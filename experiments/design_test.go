package experiments

import (
	"fmt"
	"slices"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

func testSpace(t *testing.T, sweep string) (*scenarios.Scenario, *Space) {
	t.Helper()
	sc, err := scenarios.Load("testdata/tiny-sweep.yaml", "sweep="+sweep)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := NewSpace(sc, sc.Sweep.Parameters)
	if err != nil {
		t.Fatal(err)
	}
	return sc, sp
}

func points(d Design) [][]float64 {
	out := make([][]float64, d.Len())
	for i := range out {
		out[i] = make([]float64, d.Dims())
		d.Point(i, out[i])
	}
	return out
}

// A grid varies the last parameter fastest; step ranges end at max, whole
// fields get whole values and categories are indices.
func TestGridOrderAndValues(t *testing.T) {
	_, sp := testSpace(t, `{design: grid, parameters: [{path: campaigns.deal.discount, min: 0, max: 0.3, step: 0.1},
		{path: merchants.shop.strategy.matrix.0.count, min: 1, max: 5, levels: 3}, {path: merchants.shop.budget.pacing, values: [even, front_loaded]}]}`)
	if k := sp.Dims[1].Kind; k != KindWhole {
		t.Errorf("count is %s, want whole", k)
	}
	g, err := Grid(sp)
	if err != nil {
		t.Fatal(err)
	}
	ps := points(g)
	if len(ps) != 4*3*2 {
		t.Fatalf("%d points, want 24", len(ps))
	}
	if fmt.Sprint(ps[0], ps[1], ps[2], ps[23]) != "[0 1 0] [0 1 1] [0 3 0] [0.3 5 1]" {
		t.Errorf("grid starts %v %v %v, ends %v", ps[0], ps[1], ps[2], ps[23])
	}
	if got := sp.Dims[0].Grid; fmt.Sprint(got) != "[0 0.1 0.2 0.3]" {
		t.Errorf("step grid %v, want [0 0.1 0.2 0.3] (tidied, max included)", got)
	}
	if l := sp.Dims[2].Label(1); l != "front_loaded" {
		t.Errorf("category 1 is %q", l)
	}
}

// A Latin hypercube puts exactly one point in each of the n strata of each
// parameter; whole parameters stay whole and within bounds.
func TestLatinHypercubeStratifies(t *testing.T) {
	const n = 50
	_, sp := testSpace(t, `{design: lhs, points: 50, parameters: [{path: campaigns.deal.discount, min: 0, max: 0.5},
		{path: merchants.shop.strategy.paid_traffic.daily, min: 100, max: 600}, {path: merchants.shop.strategy.matrix.0.count, min: 0, max: 49}]}`)
	d := LatinHypercube(sp, n, 7)
	ps := points(d)
	for j, dim := range sp.Dims[:2] {
		seen := make([]bool, n)
		for _, p := range ps {
			k := int((p[j] - dim.Min) / (dim.Max - dim.Min) * n)
			if seen[k] {
				t.Fatalf("%s: stratum %d holds two points", dim.Path, k)
			}
			seen[k] = true
		}
	}
	var counts []float64
	for _, p := range ps {
		counts = append(counts, p[2])
	}
	slices.Sort(counts)
	for i, c := range counts {
		if c != float64(i) {
			t.Fatalf("whole parameter 0…49 over 50 strata: sorted values %v", counts)
		}
	}
	// Deterministic: the same seed gives the same points.
	if fmt.Sprint(points(LatinHypercube(sp, n, 7))) != fmt.Sprint(ps) {
		t.Error("LHS not reproducible")
	}
}

// Random designs: point i does not depend on the number of points; values
// in bounds; categories drawn from the list.
func TestRandomAndSobolDesigns(t *testing.T) {
	sc, sp := testSpace(t, `{design: random, points: 20, parameters: [{path: campaigns.deal.discount, min: 0.1, max: 0.2},
		{path: merchants.shop.budget.pacing, values: [even, front_loaded, by_stage]}]}`)
	a, b := points(Random(sp, 20, 3)), points(Random(sp, 40, 3))
	if fmt.Sprint(a) != fmt.Sprint(b[:20]) {
		t.Error("random point i depends on the number of points")
	}
	cats := map[float64]bool{}
	for _, p := range b {
		if p[0] < 0.1 || p[0] > 0.2 {
			t.Errorf("discount %v outside [0.1, 0.2]", p[0])
		}
		cats[p[1]] = true
	}
	if len(cats) != 3 {
		t.Errorf("40 random points drew categories %v, want all 3", cats)
	}
	sc.Sweep.Design, sc.Sweep.Points = "sobol", 8
	sw, err := NewSweeper(sc)
	if err != nil {
		t.Fatal(err)
	}
	d, err := sw.Design()
	if err != nil {
		t.Fatal(err)
	}
	ps := points(d)
	// The first 8 Sobol points put one point in each eighth of [0.1, 0.2].
	seen := map[int]bool{}
	for _, p := range ps {
		seen[int((p[0]-0.1)/0.1*8+1e-9)] = true
	}
	if len(seen) != 8 || ps[0][0] != 0.1 {
		t.Errorf("sobol points %v: eighths %v", ps, seen)
	}
}
