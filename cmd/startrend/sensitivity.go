package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/startrend/startrend/experiments"
	"github.com/startrend/startrend/internal/outdir"
	"github.com/startrend/startrend/reports"
	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sensitivity"
	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

const sensitivityHelp = `Sensitivity runs the scenario's sensitivity block: which of the listed
parameters drive the listed KPIs, with confidence intervals.

Methods (sensitivity.method, or --method): morris (elementary effects:
μ, μ*, σ per parameter and KPI, r trajectories over p levels, optionally
optimised), sobol (Saltelli sampling: first-order S1 and total ST indices,
optionally S2, with bootstrap 95% CIs; N·(D+2) runs), oat (one parameter at
a time to its bounds: the tornado) or all (default). Every design point is
simulated for sensitivity.replications replications with independent
seeds (one-at-a-time runs share theirs: replication r of every run uses the
same seed, so the tornado shows paired differences); with 2 or more the
share of each KPI's variance that is simulation noise is reported and
removed from the indices.

--until-ci W doubles the Sobol design (N, 2N, 4N, … up to max_n; old runs
are kept, never recomputed) until every ST interval is within ±W.

Runs go through the experiments run store in DIR (store.json,
points.journal, runs.journal; tidy rows.csv, rows.parquet and points.csv
when finished), one replication per run with its own seed. An interrupted
study continues with --resume and ends with the same files. --shard i/n
runs the runs whose id ≡ i (mod n) of the first pass of every method (for
cluster arrays; the stop rule needs every result, so it runs after the
merge); --merge DIR... combines the n shard directories into -o DIR, runs
what the stop rule still asks for and writes the report. The estimates do
not depend on --workers, on sharding or on resuming.

Output (default out/<scenario name>-sensitivity): besides the run store,
sensitivity.json (every estimate), sobol.csv, morris.csv, oat.csv,
convergence.csv, report.md, report.html and plots/sensitivity_*.png|svg;
sensitivity-run.json holds the timings (the one file that differs between
runs).`

// Files of a sensitivity directory besides the run store's.
const sensRunFile = "sensitivity-run.json" // timings: the one file that varies between runs

// sensOutputs are the files a sensitivity analysis writes next to its run
// store (removed by --force together with the store).
var sensOutputs = []string{reports.SensitivityFile, sensRunFile, "sobol.csv", "morris.csv", "oat.csv", "convergence.csv", reports.ReportMDFile, reports.ReportHTMLFile}

// sensModel simulates one design point: the parameters' values are set on
// a copy of the base scenario, which is simulated for one replication with
// the run's own seed.
type sensModel struct {
	base  *scenarios.Scenario
	space *experiments.Space
	kpis  []string
}

func (m *sensModel) eval(ctx context.Context, x []float64, seed uint64, out []float64) error {
	c := scenarios.Clone(m.base)
	if err := m.space.Apply(c, x); err != nil {
		return err
	}
	c.Seed, c.Replications = seed, 1
	if err := scenarios.Validate(c); err != nil {
		return fmt.Errorf("the design point makes the scenario invalid: %w", err)
	}
	res, err := sim.Run(ctx, c, sim.Options{Workers: 1})
	if err != nil {
		return err
	}
	copy(out, kpiValues(res, m.kpis))
	return nil
}

// kpiValues extracts the KPIs of the run's single replication: market KPIs
// from the totals (ratios by stats.Ratio of their numerator and
// denominator), merchant KPIs from the merchant breakdown. The estimators
// need a number at every design point, so an undefined ratio (zero
// denominator) counts as 0 here.
func kpiValues(res *sim.Result, kpis []string) []float64 {
	rep := res.Variants[0].Reps[0]
	out := make([]float64, len(kpis))
	for i, k := range kpis {
		if rest, ok := strings.CutPrefix(k, "merchant."); ok {
			id, metric, _ := strings.Cut(rest, ".")
			for _, row := range rep.Breakdown {
				if row.Dimension == "merchant" && row.Key == id && row.Metric == metric {
					out[i] = definedOr0(row.Value)
					break
				}
			}
			continue
		}
		for _, m := range res.Metrics {
			if m.Name != k {
				continue
			}
			if m.Kind == sim.Ratio {
				out[i] = definedOr0(stats.Ratio(rep.Totals[m.Num], rep.Totals[m.Den]))
			} else {
				out[i] = rep.Totals[k]
			}
		}
	}
	return out
}

