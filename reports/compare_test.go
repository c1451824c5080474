package reports

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeSynthAt(t testing.TB, out string, o synthOpts) string {
	t.Helper()
	err := WriteRunDir(out, RunInput{ScenarioYAML: []byte(synthYAML), Result: synthResult(o), Warn: io.Discard}, false)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compareDirs(t *testing.T, base, cand string, rules ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := CompareDirs(base, cand, "", rules, CompareOptions{Warn: io.Discard}, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestCompareIdenticalRunsPass(t *testing.T) {
	root := t.TempDir()
	a := writeSynthAt(t, filepath.Join(root, "a"), synthOpts{Seed: 5, Variants: 1})
	b := writeSynthAt(t, filepath.Join(root, "b"), synthOpts{Seed: 5, Variants: 1})
	code, out, errs := compareDirs(t, a, b, "gmv:-2%", "spend:+5%", "roi:-0.1", "orders:-0%", "gmv:-2%@95", "profit:+1%@95")
	if code != CompareOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var c Comparison
	js, err := os.ReadFile(filepath.Join(DefaultCompareDir(a, b), CompareJSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &c); err != nil {
		t.Fatal(err)
	}
	if !c.Passed || !c.Paired || !c.SameScenario || len(c.Rules) != 6 || len(c.KPIs) != len(synthMetrics) {
		t.Errorf("compare.json: passed %v paired %v same %v rules %d kpis %d", c.Passed, c.Paired, c.SameScenario, len(c.Rules), len(c.KPIs))
	}
	md, _ := os.ReadFile(filepath.Join(DefaultCompareDir(a, b), CompareMDFile))
	if !strings.Contains(string(md), "✅ passed") || strings.Contains(string(md), "scenarios differ") {
		t.Errorf("compare.md:\n%s", md)
	}
	for _, f := range []string{"compare_diff.png", "compare_kpi_gmv.svg", "compare_series_gmv.png"} {
		if _, err := os.Stat(filepath.Join(DefaultCompareDir(a, b), PlotsDir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	// Neither run directory is written into: the comparison is the
	// sibling a-vs-b.
	if got := DefaultCompareDir(a, b); got != filepath.Join(root, "a-vs-b") {
		t.Errorf("default output %s", got)
	}
	if _, err := os.Stat(filepath.Join(b, CompareDirName)); !os.IsNotExist(err) {
		t.Errorf("the candidate run was written into: %v", err)
	}
	if !strings.Contains(string(md), "All 6 rules passed. Candidate against base, at 95%: 0 KPIs better, 0 worse, ") {
		t.Errorf("compare.md lacks the summary:\n%s", md)
	}
	if !strings.Contains(out, "ok   orders:-0% — orders: base") || !strings.Contains(out, "no drop at all") || strings.Contains(out, "allowed a drop") {
		t.Errorf("rule wording:\n%s", out)
	}
	// Comparing again into the same directory needs --force (Force).
	if code, _, errs := compareDirs(t, a, b, "gmv:-2%"); code != CompareBadInput || !strings.Contains(errs, "use --force to replace it") {
		t.Errorf("second compare without --force: %d %s", code, errs)
	}
	var so, se bytes.Buffer
	if code := CompareDirs(a, b, "", []string{"gmv:-2%"}, CompareOptions{Warn: io.Discard, Force: true}, &so, &se); code != CompareOK {
		t.Errorf("second compare with --force: %d %s", code, se.String())
	}
}

func TestCompareHalvedBudgetFails(t *testing.T) {
	root := t.TempDir()
	a := writeSynthAt(t, filepath.Join(root, "a"), synthOpts{Seed: 5})
	b := writeSynthAt(t, filepath.Join(root, "b"), synthOpts{Seed: 5, Budget: 0.5})
	code, out, errs := compareDirs(t, a, b, "gmv:-2%", "spend:+5%")
	if code != CompareViolation {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "FAIL gmv:-2% — GMV: base 6,") || !strings.Contains(out, "candidate 4,") || !strings.Contains(out, "more than 2% below the base") {
		t.Errorf("stdout does not name the KPI with both values:\n%s", out)
	}
	if !strings.Contains(out, "ok   spend:+5%") {
		t.Errorf("spend halved should pass a rise limit:\n%s", out)
	}
	md, _ := os.ReadFile(filepath.Join(DefaultCompareDir(a, b), CompareMDFile))
	if !strings.Contains(string(md), "❌ FAILED — 1 rule(s) violated") || !strings.Contains(string(md), "❌ **FAIL**") {
		t.Errorf("compare.md:\n%s", md)
	}
}

func TestCompareNoiseAware(t *testing.T) {
	root := t.TempDir()
	a := writeSynthAt(t, filepath.Join(root, "a"), synthOpts{Seed: 5})
	// A 1% drop with another seed: inside the noise (3% per replication).
	b := writeSynthAt(t, filepath.Join(root, "b"), synthOpts{Seed: 6, Shift: -0.01})
	code, out, errs := compareDirs(t, a, b, "gmv:-0.5%@95")
	if code != CompareOK {
		t.Errorf("noise-aware rule failed on a change inside the noise: %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "unpaired (Welch): the seeds differ") || !strings.Contains(errs, "scenarios differ") {
		t.Errorf("pairing/hash not reported:\nstdout %s\nstderr %s", out, errs)
	}
	md, _ := os.ReadFile(filepath.Join(DefaultCompareDir(a, b), CompareMDFile))
	if !strings.Contains(string(md), "The scenarios differ (base hash") {
		t.Error("compare.md does not say the scenarios differ")
	}
	// The same 1% drop under common random numbers (same seed): the paired
	// CI is narrow, so the noise-aware rule sees it.
	c := writeSynthAt(t, filepath.Join(root, "c"), synthOpts{Seed: 5, Shift: -0.01})
	if code, out, _ := compareDirs(t, a, c, "gmv:-0.5%@95"); code != CompareViolation {
		t.Errorf("paired 1%% drop passed a -0.5%%@95 rule: %d\n%s", code, out)
	}
}

func TestCompareBadInput(t *testing.T) {
	root := t.TempDir()
	a := writeSynthAt(t, filepath.Join(root, "a"), synthOpts{Seed: 5, Reps: 3, Days: 10})
	b := writeSynthAt(t, filepath.Join(root, "b"), synthOpts{Seed: 5, Reps: 3, Days: 10})
	unfinished := filepath.Join(root, "u")
	os.MkdirAll(unfinished, 0o755)
	os.WriteFile(filepath.Join(unfinished, SummaryFile), []byte("{}"), 0o644)
	for _, tc := range []struct {
		name, base, cand string
		rules            []string
		want             string
	}{
		{"unfinished", a, unfinished, nil, "not a finished run (run.json missing/incomplete)"},
		{"missing dir", filepath.Join(root, "nope"), b, nil, "no such run directory"},
		{"unsigned rule", a, b, []string{"gmv:2%"}, "needs a sign"},
		{"bad number", a, b, []string{"gmv:-x%"}, "not a number"},
		{"only @95", a, b, []string{"gmv:@95"}, "no CHANGE before @95"},
		{"unknown KPI", a, b, []string{"happiness:-1%"}, `no KPI "happiness"`},
	} {
		code, _, errs := compareDirs(t, tc.base, tc.cand, tc.rules...)
		if code != CompareBadInput || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.name, code, errs, tc.want)
		}
	}
	// A KPI the candidate lacks.
	res := synthResult(synthOpts{Seed: 5, Reps: 3, Days: 10})
	res.Metrics = res.Metrics[:3]
	c := filepath.Join(root, "c")
	if err := WriteRunDir(c, RunInput{ScenarioYAML: []byte(synthYAML), Result: res, Warn: io.Discard}, false); err != nil {
		t.Fatal(err)
	}
	code, _, errs := compareDirs(t, a, c, "roi:-0.1")
	if code != CompareBadInput || !strings.Contains(errs, `KPI "roi" is missing from the candidate`) {
		t.Errorf("missing KPI: exit %d, %s", code, errs)
	}
	// Not a rule: compare without rules still passes and lists the KPIs in one run only.
	if code, _, errs := compareDirs(t, a, c); code != CompareOK {
		t.Errorf("no rules: %d %s", code, errs)
	}
}

func TestParseRule(t *testing.T) {
	for in, want := range map[string]Rule{
		"gmv:-2%":       {Text: "gmv:-2%", KPI: "gmv", Change: -2, Relative: true},
		"spend:+5%":     {Text: "spend:+5%", KPI: "spend", Change: 5, Relative: true},
		"roi:-0.1":      {Text: "roi:-0.1", KPI: "roi", Change: -0.1},
		"gmv:-2%@95":    {Text: "gmv:-2%@95", KPI: "gmv", Change: -2, Relative: true, NoiseAware: true},
		"orders:+10@95": {Text: "orders:+10@95", KPI: "orders", Change: 10, NoiseAware: true},
	} {
		got, err := ParseRule(in)
		if err != nil || got != want {
			t.Errorf("ParseRule(%q) = %+v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"gmv", "gmv:", ":-2%", "gmv:2%", "gmv:-2%@90", "gmv:-abc", "gmv:-NaN"} {
		if _, err := ParseRule(bad); err == nil {
			t.Errorf("ParseRule(%q) accepted", bad)
		}
	}
}
