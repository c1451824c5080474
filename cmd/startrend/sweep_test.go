package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

const tinySweep = "../../experiments/testdata/tiny-sweep.yaml"

// TestMain lets the tests run this binary as the startrend command
// (STARTREND_AS_MAIN=1), so that a real process can be killed with -9.

// treeFiles reads every file under dir (relative names) except run.json.
func treeFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "run.json" {
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTree fails unless a and b hold the same files with the same bytes
// (run.json aside).
func sameTree(t *testing.T, what, a, b string) {
	t.Helper()
	fa, fb := treeFiles(t, a), treeFiles(t, b)
	var names []string
	for k := range fa {
		names = append(names, k)
	}
	for k := range fb {
		if _, ok := fa[k]; !ok {
			t.Errorf("%s: %s only in %s", what, k, b)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		g, ok := fb[k]
		switch {
		case !ok:
			t.Errorf("%s: %s only in %s", what, k, a)
		case !bytes.Equal(fa[k], g):
			t.Errorf("%s: %s differs", what, k)
		}
	}
	if len(fa) < 10 {
		t.Errorf("%s: only %d files in %s", what, len(fa), a)
	}
}

// Every file but run.json is the same for --workers 1, 2 and 8 and for
// three shards merged (DESIGN: same seed ⇒ same bytes).
func TestSweepSameFilesForWorkersAndShards(t *testing.T) {
	tmp := t.TempDir()
	dirs := map[string]string{}
	for _, w := range []string{"1", "2", "8"} {
		d := filepath.Join(tmp, "w"+w)
		code, _, errOut := run(t, "sweep", tinySweep, "--quiet", "-o", d, "--workers", w)
		if code != 0 {
			t.Fatalf("sweep --workers %s: %d\n%s", w, code, errOut)
		}
		dirs[w] = d
		// The tiny sweep's pacing acts on no budget (none binds in 14
		// days): the report and stderr say so, and not of the discount.
		md, _ := os.ReadFile(filepath.Join(d, "report.md"))
		if !strings.Contains(string(md), "## Parameters with no effect\n\n- `merchants.shop.budget.pacing`") || strings.Contains(string(md), "- `campaigns.deal.discount`:") {
			t.Errorf("--workers %s: report.md's inert parameters are wrong:\n%s", w, md)
		}
		if !strings.Contains(errOut, "sweep parameter merchants.shop.budget.pacing changed no recorded KPI") || strings.Contains(errOut, "parameter campaigns.deal.discount changed") {
			t.Errorf("--workers %s: stderr's inert-parameter warning is wrong:\n%s", w, errOut)
		}
	}
	sameTree(t, "workers 1 vs 2", dirs["1"], dirs["2"])
	sameTree(t, "workers 1 vs 8", dirs["1"], dirs["8"])
	var shards []string
	total := 0
	for i := 0; i < 3; i++ {
		d := filepath.Join(tmp, "shard"+string(rune('0'+i)))
		code, _, errOut := run(t, "sweep", tinySweep, "-o", d, "--shard", string(rune('0'+i))+"/3", "--workers", "2")
		if code != 0 {
			t.Fatalf("shard %d: %d\n%s", i, code, errOut)
		}
		// 6 points × 3 replications = 18 runs: 6 per shard.
		if !strings.Contains(errOut, "ran 6 of its 6 runs (0 finished before) of 18") {
			t.Errorf("shard %d did not run exactly its share:\n%s", i, errOut)
		}
		total += 6
		shards = append(shards, d)
	}
	merged := filepath.Join(tmp, "merged")
	if code, _, errOut := run(t, "merge", shards[1], shards[2], shards[0], "-o", merged); code != 0 {
		t.Fatalf("merge: %d\n%s", code, errOut)
	}
	sameTree(t, "1 process vs 3 shards merged", dirs["1"], merged)
	if code, _, errOut := run(t, "merge", shards[0], shards[1], "-o", filepath.Join(tmp, "m2")); code != 1 || !strings.Contains(errOut, "missing shard 2/3") {
		t.Errorf("merge with a shard missing: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(tmp, "m2")); !os.IsNotExist(err) {
		t.Errorf("a failed merge left its output directory: %v", err)
	}
	if code, _, errOut := run(t, "merge", shards[0], shards[1], shards[1], "-o", filepath.Join(tmp, "m3")); code != 1 || !strings.Contains(errOut, "both shard 1/3") {
		t.Errorf("merge with a shard twice: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "sweep", tinySweep, "--quiet", "-o", dirs["1"]); code != 1 || !strings.Contains(errOut, "--resume") {
		t.Errorf("second sweep into a sweep directory: %d %q", code, errOut)
	}
}

// A sweep killed with SIGKILL in the middle and resumed ends with the files
// of an uninterrupted sweep.
func TestSweepKill9AndResume(t *testing.T) {
	tmp := t.TempDir()
	want := filepath.Join(tmp, "want")
	args := []string{"sweep", tinySweep, "--quiet", "--reps", "30", "--workers", "2"}
	if code, _, errOut := run(t, append(args, "-o", want)...); code != 0 {
		t.Fatalf("sweep: %d\n%s", code, errOut)
	}
	got := filepath.Join(tmp, "got")
	cmd := exec.Command(os.Args[0], append(args, "-o", got)...)
	cmd.Env = append(os.Environ(), "STARTREND_AS_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	killed := false
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(filepath.Join(got, "runs.journal"))
		if n := bytes.Count(b, []byte{'\n'}); n >= 20 {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Wait()
	if !killed {
		t.Fatal("the sweep did not journal 20 runs within 60 s")
	}
	b, _ := os.ReadFile(filepath.Join(got, "runs.journal"))
	n := bytes.Count(b, []byte{'\n'})
	if n >= 180 {
		t.Skipf("the sweep finished (%d runs) before it was killed", n)
	}
	if _, err := os.Stat(filepath.Join(got, "rows.csv")); err == nil {
		t.Fatal("a killed sweep has rows.csv: a partial directory presented as complete")
	}
	code, _, errOut := run(t, append(args[:3:3], "--reps", "30", "--workers", "1", "-o", got, "--resume")...)
	if code != 0 {
		t.Fatalf("resume: %d\n%s", code, errOut)
	}
	sameTree(t, "uninterrupted vs killed and resumed", want, got)
}

// Bad input exits with status 2 and a positioned message, writing nothing.
func TestSweepBadInput(t *testing.T) {
	tmp := t.TempDir()
	base, err := os.ReadFile(tinySweep)
	if err != nil {
		t.Fatal(err)
	}
	src := string(base)
	write := func(name, from, to string) string {
		if !strings.Contains(src, from) {
			t.Fatalf("%q not in the test scenario", from)
		}
		p := filepath.Join(tmp, name+".yaml")
		os.WriteFile(p, []byte(strings.Replace(src, from, to, 1)), 0o644)
		return p
	}
	for _, tc := range []struct {
		name  string
		args  []string
		want  string
		files bool
	}{
		{"unknown path", []string{write("path", "campaigns.deal.discount", "campaigns.deal.discont")}, `path.yaml:40:13: sweep.parameters.0.path: campaigns.deal has no field "discont" (did you mean "discount"?)`, true},
		{"reversed bounds", []string{write("rev", "min: 0\n      max: 0.3", "min: 0.3\n      max: 0")}, "rev.yaml:40:7: sweep.parameters.0: bounds reversed", true},
		{"no points", []string{write("empty", "values: [even, front_loaded]", "values: []")}, "empty.yaml:45:15: sweep.parameters.1.values: an empty list gives no points", true},
		{"zero levels", []string{write("lev", "step: 0.15", "levels: 0")}, "lev.yaml:43:15: sweep.parameters.0.levels: a range with no points", true},
		{"out of range value", []string{write("range", "max: 0.3", "max: 1.2")}, "range.yaml:40:7: sweep.parameters.0: the scenario cannot take campaigns.deal.discount = 1.0", true},
		{"too many runs", []string{tinySweep, "--max-runs", "17"}, "tiny-sweep.yaml:36:3: sweep: the design has 6 points × 3 replications = 18 runs, more than --max-runs 17", true},
		{"shard 3/2", []string{tinySweep, "--shard", "3/2"}, `--shard: shard "3/2": index 3 out of range (allowed 0 … 1 for 2 shards)`, true},
		{"shard a/b", []string{tinySweep, "--shard", "a/b"}, `--shard: shard "a/b": index "a" is not a whole number`, true},
		{"unknown KPI", []string{write("kpi", "metrics: [gmv,", "metrics: [gvm,")}, `kpi.yaml:38:13: sweep.metrics.0: unknown KPI (did you mean "gpm"?)`, true},
	} {
		out := filepath.Join(tmp, "out-"+strings.ReplaceAll(tc.name, " ", "-"))
		code, _, errOut := run(t, append([]string{"sweep", "--quiet", "-o", out}, tc.args...)...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.name, code, errOut, tc.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: bad input created %s", tc.name, out)
		}
	}
}

// sweepPeak runs a sweep of n random points of a tiny scenario (20 users,
// 5 creators, 2 days, one replication, one KPI) in a child process and
// returns its peak resident memory (VmHWM, from run.json).
func sweepPeak(b *testing.B, n int) (uint64, time.Duration) {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "sweep")
	cmd := exec.Command(os.Args[0], "sweep", tinySweep, "--quiet", "-o", dir, "--workers", "2", "--max-runs", "10000000",
		"--set", "population.users=20", "--set", "creators.generate.count=5", "--set", "horizon_days=2",
		"--set", "campaigns.deal.window=[1, 2]",
		"--set", fmt.Sprintf("sweep={design: random, points: %d, replications: 1, metrics: [gmv], parameters: [{path: campaigns.deal.discount, min: 0, max: 0.3}]}", n))
	cmd.Env = append(os.Environ(), "STARTREND_AS_MAIN=1")
	t0 := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("sweep of %d points: %v\n%s", n, err, out)
	}
	wall := time.Since(t0)
	raw, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		b.Fatal(err)
	}
	var meta struct {
		Peak uint64 `json:"peak_memory_bytes"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		b.Fatal(err)
	}
	return meta.Peak, wall
}

// BenchmarkSweepMemory: a 100,000-point sweep of a tiny scenario must peak
// at most 64 MB above a 100-point sweep (the bound): results are
// streamed to disk, never held. SWEEP_MEM_POINTS overrides 100,000.
func BenchmarkSweepMemory(b *testing.B) {
	n := 100_000
	if s := os.Getenv("SWEEP_MEM_POINTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	for i := 0; i < b.N; i++ {
		small, _ := sweepPeak(b, 100)
		big, wall := sweepPeak(b, n)
		b.ReportMetric(float64(small)/1e6, "MB-peak-100-points")
		b.ReportMetric(float64(big)/1e6, "MB-peak-big")
		b.ReportMetric((float64(big)-float64(small))/1e6, "MB-above")
		b.Logf("peak RSS: 100 points %.1f MB, %d points %.1f MB (+%.1f MB; bound 64 MB), %d points took %.1fs",
			float64(small)/1e6, n, float64(big)/1e6, (float64(big)-float64(small))/1e6, n, wall.Seconds())
	}
}

// The library's sweep scenario, shrunk, writes its report: a line with a CI
// band per KPI over the discount, in HTML and Markdown.
func TestSweepLibraryScenarioWritesReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "svs")
	code, _, errOut := run(t, "sweep", "../../scenarios/super-value-sweep.yaml", "--quiet", "-o", dir, "--reps", "2",
		"--set", "population.users=1500", "--set", "creators.generate.count=150", "--set", "horizon_days=30", "--set", "campaigns.super_value.window=[10, 20]")
	if code != 0 {
		t.Fatalf("sweep: %d\n%s", code, errOut)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"7 points over `campaigns.super_value.discount`", "| baseline | Profit (CNY) |", "plots/sweep_gmv.png", "| 6 | 0.3 |", "## Paired differences against campaigns.super\\_value.discount = 0 (baseline)", "plots/sweep_diff_profit.png"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	for _, f := range []string{"report.html", "plots/sweep_gmv.png", "plots/sweep_gmv.svg", "plots/sweep_new_customers.svg", "rows.parquet"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}