// sensStudy is one method's study with its name.
type sensStudy struct {
	method string
	study  sensitivity.Study
}

// sensFlags are the command line of `startrend sensitivity`.
type sensFlags struct {
	out, method, shard, font string
	n, workers               int
	untilCI                  float64
	resume, force, quiet     bool
	sets, merges             stringsFlag
}

func cmdSensitivity(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	defer experiments.TuneGCForManyRuns()() // many small runs: fewer collections
	var f sensFlags
	fs := newFlagSet("sensitivity")
	fs.StringVar(&f.out, "o", "", "output `DIR` (default out/<scenario name>-sensitivity)")
	fs.StringVar(&f.method, "method", "", "morris, sobol, oat or all (default: sensitivity.method)")
	fs.IntVar(&f.n, "n", 0, "Sobol base points, a power of two (default: sensitivity.n)")
	fs.Float64Var(&f.untilCI, "until-ci", 0, "stop rule: double N until every ST CI half-width is below `W`")
	fs.IntVar(&f.workers, "workers", 0, "runs simulated in parallel (default: all CPUs); the results do not depend on it")
	fs.BoolVar(&f.resume, "resume", false, "continue the study in DIR (its finished runs are kept)")
	fs.StringVar(&f.shard, "shard", "", "run only part `i/n` of the first pass (0 ≤ i < n)")
	fs.BoolVar(&f.force, "force", false, "start again in a DIR that holds a study")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress on stderr")
	fs.StringVar(&f.font, "font", "", "TTF/OTF/TTC `FILE` for plot text")
	fs.Var(&f.sets, "set", "override a field: `PATH=VALUE` (repeatable)")
	fs.Var(&f.merges, "merge", "shard `DIR` to merge (repeatable; all shards of one study)")
	pos, code, ok := parseCommandLine(fs, args, 1, 1, stdout, stderr)
	if !ok {
		return code
	}
	if msg := f.check(); msg != "" {
		fmt.Fprintln(stderr, "startrend sensitivity: "+msg)
		return exitUsage
	}
	sc, ok := loadScenario(ctx, pos, f.sets, stderr)
	if !ok {
		return exitUsage
	}
	if sc.Sensitivity == nil {
		fmt.Fprintf(stderr, "startrend sensitivity: %s: the scenario has no sensitivity block (see 'startrend schema', Sensitivity)\n", pos[0])
		return exitUsage
	}
	if e := unknownKPI(sc); e != nil {
		fmt.Fprintln(stderr, e)
		return exitUsage
	}
	set, msg := f.settings(sc)
	if msg != "" {
		fmt.Fprintln(stderr, "startrend sensitivity: "+msg)
		return exitUsage
	}
	r, err := newSensRunner(sc, set, f, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "startrend sensitivity: %v\n", err)
		return exitUsage
	}
	if code, ok := r.openStore(f, stderr); !ok {
		return code
	}
	start := time.Now()
	runErr := r.runAll(ctx)
	if runErr == nil {
		runErr = r.store.Finalize()
	} else {
		r.store.Close()
	}
	if runErr != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "startrend sensitivity: interrupted after %d runs; the finished runs are kept in %s; continue with --resume\n", r.ran, r.dir)
			return exitInterrupted
		}
		fmt.Fprintf(stderr, "startrend sensitivity: %v\n", runErr)
		return exitFailure
	}
	if r.sharded {
		fmt.Fprintf(stderr, "shard %s: ran %d runs (%d were finished before); merge all shards with --merge\n", r.store.Shard(), r.ran, r.skipped)
		fmt.Fprintln(stdout, r.dir)
		return exitOK
	}
	res, err := r.result(sc)
	if err == nil {
		err = writeSensitivityDir(r.dir, res, f.font)
	}
	if err != nil {
		fmt.Fprintf(stderr, "startrend sensitivity: %v\n", err)
		return exitFailure
	}
	elapsed := time.Since(start)
	writeJSONAtomic(filepath.Join(r.dir, sensRunFile), map[string]any{
		"wall_seconds": elapsed.Seconds(), "workers": r.workers, "runs_this_process": r.ran, "runs_resumed": r.skipped,
		"cpus": runtime.NumCPU(), "version": versionString()})
	if err := markCompleteAs(r.dir, outdir.Sensitivity); err != nil {
		fmt.Fprintf(stderr, "startrend sensitivity: %v\n", err)
		return exitFailure
	}
	if !f.quiet {
		for _, s := range res.Summary {
			fmt.Fprintln(stderr, s)
		}
		fmt.Fprintf(stderr, "done in %.1fs, %d simulator runs in this process\n", elapsed.Seconds(), r.ran)
	}
	fmt.Fprintln(stdout, r.dir)
	return exitOK
}

