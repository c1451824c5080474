package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/startrend/startrend/internal/safeio"
)

// Tests of the numbered failures of issue 17 ("nothing lost, nothing
// leaked"), each reproducing the reported case through the command line.

func mkfiles(t *testing.T, dir string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("precious "+f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func assertIntact(t *testing.T, dir string, files ...string) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || string(b) != "precious "+f {
			t.Errorf("%s damaged: %q %v", f, b, err)
		}
	}
}

func tinyRunDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, e := run(t, append([]string{"run", "-o", dir}, tinyRun...)...); code != 0 {
		t.Fatalf("tiny run: %d %s", code, e)
	}
	return dir
}

// Failure 1: optimize -o DIR deleted a directory that is not a run.
func TestIssue17OptimizeKeepsForeignDir(t *testing.T) {
	r := filepath.Join(t.TempDir(), "R")
	files := []string{".git/HEAD", "src/main.go", "README.md"}
	mkfiles(t, r, files...)
	lib := filepath.Join("..", "..", "scenarios", "apparel-launch.yaml")
	for _, force := range []bool{false, true} {
		args := append([]string{"optimize", lib, "-o", r}, tinyOptimize...)
		if force {
			args = append(args, "--force")
		}
		code, _, _ := run(t, args...)
		if code == 0 {
			t.Errorf("optimize -o over a foreign directory (force %v) succeeded", force)
		}
		assertIntact(t, r, files...)
	}
}

// Failure 2: run --force deleted a directory holding any summary.json;
// compare -o replaced any directory holding a compare.json.
func TestIssue17ForceKeepsNonRunDir(t *testing.T) {
	d := filepath.Join(t.TempDir(), "d")
	mkfiles(t, d, "summary.json", "thesis.tex")
	code, _, e := run(t, append([]string{"run", "-o", d, "--force"}, tinyRun...)...)
	if code == 0 || !strings.Contains(e, "not a startrend output directory") {
		t.Errorf("run --force over a foreign directory: %d %q", code, e)
	}
	assertIntact(t, d, "summary.json", "thesis.tex")

	runDir := tinyRunDir(t)
	c := filepath.Join(t.TempDir(), "c")
	mkfiles(t, c, "compare.json", "notes.md")
	code, _, e = run(t, "compare", runDir, runDir, "-o", c)
	if code != 2 || !strings.Contains(e, "not a startrend output directory") {
		t.Errorf("compare -o over a foreign directory: %d %q", code, e)
	}
	assertIntact(t, c, "compare.json", "notes.md")
	// Its own comparison is replaced with --force (refused without), a run
	// directory is not, --force or not.
	c2 := filepath.Join(t.TempDir(), "c2")
	if code, _, e := run(t, "compare", runDir, runDir, "-o", c2); code != 0 {
		t.Fatalf("compare: %d %s", code, e)
	}
	if code, _, e := run(t, "compare", runDir, runDir, "-o", c2); code != 2 || !strings.Contains(e, "use --force to replace it") {
		t.Errorf("compare again without --force: %d %q", code, e)
	}
	if code, _, e := run(t, "compare", runDir, runDir, "-o", c2, "--force"); code != 0 {
		t.Fatalf("compare again with --force: %d %s", code, e)
	}
	other := tinyRunDir(t)
	for _, more := range [][]string{nil, {"--force"}} {
		args := append([]string{"compare", runDir, runDir, "-o", other}, more...)
		if code, _, e := run(t, args...); code != 2 || !strings.Contains(e, "a run output") {
			t.Errorf("compare -o over a run directory (%v): %d %q", args, code, e)
		}
	}
}

