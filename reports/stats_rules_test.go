package reports

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

// TestOneReplicationRule: with one replication summary.json (format 2)
// has each KPI's mean but a null SD and CI with the reason, never a
// zero-width CI (the rule for n < 2 of package stats); the report says so.
func TestOneReplicationRule(t *testing.T) {
	dir := writeSynth(t, t.TempDir(), synthOpts{Seed: 4, Reps: 1, Variants: 1})
	run, err := ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary
	if s.FormatVersion != 2 {
		t.Fatalf("format_version %d, want 2", s.FormatVersion)
	}
	k := s.KPIs["gmv"]
	if !k.Mean.Defined() || k.SD.Defined() || k.CI95[0].Defined() || k.CI95[1].Defined() || k.N != 1 || k.Reason != stats.OneObservation {
		t.Errorf("gmv with one replication: %+v", k)
	}
	d := s.Variants[0].VsBaseline["gmv"]
	if !d.Diff.Mean.Defined() || d.Diff.CI95[0].Defined() || d.Pct.CI95[1].Defined() || d.Reason != stats.OneObservation {
		t.Errorf("difference with one replication: %+v", d)
	}
	for _, b := range s.Breakdowns {
		if b.CI95[0].Defined() {
			t.Fatalf("breakdown %+v has a CI from one replication", b)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, SummaryFile))
	if !strings.Contains(string(raw), `"ci95": [
        null,
        null
      ]`) && !strings.Contains(string(raw), `"ci95":[null,null]`) {
		t.Error("summary.json: the CI of a one-replication KPI is not null")
	}
	md, _ := os.ReadFile(filepath.Join(dir, ReportMDFile))
	if !strings.Contains(string(md), "(no interval: "+stats.OneObservation+")") {
		t.Error("report.md does not say why there is no interval")
	}
	if v := Verdict(s, &s.Variants[0]); !strings.Contains(v, "cannot be compared with the baseline ("+stats.OneObservation+")") {
		t.Errorf("verdict %q does not say why", v)
	}
}

// TestSummaryFormat1: a version-1 summary.json (zero-width CIs from one
// replication) is read and upgraded to the rule for n < 2; compare reads
// a version-1 run against a version-2 one; an unknown version is refused.
func TestSummaryFormat1(t *testing.T) {
	root := t.TempDir()
	old := writeSynthAt(t, filepath.Join(root, "old"), synthOpts{Seed: 5, Reps: 1})
	cur := writeSynthAt(t, filepath.Join(root, "cur"), synthOpts{Seed: 5, Reps: 1})
	path := filepath.Join(old, SummaryFile)
	var s Summary
	raw, _ := os.ReadFile(path)
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	// Write it as version 1 did.
	s.FormatVersion = 1
	for name, k := range s.KPIs {
		if k.N == 1 {
			k.SD, k.CI95, k.Reason = 0, [2]Num{k.Mean, k.Mean}, ""
			s.KPIs[name] = k
		}
	}
	for i := range s.Breakdowns {
		s.Breakdowns[i].CI95 = [2]Num{s.Breakdowns[i].Mean, s.Breakdowns[i].Mean}
	}
	write := func(s Summary) {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(s)
	// run.json as version 1 wrote it.
	runPath := filepath.Join(old, RunFile)
	rj, _ := os.ReadFile(runPath)
	rj = []byte(strings.Replace(string(rj), `"format_version": 2`, `"format_version": 1`, 1))
	if !strings.Contains(string(rj), `"format_version": 1`) {
		t.Fatalf("run.json: %s", rj)
	}
	if err := os.WriteFile(runPath, rj, 0o644); err != nil {
		t.Fatal(err)
	}
	run, err := ReadRun(old)
	if err != nil {
		t.Fatal(err)
	}
	k := run.Summary.KPIs["gmv"]
	if run.Summary.FormatVersion != FormatVersion || k.CI95[0].Defined() || k.SD.Defined() || k.Reason != stats.OneObservation {
		t.Errorf("version 1 upgraded: version %d, gmv %+v", run.Summary.FormatVersion, k)
	}
	if run.Summary.Breakdowns[0].CI95[0].Defined() {
		t.Errorf("version 1 breakdown not upgraded: %+v", run.Summary.Breakdowns[0])
	}
	if code, _, errs := compareDirs(t, old, cur); code != 0 {
		t.Errorf("compare version 1 vs 2: exit %d: %s", code, errs)
	}
	s.FormatVersion = 3
	write(s)
	if _, err := ReadRun(old); err == nil || !strings.Contains(err.Error(), "reads 1 to 2") {
		t.Errorf("version 3: %v", err)
	}
}

// TestBreakdownROIRule: a breakdown "roi" row is stats.ROI of the key's
// gmv and spend (undefined where it spent nothing), not the engine's 0:
// gmv 500, 300, 100 over spend 100, 0, 50 → ROI 5, undefined, 2 → mean
// 3.5 over the two defined replications (the engine's zeros would give
// 7/3).
func TestBreakdownROIRule(t *testing.T) {
	v := &sim.VariantResult{Name: "baseline"}
	for r, gs := range [][2]float64{{500, 100}, {300, 0}, {100, 50}} {
		roi := 0.0
		if gs[1] > 0 {
			roi = gs[0] / gs[1]
		}
		_ = r
		v.Reps = append(v.Reps, sim.RepResult{Breakdown: []sim.BreakdownRow{
			{Dimension: "merchant", Key: "m", Metric: "gmv", Value: gs[0]},
			{Dimension: "merchant", Key: "m", Metric: "spend", Value: gs[1]},
			{Dimension: "merchant", Key: "m", Metric: "roi", Value: roi},
		}})
	}
	// A merchant's ROI (summary.json's merchants section) by the same rule.
	if xs, ok := merchantValues(v, "m", "roi"); !ok || xs[0] != 5 || !math.IsNaN(xs[1]) || xs[2] != 2 {
		t.Errorf("merchant roi %v, want [5 NaN 2]", xs)
	}
	bs := breakdownStats(v)
	if got := float64(bs[2].Mean); got != 3.5 {
		t.Errorf("roi mean %v, want 3.5", got)
	}
	if got := float64(bs[0].Mean); got != 300 {
		t.Errorf("gmv mean %v, want 300", got)
	}
}

// TestCompareStatistics: compare's unpaired difference is Welch's and its
// paired one Student's on the differences; reference values from R on the
// sleep data: t.test(x, y) gives [−3.3654832, 0.2054832], t.test(x, y,
// paired = TRUE) [−2.4598858, −0.7001142], x − y = −1.58.
func TestCompareStatistics(t *testing.T) {
	x := []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	y := []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
	m := MetricDecl{Name: "extra", HigherIsBetter: true}
	for _, c := range []struct {
		paired bool
		lo, hi float64
	}{{false, -3.3654832, 0.2054832}, {true, -2.4598858, -0.7001142}} {
		kc := compareKPI(m, y, x, c.paired) // candidate x − base y
		if d := float64(kc.Diff.Mean); math.Abs(d+1.58) > 1e-12 ||
			math.Abs(float64(kc.Diff.CI95[0])-c.lo) > 1e-7 || math.Abs(float64(kc.Diff.CI95[1])-c.hi) > 1e-7 {
			t.Errorf("paired=%v: diff %v, want −1.58 [%v, %v]", c.paired, kc.Diff, c.lo, c.hi)
		}
	}
	if kc := compareKPI(m, []float64{3}, []float64{4}, true); kc.Verdict != "undefined" || kc.Diff.CI95[0].Defined() {
		t.Errorf("one replication each: %+v, want an undefined interval and verdict", kc)
	}
}
