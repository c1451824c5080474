package reports

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/startrend/startrend/sim"
)

// inertSweep builds a sweep of two parameters a and b over the given
// points, whose one output is mean(a, b).
func inertSweep(coords [][2]float64, mean func(a, b float64) float64) *sweepDir {
	sd := &sweepDir{}
	sd.Columns = make([]struct {
		Name       string   `json:"name"`
		Kind       string   `json:"kind"`
		Categories []string `json:"categories"`
	}, 2)
	sd.Columns[0].Name, sd.Columns[1].Name = "a", "b"
	for _, c := range coords {
		fa, fb := strconv.FormatFloat(c[0], 'g', -1, 64), strconv.FormatFloat(c[1], 'g', -1, 64)
		sd.points = append(sd.points, sweepPoint{labels: []string{fa, fb}, x: []float64{c[0], c[1]},
			est: map[string]sim.Estimate{"baseline\x00gmv": {N: 2, Mean: mean(c[0], c[1])}, "off\x00roi": {N: 2, Mean: math.NaN()}}})
	}
	return sd
}

// A parameter is reported inert exactly when the points that differ only
// in it have the same means: on a grid where b does not act, b and not a;
// where both act, neither; on a design whose points never share the other
// coordinate, neither (nothing was compared). The undefined ROI of an arm
// without spend (NaN at every point) does not count as a change.
func TestInertParameters(t *testing.T) {
	grid := [][2]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 0}, {2, 1}}
	if got := inertParameters(inertSweep(grid, func(a, b float64) float64 { return 10 * a })); !slices.Equal(got, []string{"b"}) {
		t.Errorf("b inert on a grid: got %v, want [b]", got)
	}
	if got := inertParameters(inertSweep(grid, func(a, b float64) float64 { return 10*a + b })); len(got) != 0 {
		t.Errorf("both act: got %v, want none", got)
	}
	// b acts at one value of a only: it is not inert.
	if got := inertParameters(inertSweep(grid, func(a, b float64) float64 { return 10*a + b*a*(a-1) })); len(got) != 0 {
		t.Errorf("b acts where a = 2: got %v, want none", got)
	}
	lhs := [][2]float64{{0, 0.3}, {1, 0.7}, {2, 0.1}}
	if got := inertParameters(inertSweep(lhs, func(a, b float64) float64 { return 1 })); len(got) != 0 {
		t.Errorf("no two points share a coordinate: got %v, want none", got)
	}
}
