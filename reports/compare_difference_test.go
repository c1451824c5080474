package reports

import (
	"strings"
	"testing"
)

// The scenarios of two runs: the same, differing only in seed or in
// replications ("seeds differ", unpaired), or in other fields (named).
func TestScenarioDifference(t *testing.T) {
	mk := func(hash, y string, seed uint64, reps int) *Run {
		return &Run{ScenarioYAML: []byte(y), Summary: &Summary{Hash: hash, Seed: seed, Replications: reps}}
	}
	base := mk("h1", "name: s\nseed: 1\nreplications: 4\nhorizon_days: 30\n", 1, 4)
	for _, tc := range []struct {
		name   string
		cand   *Run
		diff   string
		fields string
		note   string
	}{
		{"same", mk("h1", "name: s\nseed: 1\nreplications: 4\nhorizon_days: 30\n", 1, 4), "same", "", ""},
		{"seed", mk("h2", "name: s\nseed: 7\nreplications: 4\nhorizon_days: 30\n", 7, 4), "seeds differ", "seed", "The seeds differ (base seed 1, 4 replications; candidate seed 7, 4 replications) but the scenario is the same"},
		{"reps", mk("h3", "name: s\nseed: 1\nreplications: 9\nhorizon_days: 30\n", 1, 9), "seeds differ", "replications", "The replication counts differ (base 4, candidate 9) but the scenario and seed are the same"},
		{"horizon", mk("h4", "name: s\nseed: 7\nreplications: 4\nhorizon_days: 31\n", 7, 4), "scenarios differ", "horizon_days,seed", "the scenarios differ in horizon_days, seed"},
		{"new field", mk("h5", "name: s\nseed: 1\nreplications: 4\nhorizon_days: 30\ntrends: []\n", 1, 4), "scenarios differ", "trends", "differ in trends"},
	} {
		d, fields := scenarioDifference(base, tc.cand)
		c := &Comparison{Base: ref(base), Candidate: ref(tc.cand), Difference: d, DifferingFields: fields}
		if d != tc.diff || strings.Join(fields, ",") != tc.fields || !strings.Contains(c.differenceNote(), tc.note) {
			t.Errorf("%s: %q %v, note %q; want %q %q and %q", tc.name, d, fields, c.differenceNote(), tc.diff, tc.fields, tc.note)
		}
	}
}