// Failure 3: unbounded reads of /dev/zero, FIFOs and endless stdin.
func TestIssue17BoundedReads(t *testing.T) {
	dir := t.TempDir()
	ext := filepath.Join(dir, "ext.yaml")
	os.WriteFile(ext, []byte("extends: /dev/zero\nname: x\n"), 0o644)
	roster := filepath.Join(dir, "roster.yaml")
	os.WriteFile(roster, []byte("extends: "+filepath.Join("..", "..", "..", "..", mustAbs(t, "../../scenarios/default.yaml"))+"\ncreators:\n  roster: /dev/zero\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"validate", "/dev/zero"}, "not a regular file"},
		{[]string{"validate", "/dev/stdin"}, "not a regular file"},
		{[]string{"validate", ext}, "not a regular file"},
		{[]string{"validate", mustAbs(t, "../../scenarios/default.yaml"), "--set", "creators.roster=/dev/zero"}, "not a regular file"},
		{[]string{"run", "--font", "/dev/zero", "-o", filepath.Join(dir, "o")}, "not a regular file"},
	} {
		code, _, e := run(t, c.args...)
		if code != 2 || !strings.Contains(e, c.want) {
			t.Errorf("%v: %d %q, want exit 2 and %q", c.args, code, e, c.want)
		}
	}
	old := safeio.Stdin
	defer func() { safeio.Stdin = old }()
	safeio.Stdin = io.LimitReader(yes{}, 1<<40) // yes | startrend validate -
	if code, _, e := run(t, "validate", "-"); code != 2 || !strings.Contains(e, "larger than the 16 MiB limit") {
		t.Errorf("validate - on endless stdin: %d %q", code, e)
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type yes struct{}

func (yes) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = "y\n"[i%2]
	}
	return len(p), nil
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(s)
	f.Close()
}

// Failure 4 and 12 (compare): replication indexes past the declared
// replications, another format version, a garbage scenario.yaml.
func TestIssue17CompareRefusesBadRuns(t *testing.T) {
	good := tinyRunDir(t)
	copyRun := func() string {
		d := filepath.Join(t.TempDir(), "copy")
		os.CopyFS(d, os.DirFS(good))
		return d
	}
	for name, c := range map[string]struct {
		edit func(d string)
		want string
	}{
		"2^20 replication": {func(d string) {
			appendFile(t, filepath.Join(d, "replications.csv"), strings.Repeat("baseline,1048576,gmv,1\n", 200))
		}, "replication 1048576, but summary.json declares 2 replications"},
		"replication 7 of 2": {func(d string) {
			appendFile(t, filepath.Join(d, "replications.csv"), "baseline,7,gmv,1\n")
		}, "replication 7"},
		"format version": {func(d string) {
			b, _ := os.ReadFile(filepath.Join(d, "run.json"))
			os.WriteFile(filepath.Join(d, "run.json"), regexp.MustCompile(`"format_version": \d+`).ReplaceAll(b, []byte(`"format_version": 99`)), 0o644)
		}, "format_version 99"},
		"garbage scenario.yaml": {func(d string) {
			os.WriteFile(filepath.Join(d, "scenario.yaml"), []byte("\x00\x01garbage: [\n"), 0o644)
		}, "scenario.yaml: not a scenario"},
	} {
		t.Run(name, func(t *testing.T) {
			d := copyRun()
			c.edit(d)
			code, _, e := run(t, "compare", good, d, "-o", filepath.Join(t.TempDir(), "cmp"))
			if code != 2 || !strings.Contains(e, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, e, c.want)
			}
		})
	}
}

// Failure 7: errors echoed other files' content.
func TestIssue17NoEchoOfOtherFiles(t *testing.T) {
	dir := t.TempDir()
	secret := "root:$6$SECRETHASH:19000:0:99999:7:::"
	passwd := filepath.Join(dir, "passwd")
	os.WriteFile(passwd, []byte(secret+"\ndaemon:x:1:1::/usr/sbin/nologin\n"), 0o644)
	s := filepath.Join(dir, "s.yaml")
	os.WriteFile(s, []byte("extends: "+passwd+"\nname: x\n"), 0o644)
	shadow := filepath.Join(dir, "shadow")
	os.WriteFile(shadow, []byte(secret+"\n"), 0o600)
	for _, args := range [][]string{
		{"validate", s},
		{"validate", passwd},
		{"validate", mustAbs(t, "../../scenarios/default.yaml"), "--set", "creators.roster=" + shadow},
	} {
		code, out, e := run(t, args...)
		if code != 2 || strings.Contains(out+e, "SECRETHASH") || strings.Contains(out+e, "root:") {
			t.Errorf("%v: %d, output quotes the file: %q", args, code, e)
		}
		if args[1] != passwd && !strings.Contains(e, "not a") {
			t.Errorf("%v: %q does not say the file is not a scenario/roster", args, e)
		}
	}
}

