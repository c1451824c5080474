package mechanisms

import "math"

// Stage is a product lifecycle stage.
type Stage uint8

// The product lifecycle stages, in order.
const (
	Launch Stage = iota
	Growth
	Maturity
	Decline
)

// NumStages is the number of product lifecycle stages.
const NumStages = 4

var stageNames = [NumStages]string{"launch", "growth", "maturity", "decline"}

// String returns the scenario language's name of the stage.
func (s Stage) String() string {
	if int(s) < len(stageNames) {
		return stageNames[s]
	}
	return "stage?"
}

// Stage thresholds on cumulative adoption F.
const (
	LaunchUntilF   = 0.1 // Launch while F < 0.1
	MaturityUntilF = 0.9 // Maturity while F ≤ 0.9, Decline after
)

// BassF is the continuous Bass cumulative adoption from F(0) = 0:
//
//	F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p) e^{−(p+q)t}).
//
// p, q ≥ 0 are per day. With p = 0 nobody ever adopts (F ≡ 0).
func BassF(p, q, t float64) float64 { return BassFFrom(p, q, 0, t) }

// BassFFrom solves dF/dt = (1 − F)(p + qF) with F(0) = f0 ∈ [0, 1]:
//
//	1/(1 − F(t)) = q/a + (1/(1 − f0) − q/a) e^{at},  a = p + q,
//
// evaluated with expm1 so that small F keeps its relative precision. It
// covers p = 0 (the logistic curve from f0) and p = q = 0 (F ≡ f0). For
// negative t (going back in time) the result is clamped at 0.
func BassFFrom(p, q, f0, t float64) float64 {
	if f0 >= 1 {
		return 1
	}
	a := p + q
	if a == 0 {
		return f0
	}
	s0 := 1 - f0
	c := 1/s0 - q/a // = (p + q f0) / (a s0) ≥ 0
	if c == 0 {
		return f0 // p = 0 and f0 = 0: nobody to start imitation
	}
	at := a * t
	if at > 700 {
		return 1
	}
	u := q/a + c*math.Exp(at)
	if u <= 0 {
		return 0 // before the curve's origin (t < 0)
	}
	f := (c*math.Expm1(at) + f0/s0) / u
	return min(max(f, 0), 1)
}

// BassTime is the inverse of BassF: the time t ≥ 0 at which the curve from
// F(0) = 0 reaches f ∈ [0, 1): t = ln((1 + (q/p) f) / (1 − f)) / (p + q).
// It needs p > 0 (otherwise the curve never leaves 0 and it returns +Inf
// for f > 0).
func BassTime(p, q, f float64) float64 {
	if f <= 0 {
		return 0
	}
	if p <= 0 || f >= 1 {
		return math.Inf(1)
	}
	return math.Log1p(f*(1+q/p)/(1-f)) / (p + q)
}

// BassRate is the adoption rate dF/dt = (1 − F)(p + qF).
func BassRate(p, q, f float64) float64 { return (1 - f) * (p + q*f) }

// BassPeakF is the cumulative adoption at which the adoption rate
// (1 − F)(p + qF) peaks: 1/2 − p/(2q) when q > p, else 0 (the rate only
// falls from the start).
func BassPeakF(p, q float64) float64 {
	if q <= p {
		return 0
	}
	return 0.5 - p/(2*q)
}

// BassPeakTime is the time of the adoption-rate peak of the curve from
// F(0) = 0: ln(q/p)/(p + q) when q > p > 0, 0 when q ≤ p, +Inf when p = 0 < q
// (that curve never starts).
func BassPeakTime(p, q float64) float64 {
	if q <= p {
		return 0
	}
	if p <= 0 {
		return math.Inf(1)
	}
	return math.Log(q/p) / (p + q)
}

// StageOf returns the lifecycle stage at cumulative adoption f of a Bass
// curve with parameters p, q: Launch while f < 0.1; Growth while
// 0.1 ≤ f < BassPeakF(p, q) (the adoption rate still rising); Maturity while
// f ≤ 0.9; Decline after. When the peak comes before F reaches 0.1
// (q ≤ 1.25p, including q ≤ p where the rate never rises), Growth is empty:
// Launch is followed directly by Maturity.
func StageOf(f, p, q float64) Stage {
	switch {
	case f < LaunchUntilF:
		return Launch
	case f < BassPeakF(p, q):
		return Growth
	case f <= MaturityUntilF:
		return Maturity
	default:
		return Decline
	}
}

// ProductCurve is a product's own Bass curve in scenario days: F at day 1 is
// StartF, and F(day) = BassFFrom(P, Q, StartF, day − 1). Earlier days
// (warm-up) run the curve backwards, clamped at 0.
type ProductCurve struct {
	P, Q, StartF float64
}

// F returns the cumulative adoption on day.
func (c ProductCurve) F(day int) float64 {
	return BassFFrom(c.P, c.Q, c.StartF, float64(day-1))
}

// Stage returns the lifecycle stage on day (see StageOf).
func (c ProductCurve) Stage(day int) Stage {
	return StageOf(c.F(day), c.P, c.Q)
}
