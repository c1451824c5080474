package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/startrend/startrend/experiments"
	"github.com/startrend/startrend/internal/outdir"
	"github.com/startrend/startrend/reports"
	"github.com/startrend/startrend/scenarios"
)

const sweepHelp = `Sweep runs the scenario's sweep block: a design of points over field paths
(grid, zip, random, lhs or sobol), each for sweep.replications replications
(default: the scenario's), the baseline and every variant at every point.
Replication r of every point uses the same random streams (common random
numbers), so differences between points are paired.

Each run is journaled as it finishes (DIR/runs.journal). At the end the
directory holds rows.csv and rows.parquet (tidy rows: point, replication,
run_id, the swept values, variant, metric, value, in run_id order),
points.csv (per point, variant and metric: n, mean, sd and 95% CI),
scenario.yaml, store.json, the report (report.html, report.md,
plots/sweep_*.png|svg) and run.json. Every file but run.json is the same
for any --workers, for one process or n shards merged, and after an
interruption resumed with --resume.

--shard i/n runs only the runs whose run_id ≡ i (mod n), 0 ≤ i < n, into
its own directory; 'startrend merge' combines the n directories into what
one process would have written. For Slurm job arrays and Kubernetes
Indexed Jobs see deploy/.

Bad input (an unknown path, a range with no points, reversed bounds, a
design of more runs than --max-runs, a shard like 3/2) exits with status 2
before anything is written.`

