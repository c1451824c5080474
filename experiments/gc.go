package experiments

import (
	"os"
	"runtime/debug"
)

// ManyRunsGCPercent is the garbage collector's target (GOGC) that
// [TuneGCForManyRuns] sets: a store executes many small runs whose worlds
// are garbage as soon as each run is recorded, so the live heap stays
// small while allocation is fast; at Go's default of 100 the collector
// then runs so often that parallel workers wait on it (a 1,000-point sweep
// of a 2,000-user scenario on 2 workers: 1.79× at 100, 1.97–2.02× at 400,
// with a trivially parallel loop at 1.7–2.0× in the same minutes).
const ManyRunsGCPercent = 400

// TuneGCForManyRuns sets the collector's target to [ManyRunsGCPercent]
// for a process that executes many runs (sweep, sensitivity, calibrate,
// optimize), unless the user chose one with the GOGC environment
// variable. It returns a function that restores the previous target. A
// soft memory limit set with GOMEMLIMIT still applies: the collector runs
// earlier whenever the heap approaches it.
func TuneGCForManyRuns() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	old := debug.SetGCPercent(ManyRunsGCPercent)
	return func() { debug.SetGCPercent(old) }
}
