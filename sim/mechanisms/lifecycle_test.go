package mechanisms

import (
	"math"
	"testing"
)

func TestBassFClosedForm(t *testing.T) {
	for _, pq := range [][2]float64{{0.01, 0.12}, {0.03, 0.38}, {0.002, 0.5}, {0.1, 0.05}, {0.05, 0.05}} {
		p, q := pq[0], pq[1]
		for _, tt := range []float64{0, 0.5, 1, 3, 10, 30, 100, 1000} {
			e := math.Exp(-(p + q) * tt)
			want := (1 - e) / (1 + q/p*e)
			if got := BassF(p, q, tt); math.Abs(got-want) > 1e-12 {
				t.Errorf("BassF(%v,%v,%v) = %v, want %v", p, q, tt, got, want)
			}
		}
		// The ODE: central difference of F matches (1−F)(p+qF).
		for _, tt := range []float64{1, 5, 20, 40} {
			const h = 1e-4
			d := (BassF(p, q, tt+h) - BassF(p, q, tt-h)) / (2 * h)
			if r := BassRate(p, q, BassF(p, q, tt)); math.Abs(d-r) > 1e-7 {
				t.Errorf("p=%v q=%v t=%v: dF/dt %v, rate %v", p, q, tt, d, r)
			}
		}
		// Inverse and restart: BassFFrom(f0, t) = BassF(BassTime(f0) + t).
		for _, f0 := range []float64{0, 0.05, 0.3, 0.8} {
			t0 := BassTime(p, q, f0)
			if got := BassF(p, q, t0); math.Abs(got-f0) > 1e-12 {
				t.Errorf("BassF(BassTime(%v)) = %v", f0, got)
			}
			for _, tt := range []float64{0, 1, 7, 50} {
				if a, b := BassFFrom(p, q, f0, tt), BassF(p, q, t0+tt); math.Abs(a-b) > 1e-12 {
					t.Errorf("p=%v q=%v f0=%v t=%v: from %v, shifted %v", p, q, f0, tt, a, b)
				}
			}
		}
	}
	// p = 0: the logistic from f0; p = q = 0: constant.
	for _, tt := range []float64{0, 2, 10, 40} {
		want := 1 / (1 + (1-0.05)/0.05*math.Exp(-0.3*tt))
		if got := BassFFrom(0, 0.3, 0.05, tt); math.Abs(got-want) > 1e-12 {
			t.Errorf("logistic t=%v: %v want %v", tt, got, want)
		}
	}
	if BassFFrom(0, 0.3, 0, 50) != 0 || BassFFrom(0, 0, 0.4, 50) != 0.4 || BassFFrom(0.01, 0.1, 1, 3) != 1 {
		t.Error("degenerate curves wrong")
	}
}

func TestBassPeak(t *testing.T) {
	for _, pq := range [][2]float64{{0.01, 0.12}, {0.03, 0.38}, {0.002, 0.5}} {
		p, q := pq[0], pq[1]
		ts := BassPeakTime(p, q)
		if f := BassF(p, q, ts); math.Abs(f-BassPeakF(p, q)) > 1e-12 {
			t.Errorf("p=%v q=%v: F(t*) = %v, BassPeakF = %v", p, q, f, BassPeakF(p, q))
		}
		// The rate is maximal at t*.
		r := BassRate(p, q, BassF(p, q, ts))
		for _, d := range []float64{-0.5, 0.5} {
			if BassRate(p, q, BassF(p, q, ts+d)) >= r {
				t.Errorf("p=%v q=%v: rate at t*%+v not below the peak", p, q, d)
			}
		}
	}
	if BassPeakF(0.1, 0.05) != 0 || BassPeakTime(0.1, 0.05) != 0 || BassPeakF(0.1, 0.1) != 0 {
		t.Error("q ≤ p must have no peak")
	}
}

func TestStageOf(t *testing.T) {
	cases := []struct {
		f, p, q float64
		want    Stage
	}{
		{0, 0.01, 0.12, Launch},
		{0.0999, 0.01, 0.12, Launch},
		{0.1, 0.01, 0.12, Growth},
		{0.4583, 0.01, 0.12, Growth}, // peak F = 0.5 − 0.01/0.24 = 0.458333…
		{0.4584, 0.01, 0.12, Maturity},
		{0.9, 0.01, 0.12, Maturity},
		{0.9001, 0.01, 0.12, Decline},
		{1, 0.01, 0.12, Decline},
		{0.1, 0.1, 0.05, Maturity}, // q ≤ p: no growth stage
		{0.5, 0.1, 0.1, Maturity},
		{0.1, 0.1, 0.125, Maturity}, // peak F exactly 0.1: growth is empty
		{0.1, 0.1, 0.13, Growth},
	}
	for _, c := range cases {
		if got := StageOf(c.f, c.p, c.q); got != c.want {
			t.Errorf("StageOf(%v, %v, %v) = %v, want %v", c.f, c.p, c.q, got, c.want)
		}
	}
}

// TestProductCurveStages checks the stage boundaries in days against the
// formula: the first Growth day is the first day with t ≥ BassTime(0.1), the
// first Maturity day the first with t ≥ t*, the first Decline day the first
// with t > BassTime(0.9) (t = day − 1, StartF = 0).
func TestProductCurveStages(t *testing.T) {
	p, q := 0.01, 0.12
	c := ProductCurve{P: p, Q: q}
	first := map[Stage]int{}
	prev := Launch
	for day := 1; day <= 400; day++ {
		s := c.Stage(day)
		if s < prev {
			t.Fatalf("stage went back from %v to %v on day %d", prev, s, day)
		}
		if _, ok := first[s]; !ok {
			first[s] = day
		}
		prev = s
	}
	want := map[Stage]int{
		Launch:   1,
		Growth:   1 + int(math.Ceil(BassTime(p, q, 0.1))),
		Maturity: 1 + int(math.Ceil(BassPeakTime(p, q))),
		Decline:  1 + int(math.Floor(BassTime(p, q, 0.9))) + 1,
	}
	for s, d := range want {
		if first[s] != d {
			t.Errorf("first %v day %d, want %d", s, first[s], d)
		}
	}
	// StartF shifts the curve: day 1 has F = StartF.
	c2 := ProductCurve{P: p, Q: q, StartF: 0.3}
	if f := c2.F(1); math.Abs(f-0.3) > 1e-12 {
		t.Errorf("F(day 1) = %v, want StartF 0.3", f)
	}
	if c2.Stage(1) != Growth {
		t.Errorf("StartF 0.3 should be growth, got %v", c2.Stage(1))
	}
	if f := c2.F(-1000); f != 0 {
		t.Errorf("far warm-up F = %v, want 0 (clamped)", f)
	}
}
