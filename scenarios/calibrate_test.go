package scenarios

import (
	"os"
	"strings"
	"testing"
)

// calibrateYAML is the default scenario with a calibrate block appended.
func calibrateYAML(t *testing.T, block string) []byte {
	t.Helper()
	base, err := os.ReadFile("default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return append(append(base, '\n'), []byte(block)...)
}

const goodCalibrate = `calibrate:
  method: smm
  runs: 400
  targets:
    - {name: orders_per_coop, kpi: orders / cooperations, observed: 40, tolerance: 0.1}
    - {name: jacket_orders, kpi: orders, merchant: spring_jacket, observed: 900, se: 40}
  parameters:
    - {path: horizon_days, min: 30, max: 90}
    - path: creators.generate.count
      min: 300
      max: 1200
      prior: {dist: lognormal, mean: 6.4, sd: 0.5}
`

func TestCalibrateBlockLoads(t *testing.T) {
	sc, err := LoadBytes("cal.yaml", calibrateYAML(t, goodCalibrate))
	if err != nil {
		t.Fatal(err)
	}
	c := sc.Calibrate
	if c == nil || len(c.Targets) != 2 || len(c.Parameters) != 2 || c.Parameters[1].Prior == nil || c.Parameters[1].Prior.Dist != "lognormal" {
		t.Fatalf("calibrate block read as %+v", c)
	}
	if n, d := SplitKPI(c.Targets[0].KPI); n != "orders" || d != "cooperations" {
		t.Fatalf("SplitKPI: %q / %q", n, d)
	}
}

// Bad calibrate blocks are rejected with the position of the offending
// value (issue 14: reversed bounds, a prior outside its bounds, no
// parameters, and the block's own structure).
func TestCalibrateBlockErrors(t *testing.T) {
	cases := []struct{ from, to, want string }{
		{"{path: horizon_days, min: 30, max: 90}", "{path: horizon_days, min: 90, max: 30}", "cal.yaml:"},
		{"{path: horizon_days, min: 30, max: 90}", "{path: horizon_days, min: 90, max: 30}", "bounds reversed"},
		{"mean: 6.4", "mean: 9", "calibrate.parameters.1.prior.mean"},
		{"mean: 6.4", "mean: 9", "outside the parameter's bounds"},
		{"merchant: spring_jacket", "merchant: spring_jackte", "unknown merchant"},
		{"kpi: orders / cooperations", "kpi: orders / ", "a KPI name or a ratio"},
		{"observed: 40, tolerance: 0.1", "observed: 40", "needs se > 0 or tolerance > 0"},
		{"method: smm", "method: mcmc", "calibrate.method"},
		{"  parameters:\n    - {path: horizon_days, min: 30, max: 90}\n    - path: creators.generate.count\n      min: 300\n      max: 1200\n      prior: {dist: lognormal, mean: 6.4, sd: 0.5}\n", "  parameters: []\n", "at least one parameter is needed"},
		{"tolerance: 0.1}", "tolerance: 0.1, variant: nope}", "unknown variant"},
		{"tolerance: 0.1}", "tolerance: 0.1, window: [0, 10]}", "out of range"},
	}
	for _, c := range cases {
		block := strings.Replace(goodCalibrate, c.from, c.to, 1)
		if block == goodCalibrate {
			t.Fatalf("edit %q not applied", c.from)
		}
		_, err := LoadBytes("cal.yaml", calibrateYAML(t, block))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q → %q: got %v, want %q", c.from, c.to, err, c.want)
			continue
		}
		if !strings.Contains(err.Error(), "cal.yaml:") {
			t.Errorf("%q: error without a position: %v", c.to, err)
		}
	}
}