// check validates the flags on their own ("" when fine).
func (f *sensFlags) check() string {
	switch {
	case f.workers < 0:
		return fmt.Sprintf("--workers %d: must be ≥ 0", f.workers)
	case f.untilCI < 0 || math.IsNaN(f.untilCI) || f.untilCI >= 1:
		return fmt.Sprintf("--until-ci %g: must be in (0, 1)", f.untilCI)
	case f.n != 0 && (f.n < 2 || f.n&(f.n-1) != 0):
		return fmt.Sprintf("--n %d: must be a power of two ≥ 2 (Sobol designs are balanced at 2, 4, 8, …)", f.n)
	case f.method != "" && !contains(scenarios.SensitivityMethods(), f.method):
		return fmt.Sprintf("--method %q: allowed %s", f.method, strings.Join(scenarios.SensitivityMethods(), ", "))
	case f.shard != "" && len(f.merges) > 0:
		return "--shard cannot be combined with --merge"
	}
	if f.shard != "" {
		if _, err := experiments.ParseShard(f.shard); err != nil {
			return fmt.Sprintf("--shard %q: want i/n with 0 ≤ i < n (%v)", f.shard, err)
		}
	}
	return ""
}

// unknownKPI returns a positioned error for the first market KPI the engine
// does not know (merchant KPIs are checked by the scenario's validation).
func unknownKPI(sc *scenarios.Scenario) *scenarios.Error {
	var known []string
	for _, m := range sim.Metrics(sc.Currency) {
		known = append(known, m.Name)
	}
	for i, k := range sc.Sensitivity.KPIs {
		if !strings.HasPrefix(k, "merchant.") && !contains(known, k) {
			path := fmt.Sprintf("sensitivity.kpis.%d", i)
			at := sc.Position(path)
			return &scenarios.Error{File: at.File, Line: at.Line, Col: at.Col, Path: path, Msg: "unknown KPI" + scenarios.DidYouMean(k, known),
				Got: strconv.Quote(k), Allowed: "a KPI name (gmv, roi, new_customers, …) or merchant.ID.METRIC"}
		}
	}
	return nil
}

// settings returns the sensitivity block with the flags applied and the
// defaults filled in, or a message.
func (f *sensFlags) settings(sc *scenarios.Scenario) (scenarios.Sensitivity, string) {
	set := *sc.Sensitivity
	if f.method != "" {
		set.Method = f.method
	}
	if set.Method == "" {
		set.Method = "all"
	}
	if f.n != 0 {
		set.N = f.n
	}
	if set.N == 0 {
		set.N = 256
	}
	if f.untilCI > 0 {
		set.UntilCI = f.untilCI
	}
	if set.MaxN == 0 {
		set.MaxN = 16 * set.N
	}
	if set.MaxN < set.N {
		return set, fmt.Sprintf("--n %d exceeds sensitivity.max_n %d", set.N, set.MaxN)
	}
	if set.Replications == 0 {
		set.Replications = 2
	}
	if set.Trajectories == 0 {
		set.Trajectories = 20
	}
	if set.Levels == 0 {
		set.Levels = 4
	}
	if set.Resamples == 0 {
		set.Resamples = 1000
	}
	if set.Seed == 0 {
		set.Seed = sc.Seed
	}
	if set.Candidates != 0 && set.Candidates < set.Trajectories {
		return set, fmt.Sprintf("sensitivity.candidates %d is below the %d trajectories", set.Candidates, set.Trajectories)
	}
	return set, ""
}

