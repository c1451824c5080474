package sim

import (
	"context"
	"errors"

	"github.com/startrend/startrend/scenarios"
)

// Options control how a run is executed; none of them changes its results.
type Options struct {
	// Workers is the number of goroutines simulating in parallel (0 = GOMAXPROCS).
	Workers int
	// Progress, when set, is called with units of work done and the total
	// (from several goroutines; it must be safe for concurrent use).
	Progress func(done, total int)
}

// Run simulates a validated, defaulted scenario: the baseline and every
// variant, each for sc.Replications replications, and returns the results.
// TEMPORARY: replaced by the engine (issue 3).
func Run(ctx context.Context, sc *scenarios.Scenario, opt Options) (*Result, error) {
	return nil, errors.New("sim: engine not built yet")
}
