package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/startrend/startrend/internal/outdir"
	"github.com/startrend/startrend/reports"
)

// The crash campaign (issue 17): startrend is killed with SIGKILL at points
// drawn from a seeded schedule while it writes its outputs; after each
// kill nothing looks complete that is not, and a rerun ends with the same
// bytes as an uninterrupted run. make test runs a bounded campaign;
// STARTREND_CRASH_KILLS=N runs N kills of `run` (N/8 of `optimize`, N/2 of
// `sweep`),
// STARTREND_CRASH_SEED=S another schedule:
//
//	STARTREND_CRASH_KILLS=500 go test -run 'TestCrash' -timeout 60m ./cmd/startrend/

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// startrendBinary builds the command once per test process.
func startrendBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "startrend-crash-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "startrend")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("building startrend: %v\n%s", binErr, binPath)
	}
	return binPath
}

func crashKills(def int) int {
	if n, err := strconv.Atoi(os.Getenv("STARTREND_CRASH_KILLS")); err == nil && n > 0 {
		return n
	}
	return def
}

func crashSeed() uint64 {
	if n, err := strconv.ParseUint(os.Getenv("STARTREND_CRASH_SEED"), 10, 64); err == nil {
		return n
	}
	return 17
}

// tinyRun is a run of the default scenario that takes about a second.
var tinyRun = []string{"--quiet", "--reps", "2", "--set", "population.users=300",
	"--set", "creators.generate.count=30", "--set", "horizon_days=40"}

// snapshot reads every file under dir but run.json (the only file that
// differs between identical runs).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == reports.RunFile {
			return nil
		}
		b, err := os.ReadFile(p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameFiles(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for f, w := range want {
		if g, ok := got[f]; !ok {
			t.Errorf("%s: %s missing", what, f)
		} else if g != w {
			t.Errorf("%s: %s differs from the uninterrupted run", what, f)
		}
	}
	for f := range got {
		if _, ok := want[f]; !ok {
			t.Errorf("%s: extra file %s", what, f)
		}
	}
}

// runKilled starts the binary and kills it with SIGKILL after delay (or
// lets it finish first); it reports whether the process finished.
func runKilled(t *testing.T, bin string, delay time.Duration, args ...string) (finished bool) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%v ended before the kill: %v\n%s", args, err, stderr.String())
		}
		return true
	case <-time.After(delay):
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		return false
	}
}

func noLeftovers(t *testing.T, parent string) {
	t.Helper()
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("leftover %s after a complete rerun", e.Name())
		}
	}
}

