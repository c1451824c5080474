package strategy

import (
	"regexp"
	"strings"
	"testing"

	"github.com/startrend/startrend/optimize"
	"github.com/startrend/startrend/stats"
)

// exponent matches a number in e-notation ("2.407e+06", "1e-05").
var exponent = regexp.MustCompile(`\d[eE][+-]?\d`)

// Issue 16: the verdict (terminal, optimize.json, report) writes plain
// numbers — "+2.41 M [+2.26 M, +2.56 M]", not "+2.407e+06 [2.259e+06,
// 2.555e+06]".
func TestVerdictHasPlainNumbers(t *testing.T) {
	c := Candidate{Label: "cma-es #3"}
	p := func(m, lo, hi float64) *Paired {
		return &Paired{Against: "x", Stat: Stat{Mean: stats.Float(m), CILo: stats.Float(lo), CIHi: stats.Float(hi), N: 8}, Better: lo > 0}
	}
	out := &Outcome{Complete: true, Best: &c, VsBaseline: p(2.407e6, 2.259e6, 2.555e6), VsRunnerUp: p(1.2e-5, -3e-5, 4e-5),
		VsRandom: p(-8.8e9, -9.1e9, -8.5e9), Selection: &optimize.SelectionInfo{PCS: 0.95, Level: 0.99975, Looks: 12, Detectable: 3.1e5}}
	v := verdict(out)
	if exponent.MatchString(v) {
		t.Errorf("verdict has e-notation: %s", v)
	}
	for _, want := range []string{"vs baseline +2.41 M [+2.26 M, +2.56 M] (separated", "vs random search −8.80 B [−9.10 B, −8.50 B]", "differences below about 310 k"} {
		if !strings.Contains(v, want) {
			t.Errorf("verdict lacks %q:\n%s", want, v)
		}
	}
}
