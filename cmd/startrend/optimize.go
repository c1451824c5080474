package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/startrend/startrend/internal/humannum"
	"github.com/startrend/startrend/internal/outdir"
	"io"
	iofs "io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/startrend/startrend/experiments"
	"github.com/startrend/startrend/internal/safeio"
	"github.com/startrend/startrend/optimize"
	"github.com/startrend/startrend/reports"
	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/strategy"
)

const optimizeCheckpointFile = "checkpoint.json"

func init() {
	c := lookupCommand("optimize")
	c.Usage = "optimize SCENARIO.yaml [-o DIR] [--evals N] [--workers N] [--resume] [--shards N [--launcher CMD]] [--emit-scenario FILE] [--random-arm] [--set PATH=VALUE ...]"
	c.Help = optimizeCmdHelp + `

Every candidate strategy is simulated for optimize.replications replications;
candidates of one generation share random numbers (common random numbers).
The best candidates, the scenario's own strategy (the baseline) and, with
--random-arm, the best of a random search given the same budget, are then
raced on fresh common seeds until the best is separated from the others at
optimize.confidence or the budget ends. --evals N (default optimize.evals)
bounds the total number of simulator runs (one replication of one scenario),
racing, the efficient frontier and the final report run included.

The output directory (default out/<scenario name>-optimize) is a run
directory of the baseline and the chosen strategy (variant "optimized"),
simulated with the scenario's seed and replications, plus optimize.json
(the decision, its KPIs with CIs, the baseline's, the runners-up, paired
differences, the frontier, the history), checkpoint.json and the plots
plots/optimize_*.png|svg, shown in report.html and report.md.

checkpoint.json is rewritten after every generation; after Ctrl-C (exit
status 130) optimize.json is written with "complete": false, and
--resume continues to the same answer an uninterrupted run gives. The
answer does not depend on --workers.

Every search generation is a batch of the run store DIR/runs (journalled
as runs finish; rows.csv and rows.parquet list every evaluation at the
end). --shards N runs each generation as N shard tasks, local processes
or, with --launcher CMD, whatever CMD starts (deploy/slurm/
optimize-generation.sh: one Slurm job array per generation); the answer
is the one process's, and --resume reruns only unfinished runs.

--emit-scenario FILE writes the chosen strategy as a scenario to rerun
with 'startrend run' and compare with 'startrend compare': extends: the
scenario file plus only the fields that differ (money to the yuan from
1,000 up, rates to 4 significant digits; a list holding one is written
whole, as extends replaces lists), the optimize block and variants
removed; its header quotes the hash a run of it reports.`
}

