package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/startrend/startrend/calibrate"
	"github.com/startrend/startrend/reports"
	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim"
)

// smallTruth is (a3_a4 base rate, refund delay) where the small test
// scenario's observed targets are simulated; the refund delay does not
// change orders or cooperations, so the targets cannot identify it.
var smallTruth = []float64{0.1, 7}

// writeSmallCalibration writes the small test scenario with its observed
// targets replaced by the means (and standard errors) of 12 replications
// simulated at smallTruth with replications the calibration does not use,
// plus edit applied to the calibrate block; it returns the file.
func writeSmallCalibration(t *testing.T, edit func(string) string) string {
	t.Helper()
	src, err := filepath.Abs("testdata/calibrate-small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	targets, errs := resolveTargets(sc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cs := &calScenario{sc: sc, params: sc.Calibrate.Parameters, integer: []bool{false, true}, targets: targets, arms: []string{"baseline"}}
	const nobs = 12
	sums := make([][]float64, len(targets))
	for r := range nobs {
		out, err := cs.simulate(context.Background(), smallTruth, 1000+r)
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range out {
			sums[j] = append(sums[j], v)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "extends: %q\nname: calibrate-small-truth\ncalibrate:\n  method: smm\n  runs: 300\n  replications: 6\n  targets:\n", src)
	for j, tg := range sc.Calibrate.Targets {
		m, sd := 0.0, 0.0
		for _, v := range sums[j] {
			m += v / nobs
		}
		for _, v := range sums[j] {
			sd += (v - m) * (v - m) / (nobs - 1)
		}
		win := ""
		if len(tg.Window) == 2 {
			win = fmt.Sprintf(", window: [%d, %d]", tg.Window[0], tg.Window[1])
		}
		scope := ""
		if tg.Merchant != "" {
			scope = ", merchant: " + tg.Merchant
		}
		fmt.Fprintf(&b, "    - {name: %s, kpi: %s%s%s, observed: %g, se: %g, tolerance: 0.15}\n", tg.Name, tg.KPI, scope, win, m, math.Sqrt(sd/nobs))
	}
	b.WriteString("  parameters:\n    - {path: platform.base_rates.a3_a4, min: 0.02, max: 0.2, prior: {dist: normal, mean: 0.06, sd: 0.05}}\n    - {path: platform.refund_delay_days, min: 3, max: 20}\n")
	text := b.String()
	if edit != nil {
		text = edit(text)
	}
	path := filepath.Join(t.TempDir(), "cal.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCalibrateCommandRecoversTruthAndIsReproducible(t *testing.T) {
	file := writeSmallCalibration(t, nil)
	dir := t.TempDir()
	emit := filepath.Join(filepath.Dir(file), "fitted.yaml")
	code, out, errOut := run(t, "calibrate", file, "-o", filepath.Join(dir, "a"), "--workers", "1", "--quiet", "--emit-scenario", emit)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.TrimSpace(out) != filepath.Join(dir, "a") {
		t.Errorf("stdout %q", out)
	}
	for _, f := range []string{"calibrate.json", "report.md", "report.html", "runs.journal", "rows.csv", "rows.parquet", "points.csv", "run.json", "plots/calibrate_targets.png", "plots/calibrate_parameters.svg", "plots/calibrate_trace.png", "plots/calibrate_marginal_1.png", "plots/calibrate_pair_1_2.svg"} {
		if _, err := os.Stat(filepath.Join(dir, "a", f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "a", "report.md"))
	t.Logf("%s", md[:min(len(md), 2500)])
	// the truth inside the reported intervals
	var res struct {
		Params []struct {
			Name        string
			CILo, CIHi  float64
			Estimate    float64
			Verdict     string
			Sensitivity float64
		}
	}
	readJSON(t, filepath.Join(dir, "a", "calibrate.json"), &res)
	for i, p := range res.Params {
		if !(p.CILo <= smallTruth[i] && smallTruth[i] <= p.CIHi) {
			t.Errorf("%s: truth %g outside [%g, %g] (estimate %g)", p.Name, smallTruth[i], p.CILo, p.CIHi, p.Estimate)
		}
	}
	// At 1,000 user agents the targets pin a3_a4 only loosely (its verdict
	// depends on the model: weakly identified before the engine's
	// 2026-12-02 changes, not identified after), but they do move with it;
	// the refund delay they do not see at all.
	if s := res.Params[0].Sensitivity; !(s > 1) {
		t.Errorf("a3_a4: the targets move by %g SE over its range, want > 1", s)
	}
	if v := res.Params[1].Verdict; v != "not identified by these targets" {
		t.Errorf("refund delay (no effect on the targets): verdict %q", v)
	}
	// The same fit for another number of workers.
	if code, _, errOut := run(t, "calibrate", file, "-o", filepath.Join(dir, "b"), "--workers", "2", "--quiet"); code != 0 {
		t.Fatalf("workers 2: exit %d: %s", code, errOut)
	}
	sameTree(t, "--workers 1 vs 2", filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	// A resume from half a journal, its last record cut (what an
	// interrupted run leaves), ends with the same files.
	c := filepath.Join(dir, "c")
	if err := os.CopyFS(c, os.DirFS(filepath.Join(dir, "a"))); err != nil {
		t.Fatal(err)
	}
	j, _ := os.ReadFile(filepath.Join(c, "runs.journal"))
	lines := strings.SplitAfter(string(j), "\n")
	half := strings.Join(lines[:len(lines)/2], "") + lines[len(lines)/2][:10]
	os.WriteFile(filepath.Join(c, "runs.journal"), []byte(half), 0o644)
	os.Remove(filepath.Join(c, "calibrate.json"))
	code, _, errOut = run(t, "calibrate", file, "-o", c, "--resume", "--quiet")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errOut)
	}
	sameTree(t, "resumed vs uninterrupted", filepath.Join(dir, "a"), c)
	var meta struct{ RunsRun, RunsFinishedBefore int }
	b, _ := os.ReadFile(filepath.Join(c, "run.json"))
	json.Unmarshal([]byte(strings.NewReplacer("runs_run", "RunsRun", "runs_finished_before", "RunsFinishedBefore").Replace(string(b))), &meta)
	if meta.RunsFinishedBefore < len(lines)/2-1 || meta.RunsRun == 0 {
		t.Errorf("resume found %d runs finished of a journal cut to %d and ran %d", meta.RunsFinishedBefore, len(lines)/2, meta.RunsRun)
	}
	// The emitted scenario loads, extends the original and carries the fit.
	sc, err := scenarios.Load(emit)
	if err != nil {
		t.Fatalf("emitted scenario: %v", err)
	}
	if sc.Calibrate != nil {
		t.Error("the emitted scenario keeps the calibrate block")
	}
	b, _ = os.ReadFile(emit)
	if !strings.Contains(string(b), "extends:") {
		t.Errorf("emitted scenario is not the short form:\n%s", b)
	}
	if got := sc.Platform.BaseRates.A3A4; math.Abs(got-res.Params[0].Estimate) > 1e-3*res.Params[0].Estimate {
		t.Errorf("emitted a3_a4 = %g, fitted %g", got, res.Params[0].Estimate)
	}
}

func same(t *testing.T, a, b, what string) {
	t.Helper()
	x, err1 := os.ReadFile(a)
	y, err2 := os.ReadFile(b)
	if err1 != nil || err2 != nil || string(x) != string(y) {
		t.Errorf("%s: calibrate.json differs (%v %v)", what, err1, err2)
	}
}

// Bad input ⇒ exit 2 and a message with the file position (issue 14).
func TestCalibrateCommandBadInput(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(string) string
		wants []string
	}{
		{"unknown KPI", func(s string) string {
			return strings.Replace(s, "kpi: orders / cooperations", "kpi: orders / cooperatoins", 1)
		},
			[]string{"cal.yaml:8:", `unknown market KPI "cooperatoins"`, `did you mean "cooperations"`}},
		{"zero denominator", func(s string) string {
			return strings.Replace(s, "kpi: orders / cooperations", "kpi: orders / tasks_posted", 1)
		},
			[]string{"cal.yaml:8:", "denominator tasks_posted is 0"}},
		{"reversed bounds", func(s string) string { return strings.Replace(s, "min: 3, max: 20}", "min: 20, max: 3}", 1) },
			[]string{"cal.yaml:13:", "bounds reversed"}},
		{"prior outside bounds", func(s string) string { return strings.Replace(s, "mean: 0.06", "mean: 0.6", 1) },
			[]string{"cal.yaml:12:", "outside the parameter's bounds"}},
		{"unknown breakdown dimension", func(s string) string {
			return strings.Replace(s, "merchant: spring_jacket", "breakdown: creatr_type:own", 1)
		},
			[]string{"cal.yaml:9:", `unknown breakdown dimension "creatr_type"`, `did you mean "creator_type"`}},
		{"no parameters", func(s string) string { return s[:strings.Index(s, "  parameters:")] + "  parameters: []\n" },
			[]string{"cal.yaml:11:", "at least one parameter is needed"}},
	}
	for _, c := range cases {
		file := writeSmallCalibration(t, c.edit)
		code, _, errOut := run(t, "calibrate", file, "-o", filepath.Join(t.TempDir(), "out"), "--quiet")
		if code != 2 {
			t.Errorf("%s: exit %d, want 2: %s", c.name, code, errOut)
			continue
		}
		for _, w := range c.wants {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: message %q lacks %q", c.name, errOut, w)
			}
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Target values from a replication: market totals, a window, a breakdown
// row, a ratio and a relative change against another arm.
func TestCalibrationTargetValues(t *testing.T) {
	metrics := map[string]sim.Metric{}
	for _, m := range sim.Metrics("CNY") {
		metrics[m.Name] = m
	}
	base := &sim.RepResult{
		Totals: map[string]float64{"orders": 100, "cooperations": 4, "impressions": 1000},
		Daily:  map[string][]float64{"orders": {10, 20, 30, 40}, "trend_submissions:mint": {1, 2, 3, 4}},
		Breakdown: []sim.BreakdownRow{{Dimension: "creator_type", Key: "own", Metric: "orders", Value: 30},
			{Dimension: "creator_type", Key: "seeder", Metric: "orders", Value: 50}, {Dimension: "creator_type", Key: "reach", Metric: "orders", Value: 20},
			{Dimension: "merchant", Key: "m1", Metric: "orders", Value: 60}},
	}
	other := &sim.RepResult{Totals: map[string]float64{"orders": 80, "cooperations": 4, "impressions": 1000}}
	arms := map[string]*sim.RepResult{"baseline": base, "v": other}
	m := func(name string) kpiRef { return kpiRef{name: name} }
	cases := []struct {
		t    calTarget
		want float64
	}{
		{calTarget{num: m("orders"), den: m("cooperations"), arm: "baseline"}, 25},
		{calTarget{num: m("orders"), arm: "baseline", w0: 2, w1: 3}, 50},
		{calTarget{num: kpiRef{"orders", "creator_type", "own"}, arm: "baseline"}, 30},
		{calTarget{num: kpiRef{"orders", "merchant", "m1"}, arm: "baseline"}, 60},
		{calTarget{num: kpiRef{"orders", "creator_type", "!own"}, arm: "baseline"}, 70},
		{calTarget{num: parseKPIRef("orders@creator_type:!own", "", ""), den: parseKPIRef("cooperations", "", ""), arm: "baseline"}, 17.5},
		{calTarget{num: kpiRef{"submissions", "trend", "mint"}, arm: "baseline", w0: 3, w1: 4}, 7},
		{calTarget{num: m("orders"), den: m("impressions"), arm: "baseline", versus: "v"}, 0.25},
		{calTarget{num: m("orders"), den: m("tasks_posted"), arm: "baseline"}, math.NaN()},
	}
	for i, c := range cases {
		c.t.metrics = metrics
		got := c.t.value(arms)
		if !(got == c.want || math.IsNaN(got) && math.IsNaN(c.want)) && math.Abs(got-c.want) > 1e-12 {
			t.Errorf("case %d: %g, want %g", i, got, c.want)
		}
	}
}

// ABC-SMC through the command: a posterior in calibrate.json, a tolerance
// trace and the same fit for another number of workers.
func TestCalibrateCommandABC(t *testing.T) {
	file := writeSmallCalibration(t, func(s string) string {
		return strings.Replace(s, "  method: smm\n  runs: 300\n", "  method: abc-smc\n  runs: 120\n  population: 20\n  generations: 3\n", 1)
	})
	dir := t.TempDir()
	for _, w := range []string{"1", "2"} {
		if code, _, errOut := run(t, "calibrate", file, "-o", filepath.Join(dir, w), "--workers", w, "--quiet"); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	}
	same(t, filepath.Join(dir, "1", "calibrate.json"), filepath.Join(dir, "2", "calibrate.json"), "abc-smc --workers 1 vs 2")
	var res struct {
		Method      string
		Posterior   struct{ Particles [][]float64 }
		Generations []struct{ Tolerance any }
	}
	readJSON(t, filepath.Join(dir, "1", "calibrate.json"), &res)
	if res.Method != "abc-smc" || len(res.Posterior.Particles) != 20 || len(res.Generations) < 2 {
		t.Fatalf("abc-smc result: method %q, %d particles, %d generations", res.Method, len(res.Posterior.Particles), len(res.Generations))
	}
	md, _ := os.ReadFile(filepath.Join(dir, "1", "report.md"))
	if !strings.Contains(string(md), "effective sample size") || !strings.Contains(string(md), "calibrate_trace") {
		t.Errorf("report lacks the ABC summary or the trace:\n%s", md)
	}
}

// A fitted path through a list (trends.mint_manbo.q) writes that list
// whole under extends (extends replaces lists), the values rounded to 4
// significant digits, and the hash the file quotes is the one a run of it
// reports.
func TestEmitCalibratedThroughAList(t *testing.T) {
	src, _ := filepath.Abs("testdata/calibrate-small.yaml")
	sc, err := scenarios.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	params := []scenarios.Parameter{{Path: "trends.mint_manbo.q", Min: 0.1, Max: 1}, {Path: "platform.base_rates.a3_a4", Min: 0.02, Max: 0.2}}
	cs := &calScenario{sc: sc, params: params, integer: []bool{false, false}, arms: []string{"baseline"}}
	res := &calibrate.Result{Method: "smm", Params: []calibrate.ParamEstimate{{Estimate: 0.4321987}, {Estimate: 0.0765432}}}
	out := filepath.Join(t.TempDir(), "fitted.yaml")
	if err := emitCalibrated(out, src, sc, cs, res); err != nil {
		t.Fatal(err)
	}
	got, err := scenarios.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), "extends:") || strings.Contains(string(b), "written in full") || strings.Contains(string(b), "horizon_days") {
		t.Errorf("expected extends plus the changed fields only:\n%s", b)
	}
	if q := got.Trends[0].Q; q != 0.4322 {
		t.Errorf("trend q = %g, want 0.4322 (4 significant digits)", q)
	}
	if r := got.Platform.BaseRates.A3A4; r != 0.07654 {
		t.Errorf("a3_a4 = %g, want 0.07654", r)
	}
	if got.Calibrate != nil || got.Name != "calibrate-small-calibrated" {
		t.Errorf("name %q, calibrate block %v", got.Name, got.Calibrate != nil)
	}
	rd := filepath.Join(t.TempDir(), "run")
	if code, _, errOut := run(t, "run", out, "-o", rd, "--quiet"); code != 0 {
		t.Fatalf("run of the emitted file: %s", errOut)
	}
	rr, err := reports.ReadRun(rd)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "# scenario hash "+rr.Summary.Hash+" ") {
		t.Errorf("the run reports hash %s; the emitted file says:\n%.300s", rr.Summary.Hash, b)
	}
}

// Two shards reading each other's stores round by round, merged, write
// the files one process writes (issue 14: "shards merged").
func TestCalibrateCommandShards(t *testing.T) {
	file := writeSmallCalibration(t, func(s string) string {
		return strings.Replace(s, "  runs: 300\n  replications: 6\n", "  runs: 60\n  replications: 2\n", 1)
	})
	dir := t.TempDir()
	if code, _, errOut := run(t, "calibrate", file, "-o", filepath.Join(dir, "one"), "--quiet"); code != 0 {
		t.Fatalf("one process: exit %d: %s", code, errOut)
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	codes := [2]int{}
	for round := 0; round < 100; round++ {
		for i, d := range []string{a, b} {
			args := []string{"calibrate", file, "-o", d, "--quiet", "--shard", fmt.Sprintf("%d/2", i)}
			if round > 0 {
				args = append(args, "--resume", "--peer", []string{b, a}[i])
			}
			code, _, errOut := run(t, args...)
			if code != 0 && code != exitShardWait {
				t.Fatalf("round %d shard %d/2: exit %d: %s", round, i, code, errOut)
			}
			codes[i] = code
		}
		if codes == [2]int{0, 0} {
			t.Logf("done after %d rounds", round+1)
			break
		}
	}
	if codes != [2]int{0, 0} {
		t.Fatalf("shards not done after 100 rounds: %v", codes)
	}
	m := filepath.Join(dir, "merged")
	if code, _, errOut := run(t, "calibrate", file, "--merge", a, "--merge", b, "-o", m, "--quiet"); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errOut)
	}
	sameTree(t, "2 shards merged vs one process", filepath.Join(dir, "one"), m)
	// A peer that is not another shard of the same calibration is refused.
	code, _, errOut := run(t, "calibrate", file, "-o", a, "--quiet", "--shard", "0/2", "--resume", "--peer", filepath.Join(dir, "one"))
	if code != exitUsage || !strings.Contains(errOut, "--peer") {
		t.Errorf("a whole store as peer: exit %d: %s", code, errOut)
	}
}

