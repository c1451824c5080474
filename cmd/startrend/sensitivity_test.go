package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tinySensitivity shrinks scenarios/sensitivity.yaml to a market that
// simulates in milliseconds and three parameters (one an integer field),
// with the stop rule on so that the Sobol design is extended.
func tinySensitivity() []string {
	return []string{
		"--set", "population.users=1000", "--set", "horizon_days=20", "--set", "warmup_days=0",
		"--set", "campaigns.super_value.window=[2, 5]", "--set", "creators.generate.count=40",
		"--set", "sensitivity.parameters=[{path: platform.cpm, min: 20, max: 80}, {path: platform.base_rates.o_a1, min: 0.025, max: 0.1}, {path: platform.decay_days.a1, min: 7, max: 28}]",
		"--set", "sensitivity.kpis=[gmv, roi, merchant.glow_beauty.gmv]",
		"--set", "sensitivity.n=4", "--set", "sensitivity.max_n=8", "--set", "sensitivity.until_ci=0.01",
		"--set", "sensitivity.trajectories=4", "--set", "sensitivity.candidates=0", "--set", "sensitivity.resamples=100",
		"--set", "sensitivity.replications=2",
	}
}

const sensLibrary = "../../scenarios/sensitivity.yaml"

func sensArgs(dir string, extra ...string) []string {
	a := append([]string{"sensitivity", sensLibrary, "-o", dir, "--quiet"}, tinySensitivity()...)
	return append(a, extra...)
}

// sameFiles fails unless every listed file is byte-identical in a and b.
func sameFilesIn(t *testing.T, a, b string, files ...string) {
	t.Helper()
	for _, f := range files {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s", f, a, b)
		}
	}
}

var sensFiles = []string{"sensitivity.json", "sobol.csv", "morris.csv", "oat.csv", "convergence.csv", "rows.csv", "rows.parquet", "points.csv", "runs.journal", "report.md"}

// Same design and seed ⇒ identical files for --workers 1 and 3, for two
// shards merged (the merge then runs the stop rule's later passes), and for
// a study interrupted and resumed.
func TestSensitivityDeterministicWorkersShardsResume(t *testing.T) {
	tmp := t.TempDir()
	one, three := filepath.Join(tmp, "w1"), filepath.Join(tmp, "w3")
	if code, _, e := run(t, sensArgs(one, "--workers", "1")...); code != 0 {
		t.Fatalf("workers 1: exit %d: %s", code, e)
	}
	if code, _, e := run(t, sensArgs(three, "--workers", "3")...); code != 0 {
		t.Fatalf("workers 3: exit %d: %s", code, e)
	}
	sameFilesIn(t, one, three, sensFiles...)
	// the stop rule extended the design: more than one Sobol pass (read
	// from the passes, not convergence.csv, which has rows only where a
	// KPI's indices are defined: in this tiny study the factors' variance
	// may be indistinguishable from noise, depending on the random stream)
	var study struct {
		Sobol struct {
			Passes []struct {
				N int `json:"n"`
			} `json:"passes"`
		} `json:"sobol"`
	}
	if b, err := os.ReadFile(filepath.Join(one, "sensitivity.json")); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &study); err != nil {
		t.Fatal(err)
	}
	if ps := study.Sobol.Passes; len(ps) < 2 || ps[len(ps)-1].N != 8 {
		t.Errorf("the Sobol design was not extended to N = 8: passes %+v", ps)
	}

	s0, s1, merged := filepath.Join(tmp, "s0"), filepath.Join(tmp, "s1"), filepath.Join(tmp, "merged")
	for i, d := range []string{s0, s1} {
		code, _, e := run(t, sensArgs(d, "--shard", []string{"0/2", "1/2"}[i])...)
		if code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, e)
		}
		if _, err := os.Stat(filepath.Join(d, "sensitivity.json")); err == nil {
			t.Fatalf("shard %d wrote a result: a shard has only part of the runs", i)
		}
	}
	if code, _, e := run(t, sensArgs(merged, "--merge", s0, "--merge", s1)...); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, e)
	}
	sameFilesIn(t, one, merged, sensFiles...)
	// a missing shard is named
	if code, _, e := run(t, sensArgs(filepath.Join(tmp, "bad"), "--merge", s0)...); code == 0 || !strings.Contains(e, "missing") {
		t.Errorf("merge of one shard of two: exit %d: %s", code, e)
	}

	// interrupted after a moment, then resumed
	resumed := filepath.Join(tmp, "resumed")
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	var o, e bytes.Buffer
	code := dispatch(ctx, sensArgs(resumed, "--workers", "2"), &o, &e)
	cancel()
	if code != exitInterrupted {
		t.Logf("first run was not interrupted (exit %d); resume then re-reads a finished study", code)
	}
	if code, _, e := run(t, sensArgs(resumed, "--resume", "--workers", "2")...); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, e)
	}
	sameFilesIn(t, one, resumed, sensFiles...)
	// a second run into the same directory without --resume or --force
	if code, _, _ := run(t, sensArgs(one)...); code != exitFailure {
		t.Errorf("rerun into a study directory: exit %d, want %d", code, exitFailure)
	}
}

