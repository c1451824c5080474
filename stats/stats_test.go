package stats

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// R's sleep data (Cushny & Peebles 1905, datasets::sleep): extra hours of
// sleep under two drugs, the same ten patients.
var (
	sleep1 = []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	sleep2 = []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.10g, want %.10g (± %g)", what, got, want, tol)
	}
}

func isNaN(t *testing.T, what string, v float64) {
	t.Helper()
	if !math.IsNaN(v) {
		t.Errorf("%s = %g, want NaN (undefined)", what, v)
	}
}

// TestTCritical: R qt(0.975, 9) = 2.262157, qt(0.975, 4) = 2.776445,
// qt(0.975, 1) = 12.7062, qt(0.95, 10) = 1.812461.
func TestTCritical(t *testing.T) {
	near(t, "t(0.95, 9)", TCritical(0.95, 9), 2.262157, 1e-6)
	near(t, "t(0.95, 4)", TCritical(0.95, 4), 2.776445, 1e-6)
	near(t, "t(0.95, 1)", TCritical(0.95, 1), 12.7062, 1e-4)
	near(t, "t(0.90, 10)", TCritical(0.90, 10), 1.812461, 1e-6)
	isNaN(t, "t(0.95, 0)", TCritical(0.95, 0))
	isNaN(t, "t(1, 5)", TCritical(1, 5))
}

// TestMeanCI: x = 1..5 by hand: mean 3, SD √2.5, CI 3 ± 2.776445·√0.5 =
// [1.036757, 4.963243] (R: t.test(1:5)$conf.int).
func TestMeanCI(t *testing.T) {
	e := MeanCI([]float64{1, 2, math.NaN(), 3, 4, 5}, 0)
	if e.N != 5 || e.Level != 0.95 || !e.Defined() {
		t.Fatalf("MeanCI = %+v, want N 5, level 0.95, defined", e)
	}
	near(t, "mean", e.Mean, 3, 1e-15)
	near(t, "sd", e.SD, math.Sqrt(2.5), 1e-15)
	near(t, "se", e.SE, math.Sqrt(0.5), 1e-15)
	near(t, "lo", e.Lo, 1.036757, 1e-6)
	near(t, "hi", e.Hi, 4.963243, 1e-6)
	if !e.Contains(3) || e.Contains(5) {
		t.Errorf("Contains: 3 inside, 5 outside; got %v %v", e.Contains(3), e.Contains(5))
	}
	near(t, "half width", e.HalfWidth(), 1.963243, 1e-6)
	// Level 0.90: qt(0.95, 4) = 2.131847.
	near(t, "hi90", MeanCI([]float64{1, 2, 3, 4, 5}, 0.9).Hi, 3+2.131847*math.Sqrt(0.5), 1e-6)
}

// TestSmallSampleRule: n < 2 never gives a zero-width interval.
func TestSmallSampleRule(t *testing.T) {
	one := MeanCI([]float64{math.NaN(), 7}, 0.95)
	if one.Defined() || one.Undefined != OneObservation || one.Mean != 7 || one.N != 1 {
		t.Errorf("one observation: %+v, want mean 7, undefined %q", one, OneObservation)
	}
	isNaN(t, "one.Lo", one.Lo)
	isNaN(t, "one.Hi", one.Hi)
	isNaN(t, "one.SD", one.SD)
	if one.Contains(7) {
		t.Error("an undefined interval contains nothing")
	}
	none := MeanCI([]float64{math.NaN()}, 0.95)
	if none.Undefined != NoObservations || none.N != 0 {
		t.Errorf("no observation: %+v", none)
	}
	isNaN(t, "none.Mean", none.Mean)
	for _, e := range []Estimate{PairedDiff([]float64{1}, []float64{2}, 0), Welch([]float64{1}, []float64{2, 3}, 0)} {
		if e.Defined() || e.Undefined != OneObservation {
			t.Errorf("%+v: want undefined, %q", e, OneObservation)
		}
	}
	if r := PairedTest([]float64{1}, []float64{2}, TwoSided); !math.IsNaN(r.P) || r.Undefined != OneObservation {
		t.Errorf("PairedTest n=1: %+v, want P NaN", r)
	}
	// Constant data are not too few: a zero-width interval is right.
	c := MeanCI([]float64{2, 2, 2}, 0.95)
	if !c.Defined() || c.Lo != 2 || c.Hi != 2 {
		t.Errorf("constant data: %+v, want [2, 2]", c)
	}
	if bad := MeanCI([]float64{1, 2}, 1.5); bad.Undefined != BadLevel {
		t.Errorf("level 1.5: %+v", bad)
	}
}