// kill -9 in the middle of a calibration, then --resume: the same files
// as an uninterrupted calibration (as for sweeps).
func TestCalibrateKill9AndResume(t *testing.T) {
	file := writeSmallCalibration(t, func(s string) string {
		return strings.Replace(s, "  runs: 300\n  replications: 6\n", "  runs: 120\n  replications: 3\n", 1)
	})
	tmp := t.TempDir()
	want := filepath.Join(tmp, "want")
	if code, _, errOut := run(t, "calibrate", file, "-o", want, "--quiet", "--workers", "2"); code != 0 {
		t.Fatalf("calibrate: %d\n%s", code, errOut)
	}
	wj, _ := os.ReadFile(filepath.Join(want, "runs.journal"))
	total := bytes.Count(wj, []byte{'\n'})
	got := filepath.Join(tmp, "got")
	cmd := exec.Command(os.Args[0], "calibrate", file, "-o", got, "--quiet", "--workers", "2")
	cmd.Env = append(os.Environ(), "STARTREND_AS_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(120 * time.Second)
	killed := false
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(filepath.Join(got, "runs.journal"))
		if n := bytes.Count(b, []byte{'\n'}); n >= total/2 {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Wait()
	if !killed {
		t.Fatalf("the calibration did not journal %d runs within 120 s", total/2)
	}
	if _, err := os.Stat(filepath.Join(got, "calibrate.json")); err == nil {
		t.Fatal("a killed calibration has calibrate.json")
	}
	if code, _, errOut := run(t, "calibrate", file, "-o", got, "--quiet", "--workers", "1", "--resume"); code != 0 {
		t.Fatalf("resume: %d\n%s", code, errOut)
	}
	sameTree(t, "uninterrupted vs killed and resumed", want, got)
}
