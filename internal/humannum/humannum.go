// Package humannum formats numbers for people in one-line texts (verdicts,
// terminal summaries): three significant digits, a unit suffix for large
// magnitudes (k, M, B, T), a real minus sign, and never an exponent:
//
//	Signed(2.407e6)                           // "+2.41 M"
//	Interval(2.407e6, 2.259e6, 2.555e6, true) // "+2.41 M [+2.26 M, +2.56 M]"
//	Interval(1.31e6, -0.04e6, 0.66e6, true)   // "+1.31 M [−0.04 M, +0.66 M]"
//
// An interval's three numbers share the unit and the decimals of the
// largest of them, so that they read side by side. Undefined values (NaN,
// ±Inf) are "n/a".
package humannum

import (
	"math"
	"strconv"
	"strings"
)

// Plain formats v with three significant digits and a unit suffix.
func Plain(v float64) string { return format(v, scaleOf(math.Abs(v)), false) }

// Signed is Plain with a sign on positive values too.
func Signed(v float64) string { return format(v, scaleOf(math.Abs(v)), true) }

// Interval formats "mean [lo, hi]" in the unit of the largest magnitude.
func Interval(mean, lo, hi float64, signed bool) string {
	m := 0.0
	for _, x := range []float64{mean, lo, hi} {
		if a := math.Abs(x); !math.IsNaN(a) && !math.IsInf(a, 0) && a > m {
			m = a
		}
	}
	s := scaleOf(m)
	return format(mean, s, signed) + " [" + format(lo, s, signed) + ", " + format(hi, s, signed) + "]"
}

// scale is a unit and the decimals that give three significant digits of
// the largest magnitude in it.
type scale struct {
	div    float64
	suffix string
	dec    int
}

func scaleOf(a float64) scale {
	if math.IsNaN(a) || math.IsInf(a, 0) || a == 0 {
		return scale{div: 1}
	}
	s := scale{div: 1}
	for _, u := range []struct {
		div    float64
		suffix string
	}{{1e12, " T"}, {1e9, " B"}, {1e6, " M"}, {1e3, " k"}} {
		if a >= u.div {
			s.div, s.suffix = u.div, u.suffix
			break
		}
	}
	scaled := a / s.div
	s.dec = max(0, 2-int(math.Floor(math.Log10(scaled))))
	if s.suffix == "" && scaled >= 1 && a == math.Trunc(a) {
		s.dec = 0 // small integers stay integers
	}
	s.dec = min(s.dec, 12)
	return s
}

func format(v float64, s scale, signed bool) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	x := v / s.div
	if s.suffix == " T" && math.Abs(x) >= 1000 {
		// beyond the largest unit: whole trillions with separators
		return sign(v, signed) + group(strconv.FormatFloat(math.Abs(math.Round(x)), 'f', 0, 64)) + s.suffix
	}
	t := strconv.FormatFloat(math.Abs(x), 'f', s.dec, 64)
	if strings.Trim(t, "0.") == "" {
		return "0"
	}
	return sign(v, signed) + group(t) + s.suffix
}

func sign(v float64, signed bool) string {
	switch {
	case v < 0:
		return "−"
	case signed && v > 0:
		return "+"
	}
	return ""
}

// Group puts thousands separators into the integer part of a plain
// decimal t ("-1234567.5" → "-1,234,567.5"); a leading minus stays first.
func Group(t string) string {
	if rest, ok := strings.CutPrefix(t, "-"); ok {
		return "-" + group(rest)
	}
	return group(t)
}

// group is Group for an unsigned t.
func group(t string) string {
	i, frac, has := strings.Cut(t, ".")
	if len(i) <= 3 {
		return t
	}
	var b strings.Builder
	for k, r := range i {
		if k > 0 && (len(i)-k)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if has {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Percent formats a probability p in [0, 1] as a percentage with as many
// decimals as it takes to tell it from 100% (two significant digits of
// 1 − p), trailing zeros dropped: 0.95 → "95%", 0.975 → "97.5%",
// 0.99961 → "99.961%". Outside [0, 1] or undefined it is "n/a".
func Percent(p float64) string {
	if math.IsNaN(p) || p < 0 || p > 1 {
		return "n/a"
	}
	dec := 0
	if q := 1 - p; q > 0 {
		dec = max(0, int(math.Ceil(-math.Log10(q)))-1)
	}
	t := strconv.FormatFloat(100*p, 'f', min(dec, 12), 64)
	if strings.Contains(t, ".") {
		t = strings.TrimRight(strings.TrimRight(t, "0"), ".")
	}
	return t + "%"
}