// Bad input ⇒ exit 2 with the file, line and column of the offending
// value and what is allowed.
func TestSensitivityBadInput(t *testing.T) {
	dir := t.TempDir()
	base, err := filepath.Abs("../../scenarios/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write := func(block string) string {
		p := filepath.Join(dir, "s.yaml")
		if err := os.WriteFile(p, []byte("name: s\nextends: "+base+"\nsensitivity:\n"+block), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := "  kpis: [gmv]\n  parameters:\n    - {path: platform.cpm, min: 20, max: 80}\n"
	for _, tc := range []struct {
		name, block string
		want        string // a regexp the message must match
	}{
		{"unknown path", "  kpis: [gmv]\n  parameters:\n    - {path: platform.cmp, min: 20, max: 80}\n", `s\.yaml:6:\d+: sensitivity\.parameters\.0\.path: .*"cmp".*did you mean "cpm"`},
		{"reversed bounds", "  kpis: [gmv]\n  parameters:\n    - {path: platform.cpm, min: 80, max: 20}\n", `s\.yaml:6:\d+: sensitivity\.parameters\.0: bounds reversed`},
		{"empty range", "  kpis: [gmv]\n  parameters:\n    - {path: platform.cpm, min: 20, max: 20}\n", `s\.yaml:6:\d+: sensitivity\.parameters\.0: an empty range`},
		{"bound the field refuses", "  kpis: [gmv]\n  parameters:\n    - {path: platform.follow_share, min: 0.1, max: 1.5}\n", `s\.yaml:6:\d+: sensitivity\.parameters\.0\.max: makes the scenario invalid`},
		{"N not a power of two", good + "  n: 100\n", `s\.yaml:7:6: sensitivity\.n: must be a power of two .*\(got 100`},
		{"too few trajectories", good + "  trajectories: 2\n", `s\.yaml:7:17: sensitivity\.trajectories: too few Morris trajectories \(got 2, allowed ≥ 4\)`},
		{"odd levels", good + "  levels: 3\n", `s\.yaml:7:\d+: sensitivity\.levels: Morris levels must be even`},
		{"unknown KPI", "  kpis: [gmv, rio]\n  parameters:\n    - {path: platform.cpm, min: 20, max: 80}\n", `s\.yaml:4:\d+: sensitivity\.kpis\.1: unknown KPI \(did you mean "roi"\?\)`},
		{"unknown merchant", "  kpis: [merchant.nobody.gmv]\n  parameters:\n    - {path: platform.cpm, min: 20, max: 80}\n", `s\.yaml:4:\d+: sensitivity\.kpis\.0: unknown merchant`},
		{"unknown method", good + "  method: sobl\n", `s\.yaml:7:\d+: sensitivity\.method`},
		{"a text field", "  kpis: [gmv]\n  parameters:\n    - {path: merchants.spring_jacket.budget.pacing, min: 0, max: 1}\n", `s\.yaml:6:\d+: sensitivity\.parameters\.0\.path: min/max need a numeric field`},
	} {
		p := write(tc.block)
		code, _, e := run(t, "sensitivity", p, "-o", filepath.Join(dir, "out"), "--quiet")
		if code != exitUsage || !regexp.MustCompile(tc.want).MatchString(e) {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit 2 matching %s", tc.name, code, e, tc.want)
		}
	}
	p := write(good)
	for _, flags := range [][]string{{"--n", "100"}, {"--until-ci", "-1"}, {"--shard", "2/2"}, {"--method", "sobl"}, {"--workers", "-1"}} {
		code, _, e := run(t, append([]string{"sensitivity", p, "-o", filepath.Join(dir, "out"), "--quiet"}, flags...)...)
		if code != exitUsage || !strings.Contains(e, flags[0]) {
			t.Errorf("%v: exit %d: %s", flags, code, e)
		}
	}
	noBlock := filepath.Join(dir, "n.yaml")
	os.WriteFile(noBlock, []byte("name: n\nextends: "+base+"\n"), 0o644)
	if code, _, e := run(t, "sensitivity", noBlock, "-o", filepath.Join(dir, "out")); code != exitUsage || !strings.Contains(e, "no sensitivity block") {
		t.Errorf("no block: exit %d: %s", code, e)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Errorf("bad input created the output directory")
	}
}

// The output-directory rule holds for sensitivity as for every command: a
// directory startrend did not write is refused, --force or not, and left
// intact; a finished study carries the marker listing its files, so a file
// added to it later makes --force refuse too.
func TestSensitivityOutputDirectory(t *testing.T) {
	tmp := t.TempDir()
	foreign := filepath.Join(tmp, "thesis")
	mkfiles(t, foreign, "thesis.tex", "data/survey.csv")
	for _, more := range [][]string{nil, {"--force"}} {
		if code, _, e := run(t, sensArgs(foreign, more...)...); code == 0 || !strings.Contains(e, "not a startrend output directory") {
			t.Errorf("sensitivity -o over a foreign directory %v: exit %d: %s", more, code, e)
		}
		assertIntact(t, foreign, "thesis.tex", "data/survey.csv")
	}
	dir := filepath.Join(tmp, "study")
	if code, _, e := run(t, sensArgs(dir)...); code != 0 {
		t.Fatalf("sensitivity: exit %d: %s", code, e)
	}
	marker, err := os.ReadFile(filepath.Join(dir, ".startrend.json"))
	if err != nil || !strings.Contains(string(marker), `"sensitivity"`) || !strings.Contains(string(marker), "sensitivity.json") {
		t.Fatalf("no complete sensitivity marker: %s %v", marker, err)
	}
	if code, _, e := run(t, sensArgs(dir, "--force")...); code != 0 {
		t.Fatalf("sensitivity --force over its own study: exit %d: %s", code, e)
	}
	mkfiles(t, dir, "notes.md")
	if code, _, e := run(t, sensArgs(dir, "--force")...); code == 0 {
		t.Errorf("sensitivity --force over its study holding a foreign file succeeded: %s", e)
	}
	assertIntact(t, dir, "notes.md")
}