// sensRunner drives the studies of one sensitivity analysis through the
// run store.
type sensRunner struct {
	set     scenarios.Sensitivity
	base    *scenarios.Scenario
	space   *experiments.Space
	model   *sensModel
	studies []sensStudy
	spec    experiments.Spec
	dir     string
	store   *experiments.Store
	sharded bool
	workers int
	quiet   bool
	stderr  io.Writer
	name    string

	// owners[p] says which study and run store point p belongs to and the
	// seeds the study chose for its replications.
	mu           sync.Mutex
	owners       []sensOwner
	ran, skipped int
}

type sensOwner struct {
	study, run int
	seeds      []uint64
}

// newSensRunner builds the parameter space, the model and the studies.
func newSensRunner(sc *scenarios.Scenario, set scenarios.Sensitivity, f sensFlags, stderr io.Writer) (*sensRunner, error) {
	r := &sensRunner{set: set, quiet: f.quiet, stderr: stderr, name: sc.Name, workers: f.workers}
	if r.workers == 0 {
		r.workers = runtime.GOMAXPROCS(0)
	}
	r.base = scenarios.Clone(sc)
	r.base.Variants, r.base.Optimize, r.base.Sweep, r.base.Sensitivity = nil, nil, nil, nil
	var err error
	if r.space, err = experiments.NewSpace(sc, set.Parameters); err != nil {
		return nil, err
	}
	// The design works in the unit cube; Dim.FromUnit maps a coordinate to
	// the parameter's value (whole parameters spread evenly over their
	// integers), which is what the run store records and Apply sets.
	var factors []sensitivity.Factor
	var baseline []float64 // unit coordinates of the scenario's own values
	for _, d := range r.space.Dims {
		v, _ := scenarios.GetFloat(sc, d.Path)
		u := (v - d.Min) / (d.Max - d.Min)
		if d.Kind == experiments.KindWhole {
			u = (v - d.Min + 0.5) / (d.Max - d.Min + 1)
		}
		factors = append(factors, sensitivity.Factor{Name: d.Path, Lo: 0, Hi: 1})
		baseline = append(baseline, math.Min(math.Max(u, 0), 1))
	}
	r.model = &sensModel{base: r.base, space: r.space, kpis: set.KPIs}
	if r.studies, err = newSensStudies(set, factors, baseline); err != nil {
		return nil, err
	}
	// The design text: everything the runs depend on besides the scenario
	// (Seeding names how each study seeds its runs).
	designText, _ := json.Marshal(struct {
		scenarios.Sensitivity
		Seeding string `json:"seeding"`
	}{set, "oat: common per replication; morris, sobol: independent per run and replication"})
	r.spec = experiments.Spec{Kind: "sensitivity", Scenario: sc.Name, ScenarioHash: scenarios.Hash(r.base), Design: string(designText), Columns: r.space.Columns()}
	for _, k := range set.KPIs {
		r.spec.Outputs = append(r.spec.Outputs, experiments.Output{Variant: "baseline", Metric: k})
	}
	r.dir = f.out
	if r.dir == "" {
		r.dir = filepath.Join("out", safeDirName(sc.Name)+"-sensitivity")
		if f.shard != "" {
			r.dir += "-shard" + strings.ReplaceAll(f.shard, "/", "of")
		}
	}
	return r, nil
}

// newSensStudies returns the studies of the block's method, in the order
// they run: one at a time, Morris, Sobol.
func newSensStudies(set scenarios.Sensitivity, factors []sensitivity.Factor, baseline []float64) ([]sensStudy, error) {
	var studies []sensStudy
	has := func(m string) bool { return set.Method == "all" || set.Method == m }
	if has("oat") {
		st, err := sensitivity.NewOATStudy(factors, baseline, set.KPIs, set.Replications, set.Seed^0x0a7)
		if err != nil {
			return nil, err
		}
		studies = append(studies, sensStudy{"oat", st})
	}
	if has("morris") {
		st, err := sensitivity.NewMorrisStudy(factors, set.KPIs, sensitivity.MorrisSettings{Trajectories: set.Trajectories, Levels: set.Levels,
			Candidates: set.Candidates, Replications: set.Replications, Resamples: set.Resamples, Seed: set.Seed ^ 0x3044})
		if err != nil {
			return nil, err
		}
		studies = append(studies, sensStudy{"morris", st})
	}
	if has("sobol") {
		st, err := sensitivity.NewSobolStudy(factors, set.KPIs, sensitivity.SobolSettings{N: set.N, UntilCI: set.UntilCI, MaxN: set.MaxN,
			Replications: set.Replications, Resamples: set.Resamples, SecondOrder: set.SecondOrder, Seed: set.Seed ^ 0x50b01})
		if err != nil {
			return nil, err
		}
		studies = append(studies, sensStudy{"sobol", st})
	}
	return studies, nil
}