func cmdOptimize(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	defer experiments.TuneGCForManyRuns()() // many small runs: fewer collections
	fs := newFlagSet("optimize")
	out := fs.String("o", "", "output `DIR` (default out/<scenario name>-optimize)")
	evals := fs.Int("evals", 0, "bound on simulator runs, racing included (default: optimize.evals)")
	workers := fs.Int("workers", 0, "candidates evaluated in parallel (default: all CPUs); the answer does not depend on it")
	resume := fs.Bool("resume", false, "continue from DIR/checkpoint.json")
	emit := fs.String("emit-scenario", "", "write the optimised strategy as a scenario `FILE`")
	randomArm := fs.Bool("random-arm", false, "also run random search with the same budget, as a reference (shares --evals)")
	method := fs.String("method", "", "search method: "+strings.Join(optimize.MethodNames(), ", ")+" (default: optimize.method)")
	force := fs.Bool("force", false, "replace an existing result or checkpoint in DIR")
	shards := fs.Int("shards", 0, "run each search generation as `N` shard tasks (0: in this process); the answer is the same")
	launcher := fs.String("launcher", "", "with --shards: run each generation's shard tasks with `CMD` (e.g. deploy/slurm/optimize-generation.sh) instead of local processes")
	shardStore := fs.String("shard-store", "", "(shard task) run this shard's share of the batches recorded in `DIR` and exit")
	shard := fs.String("shard", "", "(shard task) this task's share `i/n` of --shard-store")
	shardBatch := fs.Int("shard-batch", -1, "(shard task) run only batch `K` of --shard-store (-1: every batch)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	font := fs.String("font", "", "TTF/OTF/TTC `FILE` for plot text (CJK names)")
	var sets stringsFlag
	fs.Var(&sets, "set", "override a field: `PATH=VALUE` (repeatable)")
	pos, code, ok := parseCommandLine(fs, args, 1, 1, stdout, stderr)
	if !ok {
		return code
	}
	if !optimizeFlagsOK(fs, *workers, *evals, *shards, *launcher, stderr) {
		return exitUsage
	}
	sc, ok := loadScenario(ctx, pos, sets, stderr)
	if !ok {
		return exitUsage
	}
	if sc.Optimize == nil {
		fmt.Fprintf(stderr, "%s: the scenario has no optimize block (see 'startrend schema', Optimize)\n", pos[0])
		return exitUsage
	}
	printWarnings(stderr, sc, scenarios.CommandOptimize)
	p, ok := optimizeProblem(sc, *method, stderr)
	if !ok {
		return exitUsage
	}
	reportRuns := 2 * sc.Replications
	settings := resolveSettings(sc, *method, *evals, reportRuns, *randomArm)
	if *shardStore != "" {
		return runOptimizeShard(ctx, p, settings, *shardStore, *shard, *shardBatch, *workers, stderr)
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", safeDirName(sc.Name)+"-optimize")
	}
	cpPath := filepath.Join(dir, optimizeCheckpointFile)
	state, code := prepareOptimizeDir(dir, p, strategy.SolveOptions{Method: *method, Evals: *evals, ReportRuns: reportRuns, RandomArm: *randomArm}, *resume, *force, stderr)
	if code != exitOK {
		return code
	}
	nw := *workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	gs, err := openGenStore(dir, p, settings, *resume)
	if err != nil {
		fmt.Fprintf(stderr, "startrend optimize: run store: %v\n", err)
		return exitFailure
	}
	defer gs.store.Close()
	gs.workers, gs.stderr = nw, stderr
	if err := gs.useShards(*shards, dir, *launcher, pos[0], sets, settings); err != nil {
		fmt.Fprintf(stderr, "startrend optimize: %v\n", err)
		return exitFailure
	}
	prog := newProgress(stderr, "optimizing "+sc.Name, *quiet)
	lastBest := math.NaN()
	start := time.Now()
	saved := state != nil // a checkpoint exists to resume from
	opts := strategy.SolveOptions{
		Simulate:   strategy.SimulateMerchant(p.Merchant),
		Method:     *method,
		Evals:      *evals,
		ReportRuns: reportRuns,
		Workers:    nw,
		RandomArm:  *randomArm,
		Dispatch:   gs.dispatch,
		Resume:     state,
		Checkpoint: func(st *strategy.SolveState) error {
			b, err := strategy.MarshalSolveState(st)
			if err == nil {
				err = writeFileAtomic(cpPath, append(b, '\n'))
			}
			saved = saved || err == nil
			return err
		},
		Progress: func(done, total int, best float64) {
			prog.Update(done, total)
			if !math.IsNaN(best) && best != lastBest {
				lastBest = best
				prog.SetLabel(fmt.Sprintf("evals %d/%d, best %s %s", done, total, p.Objective, humannum.Plain(best)))
			}
		},
	}
	res, err := strategy.Solve(ctx, p, opts)
	prog.Finish()
	if res != nil && len(sc.Merchants) > 1 && (p.Objective == "profit" || (p.Target != nil && p.Target.KPI == "profit")) {
		res.Notes = append(res.Notes, "profit is not broken down by merchant by the engine: the objective uses the scenario's total profit (all merchants), so competitors' profit changes count too")
	}
	if err != nil {
		if ctx.Err() != nil && !saved {
			fmt.Fprintf(stderr, "startrend optimize: interrupted before the first checkpoint; nothing was saved: run the same command again to start over\n")
			return exitInterrupted
		}
		if ctx.Err() != nil && res != nil {
			if werr := writeJSONAtomic(filepath.Join(dir, "optimize.json"), res); werr != nil {
				fmt.Fprintf(stderr, "startrend optimize: %v\n", werr)
			}
			fmt.Fprintf(stderr, "startrend optimize: interrupted; %s and a partial optimize.json (\"complete\": false) are in %s; continue with --resume\n", optimizeCheckpointFile, dir)
			return exitInterrupted
		}
		fmt.Fprintf(stderr, "startrend optimize: %v\n", err)
		var be *strategy.BudgetError
		if errors.As(err, &be) {
			return exitUsage
		}
		return exitFailure
	}
	// The final report: baseline vs the chosen strategy, with the scenario's
	// seed and replications (the runs set aside by ReportRuns).
	if err := gs.store.Finalize(); err != nil {
		fmt.Fprintf(stderr, "startrend optimize: run store: %v\n", err)
		return exitFailure
	}
	if err := writeOptimizeRunDir(ctx, dir, sc, p, res, nw, *font, start, *quiet, stderr); err != nil {
		if ctx.Err() != nil {
			writeJSONAtomic(filepath.Join(dir, "optimize.json"), res)
			fmt.Fprintf(stderr, "startrend optimize: interrupted while writing the report; rerun with --resume\n")
			return exitInterrupted
		}
		fmt.Fprintf(stderr, "startrend optimize: %v\n", err)
		return exitFailure
	}
	if *emit != "" {
		if err := emitScenario(*emit, pos[0], sc, p, res); err != nil {
			fmt.Fprintf(stderr, "startrend optimize: --emit-scenario: %v\n", err)
			return exitFailure
		}
	}
	if !*quiet {
		fmt.Fprintf(stderr, "%s\n", res.Verdict)
		fmt.Fprintf(stderr, "done in %.1fs, %d of %d simulator runs\n", time.Since(start).Seconds(), res.EvalsUsed, res.Evals)
	}
	fmt.Fprintln(stdout, dir)
	return exitOK
}

// optimizeFlagsOK checks the numeric flags and their combinations.
func optimizeFlagsOK(fs *flag.FlagSet, workers, evals, shards int, launcher string, stderr io.Writer) bool {
	if workers < 0 || evals < 0 {
		fmt.Fprintln(stderr, "startrend optimize: --workers and --evals must be ≥ 0")
		return false
	}
	evalsSet := false
	fs.Visit(func(f *flag.Flag) { evalsSet = evalsSet || f.Name == "evals" })
	if evalsSet && evals == 0 {
		fmt.Fprintln(stderr, "startrend optimize: --evals 0: the budget must be at least 1 simulator run (leave --evals out for the block's optimize.evals)")
		return false
	}
	if shards < 0 || (launcher != "" && shards < 2) {
		fmt.Fprintf(stderr, "startrend optimize: --shards %d: want 0 (this process) or N ≥ 2 (--launcher needs N ≥ 2)\n", shards)
		return false
	}
	return true
}

// optimizeProblem builds the scenario's optimisation problem (errors at
// their file positions) and checks --method.
func optimizeProblem(sc *scenarios.Scenario, method string, stderr io.Writer) (*strategy.Problem, bool) {
	p, err := strategy.NewProblem(sc, strategy.ProblemOptions{})
	if err != nil {
		printLoadError(stderr, err)
		return nil, false
	}
	if method != "" && !contains(optimize.MethodNames(), method) {
		fmt.Fprintf(stderr, "startrend optimize: unknown --method %q (known: %s)\n", method, strings.Join(optimize.MethodNames(), ", "))
		return nil, false
	}
	return p, true
}

// prepareOptimizeDir reads and checks the checkpoint to resume (--resume),
// or refuses to start over an existing result without --force, then claims
// dir under the output-directory rule (the checkpoint is written in place
// as the search goes; the report is staged and swapped in at the end; a
// directory startrend did not write is never used).
func prepareOptimizeDir(dir string, p *strategy.Problem, opts strategy.SolveOptions, resume, force bool, stderr io.Writer) (*strategy.SolveState, int) {
	cpPath := filepath.Join(dir, optimizeCheckpointFile)
	var state *strategy.SolveState
	if resume {
		b, err := safeio.ReadRegular(cpPath, safeio.CheckpointLimit, "checkpoint")
		if err != nil {
			fmt.Fprintf(stderr, "startrend optimize: --resume: %v\n", err)
			if errors.Is(err, iofs.ErrNotExist) {
				fmt.Fprintf(stderr, "startrend optimize: nothing to resume in %s: run the same command without --resume\n", dir)
			}
			return nil, exitUsage
		}
		state, err = strategy.UnmarshalSolveState(b, p, opts)
		if err != nil {
			fmt.Fprintf(stderr, "startrend optimize: --resume: %s refused: %v\n", cpPath, err)
			return nil, exitUsage
		}
	} else if !force {
		for _, f := range []string{optimizeCheckpointFile, "optimize.json", reports.RunFile} {
			if f == "optimize.json" && partialWithoutCheckpoint(dir) {
				continue // an interrupted run that saved nothing to resume: start again
			}
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				fmt.Fprintf(stderr, "startrend optimize: %s holds %s already; use --resume to continue, --force to start again, or -o for another directory\n", dir, f)
				return nil, exitFailure
			}
		}
	}
	if err := outdir.Claim(dir, outdir.Optimize, force); err != nil {
		fmt.Fprintf(stderr, "startrend optimize: %v\n", err)
		if errors.Is(err, outdir.ErrNotOurs) || errors.Is(err, outdir.ErrExists) {
			return nil, exitUsage
		}
		return nil, exitFailure
	}
	return state, exitOK
}