// Failure 8: injection into CSVs, Markdown and the terminal.
func TestIssue17InjectionProofOutputs(t *testing.T) {
	dir := t.TempDir()
	lib := mustAbs(t, "../../scenarios/default.yaml")
	s := filepath.Join(dir, "s.yaml")
	os.WriteFile(s, []byte(`extends: `+lib+`
variants:
  - {name: "+HYPERLINK(1)", set: {population.users: 320}}
  - {name: "@SUM(1)", set: {population.users: 321}}
  - {name: "-2+3", set: {population.users: 322}}
  - {name: "[click](javascript:alert(1))", set: {population.users: 323}}
  - {name: "![x](//evil/x)", set: {population.users: 324}}
  - {name: "<b>x</b>", set: {population.users: 325}}
  - {name: "a`+"`"+`b|c", set: {population.users: 326}}
`), 0o644)
	out := filepath.Join(dir, "out")
	code, _, e := run(t, append([]string{"run", s, "-o", out}, tinyRun...)...)
	if code != 0 {
		t.Fatalf("run: %d %s", code, e)
	}
	for _, f := range []string{"replications.csv", "timeseries.csv", "breakdown.csv"} {
		b, _ := os.ReadFile(filepath.Join(out, f))
		for _, line := range strings.Split(string(b), "\n") {
			for _, c := range []string{"+", "@", "-2+3", `"+`, `"@`, `"-`} {
				if strings.HasPrefix(line, c) {
					t.Fatalf("%s: a formula cell: %q", f, line)
				}
			}
		}
		for _, want := range []string{"'+HYPERLINK(1),", "'@SUM(1),", "'-2+3,"} {
			if !strings.Contains(string(b), "\n"+want) {
				t.Errorf("%s: %s is not neutralised", f, want)
			}
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, bad := range []string{"](javascript", "](//evil", "<b>", "a`b", "b|c"} {
		if strings.Contains(string(md), bad) {
			t.Errorf("report.md contains %q", bad)
		}
	}
	if code, _, e := run(t, "compare", out, out, "-o", filepath.Join(dir, "cmp")); code != 0 {
		t.Fatalf("compare: %d %s", code, e)
	}
	// compare reads the neutralised names back as they were.
	cmd, _ := os.ReadFile(filepath.Join(dir, "cmp", "compare.md"))
	if strings.Contains(string(cmd), "<b>") || strings.Contains(string(cmd), "](javascript") {
		t.Error("compare.md carries raw HTML or links")
	}
	// ESC sequences from a --set path and a roster header.
	_, _, e = run(t, "validate", "--set", "\x1b]0;pwned\x07x.y=1")
	roster := filepath.Join(dir, "r.csv")
	os.WriteFile(roster, []byte("id,name,\x1b[2Jtype\n"), 0o644)
	_, _, e2 := run(t, "validate", "--set", "creators.roster="+roster)
	if strings.ContainsAny(e+e2, "\x1b\x07") {
		t.Errorf("control characters reach the terminal: %q %q", e, e2)
	}
}

// Failure 9: a 249-character variant name fails only after simulating.
func TestIssue17LongVariantName(t *testing.T) {
	dir := t.TempDir()
	s := filepath.Join(dir, "s.yaml")
	os.WriteFile(s, []byte("extends: "+mustAbs(t, "../../scenarios/default.yaml")+"\nvariants:\n  - name: "+strings.Repeat("v", 249)+"\n    set: {population.users: 310}\n"), 0o644)
	if code, _, e := run(t, append([]string{"run", s, "-o", filepath.Join(dir, "out")}, tinyRun...)...); code != 0 {
		t.Fatalf("run with a 249-character variant name: %d %s", code, e)
	}
}

// Failure 11: validation cost and output bounded, and interruptible.
func TestIssue17ValidationBounded(t *testing.T) {
	dir := t.TempDir()
	// Unique keys (duplicates are another error).
	var u strings.Builder
	u.WriteString("name: x\n")
	for i := range 200_000 {
		u.WriteString("unknown_key_" + itoa(i) + ": 1\n")
	}
	f := filepath.Join(dir, "keys.yaml")
	os.WriteFile(f, []byte(u.String()), 0o644)
	code, _, e := run(t, "validate", f)
	lines := strings.Count(e, "\n")
	if code != 2 || lines > 103 || !strings.Contains(e, "more problems not shown") {
		t.Errorf("200k unknown keys: exit %d, %d lines of output", code, lines)
	}
	if !strings.Contains(e, "problems") {
		t.Errorf("no count: %q", e[max(0, len(e)-200):])
	}
	// A file past the 16 MiB limit is refused before it is parsed.
	big := filepath.Join(dir, "big.yaml")
	fh, _ := os.Create(big)
	fh.Truncate(49 << 20)
	fh.Close()
	if code, _, e := run(t, "validate", big); code != 2 || !strings.Contains(e, "limit") {
		t.Errorf("49 MB file: %d %q", code, e)
	}
	// A signal abandons the load at once.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	var o, eb bytes.Buffer
	if code := dispatch(ctx, []string{"validate", f}, &o, &eb); code == 0 || !strings.Contains(eb.String(), "interrupted") {
		t.Errorf("cancelled validate: %d %q", code, eb.String())
	}
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

// Failure 12 (command line): -o / and a bad --font are caught before the
// simulation; the other smaller failures are tested in scenarios.
func TestIssue17CaughtBeforeSimulating(t *testing.T) {
	// A scenario far too big to simulate in a test: the refusal must come
	// first.
	huge := []string{"--quiet", "--set", "population.users=50000000", "--set", "horizon_days=400"}
	if code, _, e := run(t, append([]string{"run", "-o", "/"}, huge...)...); code == 0 || !strings.Contains(e, "file-system root") {
		t.Errorf("-o /: %d %q", code, e)
	}
	bad := filepath.Join(t.TempDir(), "bad.ttf")
	os.WriteFile(bad, []byte("not a font"), 0o644)
	if code, _, e := run(t, append([]string{"run", "-o", filepath.Join(t.TempDir(), "o"), "--font", bad}, huge...)...); code != 2 || !strings.Contains(e, "--font") {
		t.Errorf("bad --font: %d %q", code, e)
	}
}