// openStore opens (or creates, resumes, merges into) the run store in the
// runner's directory; on failure it returns the exit status.
func (r *sensRunner) openStore(f sensFlags, stderr io.Writer) (int, bool) {
	fail := func(format string, a ...any) (int, bool) {
		fmt.Fprintf(stderr, "startrend sensitivity: "+format+"\n", a...)
		return exitFailure, false
	}
	dir := r.dir
	if st, _ := outdir.Inspect(dir); st.Ours && st.Kind == outdir.Sensitivity && !st.Whole && !st.Empty && !experiments.IsStore(dir) {
		// A study in progress without its store.json records no run (its
		// store was never begun, or its --force removal was killed): what
		// is left is startrend's and is cleared.
		if err := removeSensitivityDir(dir); err != nil {
			return fail("%v", err)
		}
	}
	if experiments.IsStore(dir) && !f.resume {
		if !f.force {
			return fail("%s holds a study already; use --resume to continue it, --force to start again, or -o for another directory", dir)
		}
		if err := removeSensitivityDir(dir); err != nil {
			return fail("--force: %v", err)
		}
	}
	if f.resume && !experiments.IsStore(dir) {
		return fail("--resume: %s holds no study (no %s)", dir, experiments.FileManifest)
	}
	// The directory is written in place over time (the store's journal is
	// the record of what is done), so it is claimed rather than staged; a
	// directory startrend did not write is refused, --force or not.
	if err := outdir.Claim(dir, outdir.Sensitivity, false); err != nil {
		return fail("%v", err)
	}
	if len(f.merges) > 0 {
		if experiments.IsStore(dir) {
			return fail("--merge: %s holds a study already; merge into a new directory", dir)
		}
		if err := experiments.Merge(dir, f.merges); err != nil {
			return fail("--merge: %v", err)
		}
	}
	var sh experiments.Shard
	if f.shard != "" {
		sh, _ = experiments.ParseShard(f.shard) // checked with the flags
	}
	store, err := experiments.Open(dir, r.spec, experiments.Options{Shard: sh, Resume: f.resume || len(f.merges) > 0})
	if err != nil {
		return fail("%v", err)
	}
	r.store, r.sharded = store, !store.Shard().Whole()
	return exitOK, true
}

// eval is the run store's evaluator: the run's study gave its seed.
func (r *sensRunner) eval(ctx context.Context, run experiments.Run, x []float64, out []float64) error {
	r.mu.Lock()
	o := r.owners[run.Point]
	r.mu.Unlock()
	if err := r.model.eval(ctx, x, o.seeds[run.Replication], out); err != nil {
		return fmt.Errorf("%s run %d replication %d: %w", r.studies[o.study].method, o.run, run.Replication, err)
	}
	return nil
}

// runAll runs every study to its end (a shard: the first pass of each).
func (r *sensRunner) runAll(ctx context.Context) error {
	for si, s := range r.studies {
		for {
			tasks, err := s.study.Ask()
			if err != nil {
				return err
			}
			if len(tasks) == 0 {
				break
			}
			if err := r.pass(ctx, si, tasks); err != nil {
				return err
			}
			if r.sharded {
				break // a shard runs its part of the first pass of each method only
			}
		}
	}
	return nil
}

