package optimize

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// TestTellRefusesNaN: every method refuses a NaN value, naming its index,
// and takes the same batch once the value is a number.
func TestTellRefusesNaN(t *testing.T) {
	space := Space{Dims: []Dim{{Lo: 0, Hi: 4, Integer: true}, {Lo: 0, Hi: 4, Integer: true}}}
	for _, name := range MethodNames() {
		m, err := New(name, space, Config{Seed: 1})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		xs, err := m.Ask()
		if err != nil || len(xs) == 0 {
			t.Fatalf("%s: Ask: %d candidates, %v", name, len(xs), err)
		}
		values := make([]float64, len(xs))
		values[len(xs)-1] = math.NaN()
		if err := m.Tell(values); err == nil || !strings.Contains(err.Error(), "value "+strconv.Itoa(len(xs)-1)+" is NaN") {
			t.Errorf("%s: Tell with a NaN: %v", name, err)
		}
		values[len(xs)-1] = 0
		if err := m.Tell(values); err != nil {
			t.Errorf("%s: Tell after the refusal: %v", name, err)
		}
	}
}