// TestPaired: R t.test(sleep1, sleep2, paired = TRUE): mean difference
// −1.58, t = −4.0621, df = 9, p = 0.002833, 95% CI [−2.4598858,
// −0.7001142].
func TestPaired(t *testing.T) {
	e := PairedDiff(sleep1, sleep2, 0.95)
	near(t, "mean", e.Mean, -1.58, 1e-12)
	near(t, "lo", e.Lo, -2.4598858, 1e-7)
	near(t, "hi", e.Hi, -0.7001142, 1e-7)
	if e.N != 10 {
		t.Errorf("N = %d", e.N)
	}
	r := PairedTest(sleep1, sleep2, TwoSided)
	near(t, "t", r.T, -4.0621, 1e-4)
	near(t, "df", r.DF, 9, 0)
	near(t, "p", r.P, 0.002833, 1e-6)
	near(t, "p less", PairedTest(sleep1, sleep2, Less).P, 0.002833/2, 1e-6)
	near(t, "p greater", PairedTest(sleep1, sleep2, Greater).P, 1-0.002833/2, 1e-6)
	// A NaN on either side drops the pair.
	a := append([]float64{math.NaN()}, sleep1...)
	b := append([]float64{5}, sleep2...)
	near(t, "with NaN pair", PairedDiff(a, b, 0.95).Lo, -2.4598858, 1e-7)
}

// TestPairedTestNoSpread: the rule when every difference is equal.
func TestPairedTestNoSpread(t *testing.T) {
	x, y := []float64{3, 4, 5}, []float64{1, 2, 3}
	if r := PairedTest(x, y, Greater); r.P != 0 || !math.IsInf(r.T, 1) {
		t.Errorf("x − y = 2 always, Greater: %+v, want P 0, T +Inf", r)
	}
	if r := PairedTest(x, y, Less); r.P != 1 {
		t.Errorf("Less: %+v, want P 1", r)
	}
	if r := PairedTest(x, x, TwoSided); r.P != 1 {
		t.Errorf("x − x = 0: %+v, want P 1", r)
	}
}

// TestWelch: R t.test(sleep1, sleep2): t = −1.8608, df = 17.776,
// p = 0.07939, 95% CI [−3.3654832, 0.2054832].
func TestWelch(t *testing.T) {
	e := Welch(sleep1, sleep2, 0.95)
	near(t, "mean", e.Mean, 0.75-2.33, 1e-12)
	near(t, "lo", e.Lo, -3.3654832, 1e-7)
	near(t, "hi", e.Hi, 0.2054832, 1e-7)
	if e.N != 20 {
		t.Errorf("N = %d, want 20", e.N)
	}
	r := WelchTest(sleep1, sleep2, TwoSided)
	near(t, "t", r.T, -1.8608, 1e-4)
	near(t, "df", r.DF, 17.776, 1e-3)
	near(t, "p", r.P, 0.07939, 1e-5)
	near(t, "p less", WelchTest(sleep1, sleep2, Less).P, 0.07939/2, 1e-5)
	// No spread on both sides: the difference is exact.
	z := Welch([]float64{1, 1}, []float64{3, 3, 3}, 0.95)
	if !z.Defined() || z.Lo != -2 || z.Hi != -2 {
		t.Errorf("constant samples: %+v, want [−2, −2]", z)
	}
	if r := WelchTest([]float64{1, 1}, []float64{3, 3}, Less); r.P != 0 {
		t.Errorf("constant samples, Less: %+v, want P 0", r)
	}
}

// TestHolm: by hand (and R p.adjust(p, "holm")): sorted 0.005, 0.01,
// 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 → monotone 0.02,
// 0.03, 0.06, 0.06; p.adjust(c(.01,.02,.03,.04,.05), "holm") = .05 .08
// .09 .09 .09.
func TestHolm(t *testing.T) {
	got := Holm([]float64{0.01, 0.04, math.NaN(), 0.03, 0.005})
	want := []float64{0.03, 0.06, math.NaN(), 0.06, 0.02}
	for i := range want {
		if math.IsNaN(want[i]) {
			isNaN(t, "holm NaN", got[i])
			continue
		}
		near(t, "holm", got[i], want[i], 1e-15)
	}
	got = Holm([]float64{0.01, 0.02, 0.03, 0.04, 0.05})
	for i, w := range []float64{0.05, 0.08, 0.09, 0.09, 0.09} {
		near(t, "holm5", got[i], w, 1e-15)
	}
	if g := Holm([]float64{0.6, 0.7}); g[0] != 1 || g[1] != 1 {
		t.Errorf("capped at 1: %v", g)
	}
}