// pass submits one pass of a study as a store batch (its runs in order,
// replications 0 … R−1 each), executes it and tells the study the results.
func (r *sensRunner) pass(ctx context.Context, si int, tasks []sensitivity.Task) error {
	s := r.studies[si]
	reps := r.set.Replications
	var pts experiments.Points
	var runs []int
	var seeds [][]uint64
	for _, t := range tasks {
		if len(runs) == 0 || runs[len(runs)-1] != t.Run {
			runs = append(runs, t.Run)
			seeds = append(seeds, make([]uint64, reps))
			x := make([]float64, len(t.X))
			for j := range x {
				x[j] = r.space.Dims[j].FromUnit(t.X[j])
			}
			pts = append(pts, x)
		}
		if t.Rep < 0 || t.Rep >= reps {
			return fmt.Errorf("%s: replication %d asked (internal)", s.method, t.Rep)
		}
		seeds[len(seeds)-1][t.Rep] = t.Seed
	}
	if len(tasks) != len(runs)*reps {
		return fmt.Errorf("%s: %d evaluations asked for %d runs × %d replications (internal)", s.method, len(tasks), len(runs), reps)
	}
	b, err := r.store.Submit(pts, reps)
	if err != nil {
		return err
	}
	r.mu.Lock()
	for len(r.owners) < b.FirstPoint+b.Points {
		r.owners = append(r.owners, sensOwner{})
	}
	for i, run := range runs {
		r.owners[b.FirstPoint+i] = sensOwner{si, run, seeds[i]}
	}
	r.mu.Unlock()
	// one bar per pass: the number of passes is decided as they end
	prog := newProgress(r.stderr, fmt.Sprintf("sensitivity %s: %s, %d runs", r.name, s.method, b.Runs), r.quiet)
	c, err := r.store.Execute(ctx, b, r.eval, experiments.ExecuteOptions{Workers: r.workers, Progress: prog.Update})
	r.ran += c.Ran
	r.skipped += c.Done
	if err != nil {
		prog.Abort()
		return err
	}
	prog.Finish()
	if r.sharded {
		return nil
	}
	return r.store.Results(b, func(run experiments.Run, _, out []float64) error {
		return s.study.Tell(runs[run.Point-b.FirstPoint], run.Replication, out)
	})
}

// result collects every study's estimates into the result file's form.
func (r *sensRunner) result(sc *scenarios.Scenario) (*reports.SensitivityResult, error) {
	set := r.set
	res := &reports.SensitivityResult{Scenario: sc.Name, Hash: scenarios.Hash(r.base), Model: modelRevision(), Seed: set.Seed,
		Method: set.Method, Replications: set.Replications, KPIs: set.KPIs}
	for _, d := range r.space.Dims {
		v, _ := scenarios.GetFloat(sc, d.Path)
		res.Parameters = append(res.Parameters, reports.SensParameter{Path: d.Path, Min: d.Min, Max: d.Max, Whole: d.Kind == experiments.KindWhole, Baseline: v})
	}
	for _, s := range r.studies {
		switch st := s.study.(type) {
		case *sensitivity.OATStudy:
			eff, err := st.Effects()
			if err != nil {
				return nil, err
			}
			o := &reports.SensOAT{Runs: st.Runs()}
			for k, e := range eff {
				o.Effects = append(o.Effects, reports.SensOATKPI{KPI: set.KPIs[k], Baseline: reports.Float(e.Baseline), Low: floats(e.Low), High: floats(e.High)})
			}
			res.OAT = o
		case *sensitivity.MorrisStudy:
			eff, err := st.Effects()
			if err != nil {
				return nil, err
			}
			ms := st.Settings()
			m := &reports.SensMorris{Trajectories: ms.Trajectories, Levels: ms.Levels, Candidates: ms.Candidates, Runs: st.Runs()}
			for k, e := range eff {
				m.Effects = append(m.Effects, reports.SensMorrisKPI{KPI: set.KPIs[k], Mu: floats(e.Mu), MuStar: estimates(e.MuStar), Sigma: floats(e.Sigma)})
			}
			res.Morris = m
		case *sensitivity.SobolStudy:
			var names []string
			for _, d := range r.space.Dims {
				names = append(names, d.Path)
			}
			res.Sobol = sobolResult(st, set.KPIs, names)
		}
	}
	res.Summary = reports.SensitivitySummary(res)
	return res, nil
}