func cmdSweep(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	defer experiments.TuneGCForManyRuns()() // many small runs: fewer collections
	fs := newFlagSet("sweep")
	out := fs.String("o", "", "output `DIR` (default out/<scenario name>-sweep; with --shard i/n, …-sweep-shard-i-of-n)")
	resume := fs.Bool("resume", false, "continue the sweep in DIR: finished runs are skipped")
	force := fs.Bool("force", false, "replace a sweep already in DIR")
	shardFlag := fs.String("shard", "", "run only shard `i/n` of the runs (0 ≤ i < n)")
	workers := fs.Int("workers", 0, "runs simulated at once (default: all CPUs); results do not depend on it")
	maxRuns := fs.Int("max-runs", 1_000_000, "refuse a design of more than `N` runs (points × replications)")
	reps := fs.Int("reps", 0, "override the replications per point (sweep.replications)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	font := fs.String("font", "", "TTF/OTF/TTC `FILE` for plot text (CJK names)")
	var sets stringsFlag
	fs.Var(&sets, "set", "override a field: `PATH=VALUE` (repeatable)")
	pos, code, ok := parseCommandLine(fs, args, 1, 1, stdout, stderr)
	if !ok {
		return code
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	shard, err := experiments.ParseShard(*shardFlag)
	if err != nil {
		fmt.Fprintf(stderr, "startrend sweep: --shard: %v\n", err)
		return exitUsage
	}
	if given["shard"] && *shardFlag == "" {
		fmt.Fprintln(stderr, "startrend sweep: --shard: empty (expected INDEX/COUNT, e.g. 0/4)")
		return exitUsage
	}
	if *workers < 0 || *maxRuns < 1 || *reps < 0 {
		fmt.Fprintln(stderr, "startrend sweep: --workers and --reps must be ≥ 0, --max-runs ≥ 1")
		return exitUsage
	}
	extra := append([]string(nil), sets...)
	if given["reps"] {
		extra = append(extra, "sweep.replications="+strconv.Itoa(*reps))
	}
	sc, ok := loadScenario(ctx, pos, extra, stderr)
	if !ok {
		return exitUsage
	}
	if sc.Sweep == nil {
		fmt.Fprintf(stderr, "%s: the scenario has no sweep block (see 'startrend schema', Sweep)\n", pos[0])
		return exitUsage
	}
	sw, err := experiments.NewSweeper(sc)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	design, err := sw.Design()
	if err != nil {
		p := sc.Position("sweep.design")
		fmt.Fprintf(stderr, "%s:%d:%d: sweep.design: %v\n", p.File, p.Line, p.Col, err)
		return exitUsage
	}
	runs := int64(design.Len()) * int64(sw.Reps)
	if runs > int64(*maxRuns) {
		p := sc.Position("sweep")
		fmt.Fprintf(stderr, "%s:%d:%d: sweep: the design has %d points × %d replications = %d runs, more than --max-runs %d (raise --max-runs or shrink the design)\n",
			p.File, p.Line, p.Col, design.Len(), sw.Reps, runs, *maxRuns)
		return exitUsage
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", safeDirName(sc.Name)+"-sweep")
		if !shard.Whole() {
			dir += fmt.Sprintf("-shard-%d-of-%d", shard.Index, shard.Count)
		}
	}
	if st, _ := outdir.Inspect(dir); st.Ours && st.Kind == outdir.Sweep && !st.Whole && !st.Empty && !experiments.IsStore(dir) {
		// A sweep in progress without its store.json records no run: its
		// store was never begun (killed in Open) or its --force removal
		// was killed. What is left is startrend's and is cleared.
		if err := removeSweepFiles(dir); err != nil {
			fmt.Fprintf(stderr, "startrend sweep: %v\n", err)
			return exitFailure
		}
	}
	if experiments.IsStore(dir) && !*resume {
		if !*force {
			fmt.Fprintf(stderr, "startrend sweep: %s holds a sweep already; use --resume to continue it, --force to replace it, or -o for another directory\n", dir)
			return exitFailure
		}
		if err := removeSweepFiles(dir); err != nil {
			fmt.Fprintf(stderr, "startrend sweep: --force: %v\n", err)
			return exitFailure
		}
	}
	// The directory is written in place over time (the journal is the
	// record of what is done), so it is claimed rather than staged; a
	// directory startrend did not write is refused.
	if err := outdir.Claim(dir, outdir.Sweep, false); err != nil {
		fmt.Fprintf(stderr, "startrend sweep: %v\n", err)
		return exitFailure
	}
	resolved, err := scenarios.Marshal(sc)
	if err != nil {
		fmt.Fprintf(stderr, "startrend sweep: %v\n", err)
		return exitFailure
	}
	start := time.Now()
	store, err := experiments.Open(dir, sw.Spec(), experiments.Options{Shard: shard, Resume: *resume})
	if err != nil {
		fmt.Fprintf(stderr, "startrend sweep: %v\n", err)
		return exitFailure
	}
	defer store.Close()
	if store.Discarded > 0 && !*quiet {
		fmt.Fprintf(stderr, "resuming %s: discarded %d torn record(s) of an interrupted write\n", dir, store.Discarded)
	}
	if err := os.WriteFile(filepath.Join(dir, "scenario.yaml"), resolved, 0o644); err != nil {
		fmt.Fprintf(stderr, "startrend sweep: %v\n", err)
		return exitFailure
	}
	batch, err := store.Submit(design, sw.Reps)
	if err != nil {
		fmt.Fprintf(stderr, "startrend sweep: %s: %v\n", dir, err)
		return exitFailure
	}
	nw := *workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	title := fmt.Sprintf("sweeping %s (%d points × %d replications", sc.Name, design.Len(), sw.Reps)
	if !shard.Whole() {
		title += ", shard " + shard.String()
	}
	prog := newProgress(stderr, title+")", *quiet)
	count, err := store.Execute(ctx, batch, sw.Evaluator(nw), experiments.ExecuteOptions{Workers: nw, Progress: prog.Update})
	prog.Finish()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "startrend sweep: interrupted after %d of %d runs; continue with --resume -o %s\n", count.Done+count.Ran, count.Share, dir)
			return exitInterrupted
		}
		fmt.Fprintf(stderr, "startrend sweep: %v\n", err)
		return exitFailure
	}
	if err := finishSweep(dir, store, sweepEnd{currency: sc.Currency, font: *font, shard: shard, count: count, workers: nw, start: start}, stderr); err != nil {
		fmt.Fprintf(stderr, "startrend sweep: %v\n", err)
		return exitFailure
	}
	if !*quiet {
		fmt.Fprintf(stderr, "shard %s: ran %d of its %d runs (%d finished before) of %d in the design, in %.1fs\n",
			shard, count.Ran, count.Share, count.Done, count.Batch, time.Since(start).Seconds())
	}
	fmt.Fprintln(stdout, dir)
	return exitOK
}

