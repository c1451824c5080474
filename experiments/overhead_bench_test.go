package experiments

import (
	"path/filepath"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

// BenchmarkTinyRuns measures the per-run overhead of a sweep: 500 points
// of a scenario with 20 users over 2 days, one replication each.
func BenchmarkTinyRuns(b *testing.B) {
	sc, err := scenarios.Load("testdata/tiny-sweep.yaml", "population.users=20", "creators.generate.count=5", "horizon_days=2",
		"campaigns.deal.window=[1, 2]",
		"sweep={design: random, points: 500, replications: 1, metrics: [gmv], parameters: [{path: campaigns.deal.discount, min: 0, max: 0.3}]}")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		d := runSweep(b, sc, filepath.Join(b.TempDir(), "s"), 1)
		b.ReportMetric(d.Seconds()/500*1e3, "ms/run")
	}
}
