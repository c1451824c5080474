package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// eNumber matches a number in e-notation standing on its own ("2.407e+06",
// "1e-05"), not hex inside a hash ("56433e4" follows other hex digits).
var eNumber = regexp.MustCompile(`(^|[^0-9A-Za-z_.])[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+($|[^0-9A-Za-z_])`)

// Issue 16 (plain numbers): no report text a person reads — report.md and
// report.html of a run, an optimisation, a sweep, a sensitivity study and a
// calibration,
// compare.md and the
// terminal verdicts — writes a number in e-notation. The scan covers every
// generated .md and .html file and stdout/stderr.
func TestReportsHaveNoENotation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an optimisation")
	}
	for s, want := range map[string]bool{"vs baseline +2.407e+06 [2.259e+06,": true, "(got -3, allowed [1, 2e+08])": true,
		"hash 28be1bea8344e2cf6e7e9cb": false, "x1e5": false, "1.5 M": false} {
		if eNumber.MatchString(s) != want {
			t.Fatalf("the scan's pattern on %q: %v, want %v", s, !want, want)
		}
	}
	tmp := t.TempDir()
	texts := map[string]string{}
	step := func(name string, args ...string) {
		t.Helper()
		code, out, errOut := run(t, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", name, code, errOut)
		}
		texts[name+" (stdout)"], texts[name+" (stderr)"] = out, errOut
	}
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	step("run", append([]string{"run", "-o", a}, tinyRun...)...)
	step("run --seed 5", append([]string{"run", "-o", b, "--seed", "5"}, tinyRun...)...)
	// Without --quiet: the progress lines and the closing throughput.
	step("run (progress)", append([]string{"run", "-o", filepath.Join(tmp, "progress")}, tinyRun[1:]...)...)
	step("compare", "compare", a, b, "-o", filepath.Join(tmp, "cmp"))
	lib, _ := filepath.Abs(filepath.Join("..", "..", "scenarios", "apparel-launch.yaml"))
	step("optimize", append([]string{"optimize", lib, "-o", filepath.Join(tmp, "opt")}, tinyOptimize...)...)
	step("sweep", "sweep", tinySweep, "--quiet", "-o", filepath.Join(tmp, "sweep"))
	step("sensitivity", sensArgs(filepath.Join(tmp, "sens"))...)
	step("calibrate", "calibrate", "testdata/calibrate-small.yaml", "--quiet", "--workers", "2", "-o", filepath.Join(tmp, "cal"))
	err := filepath.Walk(tmp, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || !(strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".html")) {
			return err
		}
		raw, err := os.ReadFile(p)
		texts[p] = string(raw)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for name, text := range texts {
		if strings.HasSuffix(name, ".md") || strings.HasSuffix(name, ".html") {
			files++
		}
		for i, line := range strings.Split(text, "\n") {
			if m := eNumber.FindString(line); m != "" {
				t.Errorf("%s:%d: e-notation %q in %q", name, i+1, strings.TrimSpace(m), clip(line))
			}
		}
	}
	if files < 11 {
		t.Errorf("only %d report files scanned", files)
	}
}

func clip(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

// Issue 16 (compare): two runs of one scenario that differ only in --seed
// are told apart from a changed scenario — "seeds differ", unpaired — and a
// changed field is named; neither run directory is written into.
func TestCompareSeedsDifferFromScenariosDiffer(t *testing.T) {
	tmp := t.TempDir()
	a, b, c := filepath.Join(tmp, "a"), filepath.Join(tmp, "b"), filepath.Join(tmp, "c")
	for _, r := range []struct {
		dir  string
		more []string
	}{{a, nil}, {b, []string{"--seed", "5"}}, {c, []string{"--set", "horizon_days=41"}}} {
		if code, _, e := run(t, append(append([]string{"run", "-o", r.dir}, tinyRun...), r.more...)...); code != 0 {
			t.Fatalf("run: %d %s", code, e)
		}
	}
	code, out, e := run(t, "compare", a, b)
	if code != 0 || !strings.Contains(e, "The seeds differ (base seed") || !strings.Contains(e, "the scenario is the same") ||
		strings.Contains(e, "scenarios differ") || !strings.Contains(out, "unpaired (Welch): the seeds differ") {
		t.Errorf("seed only: %d\nstdout %s\nstderr %s", code, out, e)
	}
	md, err := os.ReadFile(filepath.Join(tmp, "a-vs-b", "compare.md"))
	if err != nil || !strings.Contains(string(md), "The seeds differ") {
		t.Errorf("a-vs-b/compare.md: %v\n%s", err, md)
	}
	if _, err := os.Stat(filepath.Join(b, "compare")); !os.IsNotExist(err) {
		t.Errorf("compare wrote into the candidate run: %v", err)
	}
	code, _, e = run(t, "compare", a, c)
	if code != 0 || !strings.Contains(e, "The scenarios differ (base hash") || !strings.Contains(e, "the scenarios differ in horizon_days") {
		t.Errorf("horizon changed: %d %s", code, e)
	}
}