// sobolResult converts a Sobol study's passes.
func sobolResult(st *sensitivity.SobolStudy, kpis, names []string) *reports.SensSobol {
	ss := st.Settings()
	nan := reports.Float(math.NaN())
	so := &reports.SensSobol{N: ss.N, MaxN: ss.MaxN, UntilCI: ss.UntilCI, Converged: st.Converged(), SecondOrder: ss.SecondOrder, Resamples: ss.Resamples}
	for _, p := range st.Passes() {
		sp := reports.SensSobolPass{N: p.N, Runs: p.Runs}
		for k, ix := range p.Indices {
			kk := reports.SensSobolKPI{KPI: kpis[k]}
			if ix == nil {
				kk.Error = p.Errs[k].Error()
				kk.Mean, kk.Variance, kk.NoiseVariance, kk.NoiseShare = nan, nan, nan, nan
			} else {
				kk.S1, kk.ST = estimates(ix.S1), estimates(ix.ST)
				for j := range ix.ST {
					kk.Inert = append(kk.Inert, ix.Inert(j))
				}
				for _, row := range ix.S2 {
					kk.S2 = append(kk.S2, estimates(row))
				}
				kk.Mean, kk.Variance = reports.Float(ix.Mean), reports.Float(ix.Variance)
				kk.NoiseVariance, kk.NoiseShare = reports.Float(ix.NoiseVariance), reports.Float(ix.NoiseShare)
				for _, ns := range ix.STNoise {
					kk.STNoise = append(kk.STNoise, reports.Float(ns.Linear+ns.Square))
				}
			}
			sp.KPIs = append(sp.KPIs, kk)
		}
		so.Passes = append(so.Passes, sp)
	}
	if last := st.Result(); last != nil && ss.UntilCI > 0 {
		so.Widest = widestInterval(last, kpis, names, ss.UntilCI, st.Design().RunsPerBase())
	}
	return so
}

// widestInterval finds the pass's widest total-index interval and the
// base points predicted to bring it within the width.
func widestInterval(p *sensitivity.SobolPass, kpis, names []string, width float64, perBase int) *reports.SensWidest {
	var w *reports.SensWidest
	for k, ix := range p.Indices {
		if ix == nil {
			continue
		}
		for j, st := range ix.ST {
			if w != nil && st.HalfWidth() <= w.HalfWidth {
				continue
			}
			noise := math.NaN()
			if ix.STNoise != nil {
				noise = ix.STNoise[j].Linear + ix.STNoise[j].Square
			}
			plan := sensitivity.PlanWidth(st.HalfWidth(), p.N, noise, width)
			w = &reports.SensWidest{KPI: kpis[k], Parameter: names[j], HalfWidth: st.HalfWidth(), Noise: reports.Float(noise),
				N: plan.N, Runs: plan.N * perBase * ix.Replications, FloorN: plan.FloorN}
		}
	}
	return w
}

func floats(xs []float64) []reports.Float {
	out := make([]reports.Float, len(xs))
	for i, x := range xs {
		out[i] = reports.Float(x)
	}
	return out
}

func estimates(xs []sensitivity.Index) []reports.Estimate {
	out := make([]reports.Estimate, len(xs))
	for i, x := range xs {
		out[i] = reports.Estimate{Value: reports.Float(x.Value), Lo: reports.Float(x.Lo), Hi: reports.Float(x.Hi)}
	}
	return out
}

// modelRevision is the build's version-control revision ("unknown" when
// the build did not record one).
func modelRevision() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", ""
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			return rev + dirty
		}
	}
	return "unknown"
}

