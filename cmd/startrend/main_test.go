package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs the CLI in-process.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = dispatch(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestHelp(t *testing.T) {
	code, out, _ := run(t, "help")
	if code != 0 || !strings.Contains(out, "validate") || !strings.Contains(out, "compare") {
		t.Fatalf("help: %d %q", code, out)
	}
	for _, c := range []string{"run", "validate", "schema", "version", "compare", "optimize", "help"} {
		code, out, _ := run(t, "help", c)
		if code != 0 || !strings.Contains(out, "usage: startrend "+c) {
			t.Errorf("help %s: %d %q", c, code, out)
		}
		code2, out2, _ := run(t, c, "-h")
		if c != "help" && (code2 != 0 || out2 != out) {
			t.Errorf("%s -h differs from help %s", c, c)
		}
	}
	if code, _, errOut := run(t, "help", "rnu"); code != 2 || !strings.Contains(errOut, `did you mean "run"`) {
		t.Errorf("help rnu: %d %q", code, errOut)
	}
	if code, _, _ := run(t); code != 2 {
		t.Errorf("no args: %d", code)
	}
	if code, _, errOut := run(t, "validat"); code != 2 || !strings.Contains(errOut, `did you mean "validate"`) {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "run", "--nope"); code != 2 || !strings.Contains(errOut, "flag provided but not defined") {
		t.Errorf("bad flag: %d %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "startrend ") || !strings.Contains(out, "go1.") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestValidate(t *testing.T) {
	code, out, errOut := run(t, "validate")
	if code != 0 || !strings.HasPrefix(out, "ok: default (hash ") {
		t.Fatalf("validate default: %d %q %q", code, out, errOut)
	}
	lib, _ := filepath.Glob("../../scenarios/*.yaml")
	code, out, errOut = run(t, append([]string{"validate"}, lib...)...)
	if code != 0 || strings.Count(out, "ok: ") != len(lib) {
		t.Fatalf("validate library: %d %q %q", code, out, errOut)
	}

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: x\nhorizon_days: abc\npopulation: {users: -3}\ncreators: {generate: {count: 5}}\nmerchants: [{id: m, budjet: {}}]\n"), 0o644)
	code, out, errOut = run(t, "validate", bad)
	if code != 2 || out != "" {
		t.Fatalf("validate bad: %d %q", code, out)
	}
	for _, want := range []string{
		bad + `:2:15: horizon_days: expected an integer (got "abc")`,
		bad + `:3:21: population.users: out of range (got -3, allowed [1, 2e+08])`,
		bad + `:5:21: merchants.m: unknown field "budjet" (did you mean "budget"?)`,
		"3 problems",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("want %q in\n%s", want, errOut)
		}
	}

	// Flags after the positional argument, and --set errors.
	code, _, errOut = run(t, "validate", lib[0], "--set", "horizon_dayz=3")
	if code != 2 || !strings.Contains(errOut, "--set:1:14: horizon_dayz:") {
		t.Errorf("set after file: %d %q", code, errOut)
	}
	code, out, _ = run(t, "validate", "--resolved", "--set", "horizon_days=40")
	if code != 0 || !strings.Contains(out, "horizon_days: 40\n") || !strings.Contains(out, "impressions_per_active_user: 5") {
		t.Errorf("resolved: %d %q", code, out[:min(len(out), 300)])
	}
	code, out2, _ := run(t, "validate", "--set", "horizon_days=40", "--resolved")
	if code != 0 || out2 != out {
		t.Error("flag order changes the result")
	}
}

func TestSchema(t *testing.T) {
	code, out, _ := run(t, "schema")
	if code != 0 || !strings.Contains(out, `"$schema": "https://json-schema.org/draft/2020-12/schema"`) {
		t.Errorf("schema: %d", code)
	}
	if code, _, _ := run(t, "schema", "extra"); code != 2 {
		t.Errorf("schema extra arg: %d", code)
	}
}

func TestParseInterleaved(t *testing.T) {
	fs := newFlagSet("x")
	n := fs.Int("n", 0, "")
	var sets stringsFlag
	fs.Var(&sets, "set", "")
	q := fs.Bool("q", false, "")
	pos, err := parseInterleaved(fs, []string{"a", "--n", "3", "b", "--set", "x=1", "-q", "--set=y=2", "--", "-c", "--n"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pos, " ") != "a b -c --n" || *n != 3 || !*q || strings.Join(sets, ",") != "x=1,y=2" {
		t.Errorf("pos %q n %d q %v sets %q", pos, *n, *q, sets)
	}
}

func TestRunBadInput(t *testing.T) {
	if code, _, errOut := run(t, "run", "nothere.yaml", "--quiet"); code != 2 || !strings.Contains(errOut, "nothere.yaml: file not found") {
		t.Errorf("missing file: %d %q", code, errOut)
	}
	if code, _, _ := run(t, "run", "a.yaml", "b.yaml"); code != 2 {
		t.Errorf("two files: %d", code)
	}
	if code, _, errOut := run(t, "run", "--reps", "0"); code != 2 || !strings.Contains(errOut, "--reps: 0 is not allowed") {
		t.Errorf("--reps 0: %d %q", code, errOut)
	}
}

// TestRunEndToEnd runs the default scenario, shrunk with --set, into a
// temporary directory.
func TestRunEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, out, errOut := run(t, "run", "--quiet", "-o", dir, "--reps", "2", "--set", "population.users=2000",
		"--set", "creators.generate.count=100", "--set", "horizon_days=40")
	if code != 0 {
		t.Fatalf("run: %d\n%s", code, errOut)
	}
	if strings.TrimSpace(out) != dir {
		t.Errorf("stdout %q, want the directory", out)
	}
	for _, f := range []string{"scenario.yaml", "summary.json", "run.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if code, _, errOut := run(t, "run", "--quiet", "-o", dir); code != 1 || !strings.Contains(errOut, "--force") {
		t.Errorf("second run without --force: %d %q", code, errOut)
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, "sim", false)
	for i := 0; i <= 20; i++ {
		p.Update(i, 20)
	}
	p.SetLabel("best 1.23e6")
	p.Finish()
	if n := strings.Count(b.String(), "\n"); n != 11 {
		t.Errorf("want a line per 10%%, got %d:\n%s", n, b.String())
	}
	b.Reset()
	q := newProgress(&b, "sim", true)
	q.Update(1, 2)
	q.Finish()
	if b.Len() != 0 {
		t.Error("quiet progress printed")
	}
}