// partialWithoutCheckpoint reports whether dir holds an optimize.json of an
// interrupted run ("complete": false) and no checkpoint to resume it: a
// plain rerun may replace it.
func partialWithoutCheckpoint(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, optimizeCheckpointFile)); err == nil {
		return false
	}
	if _, err := os.Stat(filepath.Join(dir, reports.RunFile)); err == nil {
		return false
	}
	b, err := safeio.ReadRegular(filepath.Join(dir, "optimize.json"), safeio.RunFileLimit, "optimize.json")
	if err != nil {
		return false
	}
	var head struct {
		Complete *bool `json:"complete"`
	}
	return json.Unmarshal(b, &head) == nil && head.Complete != nil && !*head.Complete
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// writeJSONAtomic writes v as indented JSON to path via a temporary file
// and a rename.
func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}

// writeOptimizeRunDir simulates the baseline and the chosen strategy
// (variant "optimized") with the scenario's seed and replications and
// replaces dir with the run directory, optimize.json, checkpoint.json and the
// optimisation plots, swapped into place at the end.
func writeOptimizeRunDir(ctx context.Context, dir string, sc *scenarios.Scenario, p *strategy.Problem, res *strategy.Outcome, workers int, font string, start time.Time, quiet bool, stderr io.Writer) error {
	if res.Best == nil {
		return errors.New("no strategy was chosen")
	}
	rsc := scenarios.Clone(sc)
	rsc.Sweep = nil
	rsc.Variants = []scenarios.Variant{p.Variant("optimized", "the strategy chosen by startrend optimize ("+res.Best.Label+")", res.Best.X)}
	if err := scenarios.Validate(rsc); err != nil {
		return fmt.Errorf("the optimised strategy is not a valid scenario: %w", err)
	}
	yaml, err := scenarios.Marshal(rsc)
	if err != nil {
		return err
	}
	prog := newProgress(stderr, "final report run", quiet)
	r, err := sim.Run(ctx, rsc, sim.Options{Workers: workers, Progress: prog.Update})
	prog.Finish()
	if err != nil {
		return err
	}
	st, err := reports.Stage(dir)
	if err != nil {
		return err
	}
	defer st.Abort()
	tmp := st.Dir
	meta := reports.RunMeta{WallSeconds: time.Since(start).Seconds(), Workers: workers, Chunks: r.Work.Chunks,
		GoVersion: runtime.Version(), UserDays: r.Work.UserDays, PeakMemBytes: peakMemory(), StartedAtUnix: start.Unix()}
	if err := reports.WriteRunDir(tmp, reports.RunInput{ScenarioYAML: yaml, Result: r, Meta: meta, Font: font, Warn: stderr}, true); err != nil {
		return err
	}
	if err := writeJSONAtomic(filepath.Join(tmp, "optimize.json"), res); err != nil {
		return err
	}
	// The checkpoint goes with the output (bounded: it is read back whole).
	if b, err := safeio.ReadRegular(filepath.Join(dir, optimizeCheckpointFile), safeio.CheckpointLimit, "checkpoint"); err == nil {
		if err := os.WriteFile(filepath.Join(tmp, optimizeCheckpointFile), b, 0o644); err != nil {
			return err
		}
	} else if !errors.Is(err, iofs.ErrNotExist) {
		return err
	}
	if err := reports.WriteOptimize(tmp, res, reports.ReportOptions{Font: font, Warn: io.Discard}); err != nil {
		return err
	}
	// the run store of the search generations stays in the output
	runs := filepath.Join(dir, optimizeRunsDir)
	if experiments.IsStore(runs) {
		if err := os.Rename(runs, filepath.Join(tmp, optimizeRunsDir)); err != nil {
			return err
		}
	}
	err = st.Commit()
	if err != nil && experiments.IsStore(filepath.Join(tmp, optimizeRunsDir)) {
		os.Rename(filepath.Join(tmp, optimizeRunsDir), runs)
	}
	return err
}