// TestRatio: the one rule for a zero denominator.
func TestRatio(t *testing.T) {
	near(t, "6/3", Ratio(6, 3), 2, 0)
	isNaN(t, "1/0", Ratio(1, 0))
	isNaN(t, "0/0", Ratio(0, 0))
	isNaN(t, "NaN/1", Ratio(math.NaN(), 1))
	near(t, "ROI", ROI(500, 100), 5, 0)
	isNaN(t, "ROI zero spend", ROI(500, 0))
	rs := ROIs([]float64{10, 20, 30}, []float64{5, 0, 10})
	if rs[0] != 2 || !math.IsNaN(rs[1]) || rs[2] != 3 {
		t.Errorf("ROIs = %v", rs)
	}
	if e := MeanCI(rs, 0.95); e.N != 2 || e.Mean != 2.5 {
		t.Errorf("MeanCI skips undefined ROIs: %+v", e)
	}
	if ZeroDenominator("spend") != "spend is zero" || !strings.Contains(ZeroDenominatorEverywhere("spend"), "every replication") {
		t.Error("reasons")
	}
}

// TestBounds: clipping and the log-scale interval, by hand: x = 1..5,
// log(3) ± 2.776445·√0.5/3 → [1.559239, 5.772046].
func TestBounds(t *testing.T) {
	e := MeanCI([]float64{0, 0, 0, 5}, 0.95) // mean 1.25, CI [−2.73, 5.23]
	c := e.Clip(NonNegative())
	if c.Lo != 0 || c.Hi != e.Hi || c.Mean != e.Mean {
		t.Errorf("clip: %+v from %+v", c, e)
	}
	p := MeanCI([]float64{0.9, 1, 1, 0.95}, 0.95).Clip(Proportion())
	if p.Hi != 1 || !(p.Lo < 1) {
		t.Errorf("clip to [0,1]: %+v", p)
	}
	out := Estimate{Mean: -5, Lo: -6, Hi: -4, Level: 0.95}.Clip(NonNegative())
	if out.Lo != 0 || out.Hi != 0 {
		t.Errorf("interval wholly below 0 collapses to [0, 0]: %+v", out)
	}
	if u := MeanCI([]float64{1}, 0).Clip(NonNegative()); u.Defined() {
		t.Error("clipping an undefined interval defines it")
	}
	l := LogMeanCI([]float64{1, 2, 3, 4, 5}, 0.95)
	near(t, "log lo", l.Lo, 1.5592390308471011, 1e-6)
	near(t, "log hi", l.Hi, 5.7720463777195805, 1e-6)
	near(t, "log mean", l.Mean, 3, 0)
	if z := LogMeanCI([]float64{0, 0}, 0.95); z.Undefined != NotPositive {
		t.Errorf("mean 0: %+v", z)
	}
}

// TestJSON: undefined values are null, never "NaN"; round trip.
func TestJSON(t *testing.T) {
	b, err := json.Marshal(MeanCI([]float64{2.5}, 0.95))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"mean":2.5,"sd":null,"se":null,"n":1,"level":0.95,"lo":null,"hi":null,"undefined":"` + OneObservation + `"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var back Estimate
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Mean != 2.5 || !math.IsNaN(back.Lo) || back.Undefined != OneObservation {
		t.Errorf("round trip: %+v", back)
	}
	e := MeanCI([]float64{1, 2, 3}, 0.9)
	b, _ = json.Marshal(e)
	if strings.Contains(string(b), "undefined") {
		t.Errorf("defined estimate carries a reason: %s", b)
	}
	var e2 Estimate
	if err := json.Unmarshal(b, &e2); err != nil || e2 != e {
		t.Errorf("round trip %s: %+v vs %+v (%v)", b, e2, e, err)
	}
	fs := []Float{Float(math.NaN()), Float(math.Inf(1)), Float(math.Copysign(0, -1)), 0.1}
	b, _ = json.Marshal(fs)
	if string(b) != `[null,null,0,0.1]` {
		t.Errorf("Floats: %s", b)
	}
	var legacy []Float
	if err := json.Unmarshal([]byte(`["NaN","+Inf","-Inf",null,3]`), &legacy); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(float64(legacy[0])) || !math.IsInf(float64(legacy[1]), 1) || !math.IsInf(float64(legacy[2]), -1) || !math.IsNaN(float64(legacy[3])) || legacy[4] != 3 {
		t.Errorf("legacy strings: %v", legacy)
	}
	var bad Float
	if err := json.Unmarshal([]byte(`"many"`), &bad); err == nil || !strings.Contains(err.Error(), "many") {
		t.Errorf("bad string: %v", err)
	}
}
