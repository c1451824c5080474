package strategy

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/startrend/startrend/stats"
)

// optimize.json's reported values follow stats' rule: an undefined value is
// null with a reason, never a "NaN" string; files written before the rule
// ("NaN" strings) still read.
func TestOutcomeJSONHasNoNaNStrings(t *testing.T) {
	one := statOf([]float64{2.5}, 0.95) // one replication: the interval is undefined
	if one.Undefined == "" {
		t.Fatal("a one-value Stat carries no reason")
	}
	out := Outcome{FormatVersion: outcomeFormat, Best: &Candidate{Label: "x", Value: one, PValue: stats.Float(math.NaN()),
		KPIs: map[string]Stat{"roi": statOf([]float64{math.NaN(), math.NaN()}, 0.95)}}}
	b, err := json.Marshal(&out)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, `"NaN"`) || strings.Contains(s, "Inf") || !strings.Contains(s, `"ci_lo":null`) || !strings.Contains(s, `"undefined":`) {
		t.Fatalf("optimize.json: %s", s)
	}
	old := `{"format_version":1,"best":{"label":"x","value":{"mean":2.5,"sd":"NaN","ci_lo":"NaN","ci_hi":"NaN","n":1},"p_value":"NaN","cost":1}}`
	var back Outcome
	if err := json.Unmarshal([]byte(old), &back); err != nil {
		t.Fatalf("an optimize.json of format 1 does not read: %v", err)
	}
	if v := back.Best.Value; v.Mean != 2.5 || !math.IsNaN(float64(v.CILo)) || !math.IsNaN(float64(back.Best.PValue)) {
		t.Fatalf("format 1 read as %+v", back.Best)
	}
}