// sweepEnd is what finishSweep records.
type sweepEnd struct {
	currency, font string
	shard          experiments.Shard
	count          experiments.Count
	workers        int
	start          time.Time
}

// finishSweep finalises the store, writes the report (whole sweeps only),
// run.json and the completed marker, in that order.
func finishSweep(dir string, store *experiments.Store, e sweepEnd, stderr io.Writer) error {
	if err := store.Finalize(); err != nil {
		return err
	}
	if e.shard.Whole() {
		if err := reports.WriteSweepReport(dir, reports.SweepOptions{Currency: e.currency, Font: e.font, Warn: stderr}); err != nil {
			return fmt.Errorf("report: %v", err)
		}
	}
	meta := map[string]any{
		"command": "sweep", "version": buildVersion(), "go_version": runtime.Version(),
		"shard": e.shard.String(), "workers": e.workers, "runs_in_design": e.count.Batch, "runs_in_shard": e.count.Share,
		"runs_finished_before": e.count.Done, "runs_run": e.count.Ran, "wall_seconds": time.Since(e.start).Seconds(),
		"peak_memory_bytes": peakMemory(), "started_at_unix": e.start.Unix(),
	}
	if err := writeRunMeta(dir, meta); err != nil {
		return err
	}
	return markComplete(dir)
}

// sweepFiles are the top-level entries a sweep writes (plots/ holds only
// the report's figures).
var sweepFiles = []string{experiments.FileManifest, experiments.FilePoints, experiments.FileRuns,
	experiments.FileRowsCSV, experiments.FileRowsParquet, experiments.FilePointsCSV, "scenario.yaml",
	reports.ReportHTMLFile, reports.ReportMDFile, "run.json", reports.PlotsDir, outdir.MarkerFile}

// removeSweepFiles removes what a sweep wrote in dir (for --force), and
// nothing else; a directory holding a file startrend did not write is
// refused before anything is removed. The marker is first turned back
// into the in-place one (no entries: not complete), so that a kill during
// the removal leaves a sweep directory in progress, never one marked
// complete with files missing; the marker itself stays.
func removeSweepFiles(dir string) error {
	if err := beginRemoval(dir, outdir.Sweep); err != nil {
		return err
	}
	for _, name := range sweepFiles {
		if name == outdir.MarkerFile {
			continue
		}
		p := filepath.Join(dir, name)
		if name == reports.PlotsDir {
			ents, _ := os.ReadDir(p)
			for _, e := range ents {
				if n := e.Name(); strings.HasPrefix(n, "sweep_") && (strings.HasSuffix(n, ".png") || strings.HasSuffix(n, ".svg")) {
					os.Remove(filepath.Join(p, n))
				}
			}
			os.Remove(p) // only when empty
			continue
		}
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
		os.Remove(p + ".tmp")
	}
	return nil
}

// markComplete rewrites dir's marker listing its entries, as a staged
// output's marker does: a finished sweep directory and a merged one have
// the same marker, and a file added later is recognised as not startrend's.
func markComplete(dir string) error { return markCompleteAs(dir, outdir.Sweep) }

// markCompleteAs is markComplete for a directory of the given kind
// (written in place: a sweep's or a sensitivity study's run store).
func markCompleteAs(dir string, kind outdir.Kind) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range ents {
		if n := e.Name(); n != outdir.MarkerFile && !strings.HasPrefix(n, "."+outdir.MarkerFile+".tmp-") {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return outdir.WriteMarker(dir, kind, names)
}

// writeRunMeta writes run.json, the one file that varies between
// identical runs (times, workers, memory), last.
func writeRunMeta(dir string, meta map[string]any) error {
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "run.json.tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "run.json"))
}
