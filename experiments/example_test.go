package experiments_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/startrend/startrend/experiments"
)

// A method drives the store ask/tell style: submit a batch of points,
// execute it (journaled, resumable, shardable), read the results back in
// run_id order, decide the next batch, and finalise.
func Example() {
	dir, _ := os.MkdirTemp("", "store-example-")
	defer os.RemoveAll(dir)
	spec := experiments.Spec{Kind: "example", Scenario: "toy", ScenarioHash: "h", Design: "two batches",
		Columns: []experiments.Column{{Name: "x", Kind: experiments.KindReal}},
		Outputs: []experiments.Output{{Variant: "baseline", Metric: "y"}}}
	s, err := experiments.Open(filepath.Join(dir, "s"), spec, experiments.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	square := func(ctx context.Context, r experiments.Run, x, out []float64) error {
		out[0] = x[0]*x[0] + float64(r.Replication)
		return nil
	}
	b, _ := s.Submit(experiments.Points{{1}, {2}, {3}}, 2)
	s.Execute(context.Background(), b, square, experiments.ExecuteOptions{Workers: 2})
	best, bestY := 0, -1.0
	s.Results(b, func(r experiments.Run, x, out []float64) error {
		fmt.Printf("run %d: point %d replication %d x=%g y=%g\n", r.ID, r.Point, r.Replication, x[0], out[0])
		if out[0] > bestY {
			best, bestY = r.Point, out[0]
		}
		return nil
	})
	// Next batch: two more replications of the best point.
	b2, _ := s.Replicate([]int{best}, 2, 2)
	s.Execute(context.Background(), b2, square, experiments.ExecuteOptions{})
	fmt.Println("batch 2 runs", b2.FirstRun, "…", b2.FirstRun+uint64(b2.Runs)-1, "of point", best)
	fmt.Println(s.Finalize())
	// Output:
	// run 0: point 0 replication 0 x=1 y=1
	// run 1: point 0 replication 1 x=1 y=2
	// run 2: point 1 replication 0 x=2 y=4
	// run 3: point 1 replication 1 x=2 y=5
	// run 4: point 2 replication 0 x=3 y=9
	// run 5: point 2 replication 1 x=3 y=10
	// batch 2 runs 6 … 7 of point 2
	// <nil>
}
