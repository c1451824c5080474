package mechanisms

import (
	"math"
	"testing"
)

// The effective weight W·Factor(W) rises with W, by less for each extra
// unit (concave), and never exceeds Half; Half 0 leaves weights alone.
func TestSaturationConcave(t *testing.T) {
	s := Saturation{Half: 10}
	prev, prevGain := 0.0, math.Inf(1)
	for W := 1.0; W <= 1000; W++ {
		eff := W * s.Factor(W)
		gain := eff - prev
		if !(gain > 0) || !(gain < prevGain) || eff >= s.Half {
			t.Fatalf("W=%g: effective %g, gain %g after %g (want rising, concave, below %g)", W, eff, gain, prevGain, s.Half)
		}
		prev, prevGain = eff, gain
	}
	if f := s.Factor(10); math.Abs(f-0.5) > 1e-15 {
		t.Errorf("Factor(Half) = %g, want 0.5", f)
	}
	if f := (Saturation{}).Factor(5); f != 1 {
		t.Errorf("disabled saturation: factor %g, want 1", f)
	}
}
