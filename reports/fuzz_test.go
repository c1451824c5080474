package reports

import (
	"math"
	"testing"
)

// FuzzParseRule: --fail-on rules from the command line never panic, and a
// rule that parses has a KPI name and a finite change.
func FuzzParseRule(f *testing.F) {
	for _, s := range []string{"gmv:-2%", "spend:+5%", "roi:-0.1", "gmv:-2%@95", "gmv", ":", "gmv:abc", "gmv:-2%@90", "gmv:1e999%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRule(s)
		if err != nil {
			return
		}
		if r.KPI == "" || math.IsNaN(r.Change) || math.IsInf(r.Change, 0) {
			t.Fatalf("ParseRule(%q) accepted %+v", s, r)
		}
	})
}
