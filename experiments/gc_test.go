package experiments

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestTuneGCForManyRuns(t *testing.T) {
	t.Setenv("GOGC", "")
	// With GOGC set (even empty) the user's choice stands.
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	restore := TuneGCForManyRuns()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set by the user: target changed to %d", got)
	}
	restore()
}

func TestTuneGCForManyRunsSetsAndRestores(t *testing.T) {
	if v, set := os.LookupEnv("GOGC"); set {
		os.Unsetenv("GOGC")
		t.Cleanup(func() { os.Setenv("GOGC", v) })
	}
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	restore := TuneGCForManyRuns()
	if got := debug.SetGCPercent(ManyRunsGCPercent); got != ManyRunsGCPercent {
		t.Errorf("target %d, want %d", got, ManyRunsGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("restore left %d, want 100", got)
	}
}