func TestCrashCampaignRun(t *testing.T) {
	if testing.Short() {
		t.Skip("crash campaign skipped in -short")
	}
	bin := startrendBinary(t)
	parent := t.TempDir()
	ref := filepath.Join(parent, "reference")
	start := time.Now()
	if !runKilled(t, bin, time.Hour, append([]string{"run", "-o", ref}, tinyRun...)...) {
		t.Fatal("reference run did not finish")
	}
	wall := time.Since(start)
	want := snapshot(t, ref)

	dir := filepath.Join(parent, "out")
	rng := rand.New(rand.NewPCG(crashSeed(), 0x17))
	kills, finished := crashKills(50), 0
	for i := range kills {
		// Kill points spread over the whole run, start-up to commit.
		delay := time.Duration(rng.Float64() * 1.1 * float64(wall))
		if runKilled(t, bin, delay, append([]string{"run", "-o", dir, "--force"}, tinyRun...)...) {
			finished++
		}
		st, err := outdir.Inspect(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Exists {
			continue
		}
		// Whatever is at dir is a complete run, identical to the reference.
		if !st.Ours || st.Legacy {
			t.Fatalf("kill %d (after %v): %s is not a marked output: %+v", i, delay, dir, st)
		}
		if _, err := reports.ReadRun(dir); err != nil {
			t.Fatalf("kill %d (after %v): %s looks like a run but is not complete: %v", i, delay, dir, err)
		}
		sameFiles(t, "kill "+strconv.Itoa(i), snapshot(t, dir), want)
		if t.Failed() {
			return
		}
	}
	t.Logf("%d kills, %d runs finished before their kill point (reference run %v)", kills, finished, wall.Round(time.Millisecond))
	if !runKilled(t, bin, time.Hour, append([]string{"run", "-o", dir, "--force"}, tinyRun...)...) {
		t.Fatal("the rerun did not finish")
	}
	sameFiles(t, "rerun", snapshot(t, dir), want)
	noLeftovers(t, parent)
}

// tinyOptimize is an optimisation of the library scenario that takes a few
// seconds.
var tinyOptimize = []string{"--evals", "40", "--quiet", "--set", "optimize.frontier=[]",
	"--set", "population.users=500", "--set", "creators.generate.count=50", "--set", "horizon_days=40",
	"--set", "warmup_days=7", "--set", "replications=2"}

// TestCrashCampaignOptimize kills optimize as it writes today (checkpoints
// in place, the final run directory swapped in): after each kill,
// optimize.json says complete only when the whole output is there, and a
// rerun (--force) ends with the bytes of an uninterrupted optimisation.
func TestCrashCampaignOptimize(t *testing.T) {
	if testing.Short() {
		t.Skip("crash campaign skipped in -short")
	}
	bin := startrendBinary(t)
	lib, _ := filepath.Abs(filepath.Join("..", "..", "scenarios", "apparel-launch.yaml"))
	parent := t.TempDir()
	ref := filepath.Join(parent, "reference")
	start := time.Now()
	if !runKilled(t, bin, time.Hour, append([]string{"optimize", lib, "-o", ref}, tinyOptimize...)...) {
		t.Fatal("reference optimisation did not finish")
	}
	wall := time.Since(start)
	want := snapshot(t, ref)

	dir := filepath.Join(parent, "out")
	rng := rand.New(rand.NewPCG(crashSeed(), 0x0b))
	kills := max(4, crashKills(0)/8)
	for i := range kills {
		delay := time.Duration(rng.Float64() * 1.1 * float64(wall))
		runKilled(t, bin, delay, append([]string{"optimize", lib, "-o", dir, "--force"}, tinyOptimize...)...)
		var o struct {
			Complete bool `json:"complete"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "optimize.json"))
		if err != nil {
			continue
		}
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatalf("kill %d (after %v): optimize.json is not JSON: %v", i, delay, err)
		}
		if !o.Complete {
			continue
		}
		if _, err := reports.ReadRun(dir); err != nil {
			t.Fatalf("kill %d (after %v): optimize.json says complete but the run directory is not: %v", i, delay, err)
		}
		sameFiles(t, "kill "+strconv.Itoa(i), snapshot(t, dir), want)
	}
	if !runKilled(t, bin, time.Hour, append([]string{"optimize", lib, "-o", dir, "--force"}, tinyOptimize...)...) {
		t.Fatal("the rerun did not finish")
	}
	sameFiles(t, "rerun", snapshot(t, dir), want)
	noLeftovers(t, parent)
}

// sweepMarkedComplete reports whether dir's marker lists its entries: what
// a finished sweep (markComplete) and a merged one carry, and what tells a
// reader the directory is complete. A sweep in progress carries the
// in-place marker, with no entries.
func sweepMarkedComplete(t *testing.T, dir string) bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, outdir.MarkerFile))
	if err != nil {
		t.Fatalf("%s: no marker: %v", dir, err)
	}
	var m outdir.Marker
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: marker: %v", dir, err)
	}
	return m.Entries != nil
}

// TestCrashCampaignSweep kills `sweep` at points drawn from a seeded
// schedule — during the runs, during finalisation (journal rewrite, rows,
// points, report, run.json, marker) and during --force's removal of a
// finished sweep — and continues the directory the way a user would: an
// incomplete store with --resume (itself killed again, so kills pile up on
// one store), a complete one with --force. After every kill whatever is at
// the directory is startrend's sweep output, and either marked complete
// and byte-identical to an uninterrupted sweep, or an incomplete store
// that a --resume (run to the end every few kills) turns into exactly
// those bytes. No staging sibling and no temporary file is left.
func TestCrashCampaignSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("crash campaign skipped in -short")
	}
	bin := startrendBinary(t)
	scen, _ := filepath.Abs(tinySweep)
	args := func(dir string, more ...string) []string {
		return append([]string{"sweep", scen, "--quiet", "--workers", "2", "-o", dir}, more...)
	}
	parent := t.TempDir()
	ref := filepath.Join(parent, "reference")
	start := time.Now()
	if !runKilled(t, bin, time.Hour, args(ref)...) {
		t.Fatal("reference sweep did not finish")
	}
	wall := time.Since(start)
	want := snapshot(t, ref)

	dir := filepath.Join(parent, "out")
	rng := rand.New(rand.NewPCG(crashSeed(), 0x5e))
	kills := max(24, crashKills(0)/2)
	var finished, resumed, completeSeen, incompleteSeen int
	for i := range kills {
		more := []string{"--force"}
		if st, _ := outdir.Inspect(dir); st.Exists && !sweepMarkedComplete(t, dir) {
			more = []string{"--resume"}
		}
		delay := time.Duration(rng.Float64() * 1.1 * float64(wall))
		if runKilled(t, bin, delay, args(dir, more...)...) {
			finished++
		}
		what := fmt.Sprintf("kill %d (%s, after %v)", i, more[0], delay)
		st, err := outdir.Inspect(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Exists || st.Empty {
			continue
		}
		if !st.Ours || st.Kind != outdir.Sweep || st.Foreign != "" {
			t.Fatalf("%s: %s is not a sweep output of startrend's: %+v", what, dir, st)
		}
		if sweepMarkedComplete(t, dir) {
			completeSeen++
			sameFiles(t, what+": marked complete", snapshot(t, dir), want)
		} else {
			incompleteSeen++
			if i%4 == 3 {
				resumed++
				if !runKilled(t, bin, time.Hour, args(dir, "--resume")...) {
					t.Fatalf("%s: the resume did not finish", what)
				}
				sameFiles(t, what+": resumed", snapshot(t, dir), want)
			}
		}
		if t.Failed() {
			return
		}
	}
	if !sweepMarkedComplete(t, dir) {
		if !runKilled(t, bin, time.Hour, args(dir, "--resume")...) {
			t.Fatal("the last resume did not finish")
		}
	}
	sameFiles(t, "the last resume", snapshot(t, dir), want)
	noLeftovers(t, parent)
	t.Logf("%d kills (reference sweep %v): %d finished first; after the others %d complete, %d incomplete (%d of them resumed to the end at once)",
		kills, wall.Round(time.Millisecond), finished, completeSeen, incompleteSeen, resumed)
}
