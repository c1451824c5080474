package mechanisms

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestLinked(t *testing.T) {
	cases := []struct {
		seed, today, window int
		want                bool
	}{
		{10, 10, 7, true}, // engagement day counts
		{10, 16, 7, true}, // sixth day after
		{10, 17, 7, false},
		{10, 9, 7, false}, // not before engaging
		{10, 10, 0, false},
		{10, 10, 1, true},
		{10, 11, 1, false},
		{-3, 2, 7, true}, // warm-up days
	}
	for _, c := range cases {
		if got := Linked(c.seed, c.today, c.window); got != c.want {
			t.Errorf("Linked(%d, %d, %d) = %v, want %v", c.seed, c.today, c.window, got, c.want)
		}
	}
}

// TestLinkageLiftsOnlyEngagedInWindow: linkage lifts only users who engaged
// inside the window — exposure and conversion multipliers are 1 for users
// whose last engagement is too old or in the future.
func TestLinkageLiftsOnlyEngagedInWindow(t *testing.T) {
	r := LinkageRules{WindowDays: 7, ExposureBoost: 3, ConversionUplift: 0.5, SeedingCredit: 0.3}
	for _, c := range []struct {
		last, today int
		linked      bool
	}{
		{5, 4, false}, {5, 5, true}, {5, 11, true}, {5, 12, false}, {-2, 4, true}, {-2, 5, false},
	} {
		linked := Linked(c.last, c.today, r.WindowDays)
		if linked != c.linked {
			t.Errorf("last %d day %d: linked %v, want %v", c.last, c.today, linked, c.linked)
		}
		wantE, wantC := 1.0, 1.0
		if c.linked {
			wantE, wantC = 3, 1.5
		}
		if e, cv := r.ExposureMultiplier(linked), r.ConversionMultiplier(linked); e != wantE || cv != wantC {
			t.Errorf("last %d day %d: multipliers %v, %v, want %v, %v", c.last, c.today, e, cv, wantE, wantC)
		}
	}
}

// TestSplitCreditSumsExactly: attribution parts sum exactly to the order
// value (float64 ==, no tolerance) over a million random values and shares,
// and each part is within 1 ulp-scale of value × share.
func TestSplitCreditSumsExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for i := range 1_000_000 {
		v := math.Exp(r.Float64()*40-20) * float64(1-2*(i%2))
		if i%7 == 0 {
			v = math.Round(r.Float64()*100000) / 100 // prices in cents
		}
		share := r.Float64()
		switch i % 11 {
		case 0:
			share = 0
		case 1:
			share = 1
		case 2:
			share = 0.3
		}
		s, h := SplitCredit(v, share)
		if s+h != v {
			t.Fatalf("SplitCredit(%v, %v) = %v + %v = %v", v, share, s, h, s+h)
		}
		if math.Abs(s-v*share) > 4e-16*math.Abs(v) {
			t.Fatalf("SplitCredit(%v, %v): seeding %v, want ≈ %v", v, share, s, v*share)
		}
	}
	if s, h := SplitCredit(299, 1.5); s != 299 || h != 0 {
		t.Errorf("share clamps to 1: %v %v", s, h)
	}
	if s, h := SplitCredit(299, -1); s != 0 || h != 299 {
		t.Errorf("share clamps to 0: %v %v", s, h)
	}
	if s, h := (LinkageRules{SeedingCredit: 0.3}).Split(100); s != 30 || h != 70 {
		t.Errorf("Split(100) = %v, %v", s, h)
	}
}
