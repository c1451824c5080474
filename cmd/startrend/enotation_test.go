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
// report.html of a run, an optimisation and a sweep, compare.md and the
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
	step("compare", "compare", a, b, "-o", filepath.Join(tmp, "cmp"))
	lib, _ := filepath.Abs(filepath.Join("..", "..", "scenarios", "apparel-launch.yaml"))
	step("optimize", append([]string{"optimize", lib, "-o", filepath.Join(tmp, "opt")}, tinyOptimize...)...)
	step("sweep", "sweep", tinySweep, "--quiet", "-o", filepath.Join(tmp, "sweep"))
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
	if files < 7 {
		t.Errorf("only %d report files scanned", files)
	}
}

func clip(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}
