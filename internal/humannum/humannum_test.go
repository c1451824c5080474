package humannum

import (
	"math"
	"strings"
	"testing"
)

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Interval(2.407e6, 2.259e6, 2.555e6, true), "+2.41 M [+2.26 M, +2.56 M]"},
		{Interval(0.31e6, -0.04e6, 0.66e6, true), "+310 k [−40 k, +660 k]"},
		{Interval(1.31e6, -0.04e6, 0.66e6, true), "+1.31 M [−0.04 M, +0.66 M]"},
		{Interval(-1234.5, -2000, -10, false), "−1.23 k [−2.00 k, −0.01 k]"},
		{Signed(0.0123), "+0.0123"},
		{Plain(6), "6"},
		{Plain(999), "999"},
		{Plain(12.34), "12.3"},
		{Plain(0), "0"},
		{Plain(-0.0), "0"},
		{Plain(3.2e-9), "0.00000000320"},
		{Plain(1e-20), "0"},
		{Plain(7.5e9), "7.50 B"},
		{Plain(4.2e18), "4,200,000 T"},
		{Plain(math.NaN()), "n/a"},
		{Interval(math.Inf(1), 1, 2, true), "n/a [+1, +2]"},
		{Group("-1234567.5"), "-1,234,567.5"},
		{Group("999"), "999"},
		{Group("1000"), "1,000"},
		{Percent(0.95), "95%"},
		{Percent(0.975), "97.5%"},
		{Percent(0.99961), "99.961%"},
		{Percent(1), "100%"},
		{Percent(0.5), "50%"},
		{Percent(math.NaN()), "n/a"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	for _, v := range []float64{1e300, -1e-300, 123456789, 5e-5, math.MaxFloat64} {
		if s := Plain(v); strings.ContainsAny(s, "eE") {
			t.Errorf("%v: %q has an exponent", v, s)
		}
	}
}