// removeSensitivityDir removes a sensitivity directory's run store and
// outputs, and nothing else: a file the study did not write stays (and a
// new store then refuses the directory).
func removeSensitivityDir(dir string) error {
	// The marker is first made the in-progress one and store.json goes
	// last: a kill during the removal leaves a study in progress that
	// --force removes again, never one marked complete with files missing.
	// A directory holding a file startrend did not write is refused before
	// anything is removed.
	if err := beginRemoval(dir, outdir.Sensitivity); err != nil {
		return err
	}
	for _, f := range append([]string{experiments.FilePoints, experiments.FileRuns,
		experiments.FileRowsCSV, experiments.FileRowsParquet, experiments.FilePointsCSV}, sensOutputs...) {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	plots, _ := filepath.Glob(filepath.Join(dir, reports.PlotsDir, "sensitivity_*"))
	for _, f := range plots {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	os.Remove(filepath.Join(dir, reports.PlotsDir)) // only when empty
	if err := os.Remove(filepath.Join(dir, experiments.FileManifest)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// writeSensitivityDir writes sensitivity.json, the CSV tables and the report
// into dir, each file replaced atomically.
func writeSensitivityDir(dir string, r *reports.SensitivityResult, font string) error {
	if err := writeJSONAtomic(filepath.Join(dir, reports.SensitivityFile), r); err != nil {
		return err
	}
	f := func(x reports.Float) string {
		if math.IsNaN(float64(x)) {
			return ""
		}
		return strconv.FormatFloat(float64(x), 'g', -1, 64)
	}
	writeCSV := func(name string, header []string, rows [][]string) error {
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Write(header)
		w.WriteAll(rows)
		if err := w.Error(); err != nil {
			return err
		}
		return writeFileAtomic(filepath.Join(dir, name), []byte(b.String()))
	}
	if r.Sobol != nil && len(r.Sobol.Passes) > 0 {
		var rows, conv [][]string
		last := r.Sobol.Passes[len(r.Sobol.Passes)-1]
		for _, k := range last.KPIs {
			for j, p := range r.Parameters {
				if k.Error != "" {
					continue
				}
				rows = append(rows, []string{k.KPI, p.Path, strconv.Itoa(last.N), f(k.S1[j].Value), f(k.S1[j].Lo), f(k.S1[j].Hi), f(k.ST[j].Value), f(k.ST[j].Lo), f(k.ST[j].Hi), strconv.FormatBool(k.Inert[j]), f(k.NoiseShare)})
			}
		}
		for _, ps := range r.Sobol.Passes {
			for _, k := range ps.KPIs {
				if k.Error != "" {
					continue
				}
				for j, p := range r.Parameters {
					conv = append(conv, []string{strconv.Itoa(ps.N), strconv.Itoa(ps.Runs), k.KPI, p.Path, f(k.S1[j].Value), f(k.ST[j].Value), f(k.ST[j].Lo), f(k.ST[j].Hi)})
				}
			}
		}
		if err := writeCSV("sobol.csv", []string{"kpi", "parameter", "n", "s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi", "inert", "noise_share"}, rows); err != nil {
			return err
		}
		if err := writeCSV("convergence.csv", []string{"n", "runs", "kpi", "parameter", "s1", "st", "st_lo", "st_hi"}, conv); err != nil {
			return err
		}
	}
	if r.Morris != nil {
		var rows [][]string
		for _, e := range r.Morris.Effects {
			for j, p := range r.Parameters {
				rows = append(rows, []string{e.KPI, p.Path, f(e.Mu[j]), f(e.MuStar[j].Value), f(e.MuStar[j].Lo), f(e.MuStar[j].Hi), f(e.Sigma[j])})
			}
		}
		if err := writeCSV("morris.csv", []string{"kpi", "parameter", "mu", "mu_star", "mu_star_lo", "mu_star_hi", "sigma"}, rows); err != nil {
			return err
		}
	}
	if r.OAT != nil {
		var rows [][]string
		for _, e := range r.OAT.Effects {
			for j, p := range r.Parameters {
				rows = append(rows, []string{e.KPI, p.Path, f(e.Baseline), strconv.FormatFloat(p.Min, 'g', -1, 64), f(e.Low[j]), strconv.FormatFloat(p.Max, 'g', -1, 64), f(e.High[j])})
			}
		}
		if err := writeCSV("oat.csv", []string{"kpi", "parameter", "baseline_kpi", "min", "change_at_min", "max", "change_at_max"}, rows); err != nil {
			return err
		}
	}
	if err := reports.WriteSensitivity(dir, reports.ReportOptions{Font: font}); err != nil {
		return errors.Join(errors.New("writing the report"), err)
	}
	return nil
}

const sensitivityUsage = "sensitivity SCENARIO.yaml [-o DIR] [--method M] [--n N] [--until-ci W] [--workers N] [--resume] [--shard i/n] [--merge DIR...] [--set PATH=VALUE ...]"

// definedOr0 is v, or 0 where v is undefined (NaN).
func definedOr0(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}