// emitScenario writes the chosen strategy with scenarios.Emit: extends:
// the scenario file plus the decided fields (money rounded to the yuan,
// rates to 4 significant digits), its optimize block and variants
// removed.
func emitScenario(path, file string, sc *scenarios.Scenario, p *strategy.Problem, res *strategy.Outcome) error {
	if res.Best == nil {
		return errors.New("no strategy was chosen")
	}
	esc, err := p.Apply(res.Best.X)
	if err != nil {
		return err
	}
	esc.Name = sc.Name + "-optimized"
	esc.Description = strings.TrimSpace(sc.Description + " — strategy chosen by startrend optimize: " + res.Verdict)
	money := map[string]bool{}
	for _, d := range sc.Optimize.Decide {
		if d.Money && d.UnitCost == 1 {
			money[d.Path] = true
		}
	}
	em, err := scenarios.Emit(esc, scenarios.EmitOptions{BaseFile: file, OutFile: path,
		Header: []string{"Written by startrend optimize from " + file + " (its scenario hash " + res.Hash + "): the chosen strategy."},
		Money:  func(path string) bool { return money[path] || scenarios.MoneyPath(path) }})
	if err != nil {
		return err
	}
	if d := filepath.Dir(path); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	return writeFileAtomic(path, em.Data)
}
