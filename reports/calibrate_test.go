package reports

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/startrend/startrend/calibrate"
)

// A calibration report renders whatever the numbers: a trace of distance
// 0 (a perfect fit, which a log axis cannot show), an infinite SE,
// undefined intervals.
func TestWriteCalibrateDegenerateNumbers(t *testing.T) {
	res := &calibrate.Result{Method: "smm", Runs: 40, Replications: 2, Distance: 3, Stop: "run budget",
		Params: []calibrate.ParamEstimate{
			{Name: "a", Lo: 0, Hi: 1, Estimate: 0.5, SE: 0.1, CILo: 0.3, CIHi: 0.7, WidthRatio: 0.4, Verdict: calibrate.Identified},
			{Name: "b", Lo: 0, Hi: 1, Estimate: 0.2, SE: math.Inf(1), CILo: 0, CIHi: 1, WidthRatio: 1, Verdict: calibrate.NotIdentified}},
		Targets:     []calibrate.TargetFit{{Name: "t", Observed: 2, SE: 0.1, Simulated: 2.1, SimLo: math.NaN(), SimHi: math.NaN(), Z: 1}},
		Generations: []calibrate.Generation{{Index: 1, Runs: 20, Best: 0}},
		Cov:         [][]float64{{0.01, math.NaN()}, {math.NaN(), math.Inf(1)}},
	}
	dir := t.TempDir()
	if err := WriteCalibrate(dir, CalibrateInput{Scenario: "s", Result: res, Budget: 40, Arms: 1, Complete: true, Start: []float64{0.4, 0.4}}, ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, ReportMDFile))
	if err != nil || !strings.Contains(string(md), "not identified by these targets") || !strings.Contains(string(md), "∞") {
		t.Fatalf("report.md: %v\n%s", err, md)
	}
	for _, f := range []string{"calibrate_trace.png", "calibrate_pair_1_2.svg", "calibrate_targets.png"} {
		if _, err := os.Stat(filepath.Join(dir, PlotsDir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
}
