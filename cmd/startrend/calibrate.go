package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/startrend/startrend/calibrate"
	"github.com/startrend/startrend/experiments"
	"github.com/startrend/startrend/internal/outdir"
	"github.com/startrend/startrend/internal/safeio"
	"github.com/startrend/startrend/reports"
	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

const calibrateJournalFile = "runs.jsonl"

const calibrateUsage = "calibrate SCENARIO.yaml [-o DIR] [--runs N] [--method smm|abc-smc] [--workers N] [--resume] [--shard i/n --journal FILE ...] [--force] [--emit-scenario FILE] [--set PATH=VALUE ...]"

const calibrateHelp = `Fits the fields listed in the scenario's calibrate block so that the
simulated targets reproduce the observed ones, and reports how well each
field is pinned down.

Targets are a KPI (orders, gmv, cooperations, trend_submissions, ...) or a
ratio of two ("orders / cooperations"), measured on the market, or on one
merchant, trend or campaign (their breakdown: gmv, orders, new_customers,
impressions, spend, creator_income, roi; trends also submissions, plays,
adopters; or any breakdown row, breakdown: DIMENSION:KEY), on the baseline
or a variant, optionally as the relative change against another arm
(versus), optionally over a window of days. One side of a ratio may name
its own row, NAME@DIMENSION:KEY, and a key !K sums every key but K:
"orders@contract:!own / cooperations" is creator-content orders per
cooperation. Each has an observed value and a standard error (se) or a
relative tolerance.

Methods: smm (default) — the simulated method of moments: CMA-ES minimises
the distance Σ (simulated − observed)² / (se² + simulation variance / R)
with R replications per candidate under common random numbers; the
uncertainty is the asymptotic sandwich from a finite-difference Jacobian
(or a parametric bootstrap with calibrate.bootstrap). abc-smc — approximate
Bayesian computation by sequential Monte Carlo: a population of particles
per generation from the priors, shrinking tolerances, importance weights.

A run is one replication of one arm; calibrate.runs (or --runs) bounds them.
The output directory (default out/<scenario name>-calibrate) holds
calibrate.json (the fit), report.md, report.html, plots/ and runs.jsonl, the
journal of completed runs: after an interruption (exit status 130),
--resume continues and ends with the fit an uninterrupted run gives, for any
--workers.

--shard i/n splits every batch's runs over n processes (or machines):
each simulates the runs whose index in the batch is i mod n and stops with
exit status 3 when the batch needs the others'. Run every shard again with
--resume and --journal naming the other shards' runs.jsonl files; each
round goes one batch further, and the shard whose round completes the
calibration writes the fit — the same fit one process computes.

--emit-scenario FILE writes the fitted scenario: it extends the original
with the fitted values (4 significant digits) and drops the calibrate block.`

// calTarget is a resolved calibration target: num (/ den) on arm (against
// versus), over a window.
type calTarget struct {
	name        string
	num, den    kpiRef // den.name "" for a single KPI
	arm, versus string
	w0, w1      int // window (1-based, inclusive); 0: the whole horizon
	path        string
	metrics     map[string]sim.Metric
}

// kpiRef is one KPI: a market KPI (scope ""), or one of a breakdown row
// (scope is the dimension: merchant, trend, campaign, creator_type, …; a
// key "!K" sums every key but K).
type kpiRef struct{ name, scope, key string }

// parseKPIRef reads "NAME" or "NAME@DIMENSION:KEY"; a NAME alone takes the
// target's scope.
func parseKPIRef(s, scope, key string) kpiRef {
	name, at, ok := strings.Cut(s, "@")
	if ok {
		scope, key, _ = strings.Cut(at, ":")
	}
	return kpiRef{name: strings.TrimSpace(name), scope: strings.TrimSpace(scope), key: strings.TrimSpace(key)}
}

// breakdownKPIs are the KPIs the engine breaks down by merchant, trend and
// campaign; trendSeries the per-trend daily series.
var (
	// breakdownDims are the engine's breakdown dimensions (sim's result
	// contract: Result.Breakdown rows); a key the engine did not write is
	// caught by the probe run.
	breakdownDims = []string{"merchant", "creator_type", "creator_tier", "format", "contract", "fact_channel", "trend", "campaign", "creator_type_format", "campaign_window"}
	breakdownKPIs = []string{"gmv", "orders", "new_customers", "impressions", "spend", "creator_income", "roi"}
	trendSeries   = []string{"submissions", "plays", "adopters"}
)

// resolveTargets checks every target's KPI names against the metric
// registry and returns the targets, or positioned errors.
func resolveTargets(sc *scenarios.Scenario) ([]*calTarget, []string) {
	metrics := map[string]sim.Metric{}
	var names []string
	for _, m := range sim.Metrics(sc.Currency) {
		metrics[m.Name] = m
		names = append(names, m.Name)
	}
	var out []*calTarget
	var errs []string
	for i, t := range sc.Calibrate.Targets {
		tp := fmt.Sprintf("calibrate.targets.%d", i)
		ct := &calTarget{name: t.Name, arm: t.Arm(), versus: t.Versus, path: tp, metrics: metrics}
		var scope, key string
		switch {
		case t.Merchant != "":
			scope, key = "merchant", t.Merchant
		case t.Trend != "":
			scope, key = "trend", t.Trend
		case t.Campaign != "":
			scope, key = "campaign", t.Campaign
		case t.Breakdown != "":
			scope, key, _ = strings.Cut(t.Breakdown, ":")
		}
		num, den := scenarios.SplitKPI(t.KPI)
		ct.num = parseKPIRef(num, scope, key)
		if den != "" {
			ct.den = parseKPIRef(den, scope, key)
		}
		if len(t.Window) == 2 {
			ct.w0, ct.w1 = t.Window[0], t.Window[1]
		}
		for _, r := range []kpiRef{ct.num, ct.den} {
			if r.name == "" {
				continue
			}
			if r.scope != "" && !contains(breakdownDims, r.scope) {
				errs = append(errs, fmt.Sprintf("%s: %s: unknown breakdown dimension %q%s (known: %s)", posText(sc.Position(tp+".kpi")), tp, r.scope,
					scenarios.DidYouMean(r.scope, breakdownDims), strings.Join(breakdownDims, ", ")))
				continue
			}
			if r.scope != "" && r.key == "" {
				errs = append(errs, fmt.Sprintf("%s: %s.kpi: %s@%s needs a key (DIMENSION:KEY)", posText(sc.Position(tp+".kpi")), tp, r.name, r.scope))
				continue
			}
			known, where := names, "market"
			switch r.scope {
			case "":
			case "trend":
				known, where = append(append([]string(nil), breakdownKPIs...), trendSeries...), "trend breakdown"
			default:
				known, where = breakdownKPIs, r.scope+" breakdown"
			}
			if !contains(known, r.name) {
				errs = append(errs, fmt.Sprintf("%s: %s.kpi: unknown %s KPI %q%s (known: %s)", posText(sc.Position(tp+".kpi")), tp, where, r.name,
					scenarios.DidYouMean(r.name, known), strings.Join(known, ", ")))
			}
			if ct.w0 > 0 && r.scope != "" && !(r.scope == "trend" && contains(trendSeries, r.name)) {
				errs = append(errs, fmt.Sprintf("%s: %s.window: a window applies to market KPIs and trend series (%s), not to %s@%s", posText(sc.Position(tp+".window")), tp, strings.Join(trendSeries, ", "), r.name, r.scope))
			}
		}
		out = append(out, ct)
	}
	return out, errs
}

// kpi is the value of one KPI in one replication, or NaN.
func (t *calTarget) kpi(rr *sim.RepResult, r kpiRef) float64 {
	name := r.name
	if r.scope != "" {
		if r.scope == "trend" && contains(trendSeries, name) {
			d := rr.Daily["trend_"+name+":"+r.key]
			if len(d) == 0 {
				return math.NaN()
			}
			lo, hi := 1, len(d)
			if t.w0 > 0 {
				lo, hi = t.w0, min(t.w1, len(d))
			}
			if name == "adopters" { // a level: the last day's
				return d[hi-1]
			}
			s := 0.0
			for _, x := range d[lo-1 : hi] {
				s += x
			}
			return s
		}
		if not, ok := strings.CutPrefix(r.key, "!"); ok && name != "roi" { // every key but one
			s, n := 0.0, 0
			for _, row := range rr.Breakdown {
				if row.Dimension == r.scope && row.Key != not && row.Metric == name {
					s += row.Value
					n++
				}
			}
			if n == 0 {
				return math.NaN()
			}
			return s
		}
		for _, row := range rr.Breakdown {
			if row.Dimension == r.scope && row.Key == r.key && row.Metric == name {
				return row.Value
			}
		}
		return math.NaN()
	}
	m := t.metrics[name]
	if m.Kind == sim.Ratio {
		return stats.Ratio(t.kpiPlain(rr, m.Num, sim.Sum), t.kpiPlain(rr, m.Den, sim.Sum))
	}
	return t.kpiPlain(rr, name, m.Kind)
}

func (t *calTarget) kpiPlain(rr *sim.RepResult, name string, kind sim.MetricKind) float64 {
	if t.w0 == 0 {
		v, ok := rr.Totals[name]
		if !ok {
			return math.NaN()
		}
		return v
	}
	d := rr.Daily[name]
	hi := min(t.w1, len(d))
	if hi < t.w0 {
		return math.NaN()
	}
	if kind == sim.Stock {
		return d[hi-1]
	}
	s := 0.0
	for _, x := range d[t.w0-1 : hi] {
		s += x
	}
	return s
}

// value is the target in one replication of the arms.
func (t *calTarget) value(arms map[string]*sim.RepResult) float64 {
	at := func(arm string) float64 {
		rr := arms[arm]
		v := t.kpi(rr, t.num)
		if t.den.name != "" {
			v = stats.Ratio(v, t.kpi(rr, t.den))
		}
		return v
	}
	v := at(t.arm)
	if t.versus != "" {
		v = stats.Ratio(v, at(t.versus)) - 1
	}
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// calScenario holds what the simulator needs to run a calibration run.
type calScenario struct {
	sc      *scenarios.Scenario
	params  []scenarios.Parameter
	integer []bool
	targets []*calTarget
	arms    []string // baseline first, then the variants the targets use
}

// apply returns the scenario with θ set (integer fields rounded).
func (cs *calScenario) apply(theta []float64) (*scenarios.Scenario, error) {
	c := scenarios.Clone(cs.sc)
	c.Calibrate = nil
	for i, p := range cs.params {
		var v any = theta[i]
		if cs.integer[i] {
			v = int(math.Round(theta[i]))
		}
		if err := scenarios.Set(c, p.Path, v); err != nil {
			return nil, err
		}
	}
	var keep []scenarios.Variant
	for _, v := range cs.sc.Variants {
		if contains(cs.arms, v.Name) {
			keep = append(keep, v)
		}
	}
	c.Variants = keep
	if err := scenarios.Validate(c); err != nil {
		return nil, err
	}
	return c, nil
}

// simulate runs replication rep of every arm at θ and returns the targets.
// Replication rep has the random numbers replication rep of 'startrend run'
// has (the scenario's seed, the replication's own streams), for every θ and
// every arm: common random numbers.
func (cs *calScenario) simulate(ctx context.Context, theta []float64, rep int) ([]float64, error) {
	c, err := cs.apply(theta)
	if err != nil {
		return nil, fmt.Errorf("the parameter values %v give an invalid scenario: %w", theta, err)
	}
	res, err := sim.Run(ctx, c, sim.Options{Workers: 1, Replications: []int{rep}})
	if err != nil {
		return nil, err
	}
	arms := map[string]*sim.RepResult{}
	for i := range res.Variants {
		arms[res.Variants[i].Name] = &res.Variants[i].Reps[0]
	}
	out := make([]float64, len(cs.targets))
	for j, t := range cs.targets {
		out[j] = t.value(arms)
	}
	return out, nil
}

// calibrateFlags are the command line of startrend calibrate.
type calibrateFlags struct {
	out, method, shardSpec, emit, font *string
	runs, workers                      *int
	resume, force, quiet               *bool
	imports, sets                      stringsFlag
	shard                              experiments.Shard
}

func parseCalibrateFlags(args []string, stdout, stderr io.Writer) (*calibrateFlags, []string, int, bool) {
	fs := newFlagSet("calibrate")
	f := &calibrateFlags{
		out:       fs.String("o", "", "output `DIR` (default out/<scenario name>-calibrate)"),
		runs:      fs.Int("runs", 0, "run budget, a run being one replication of one arm (default: calibrate.runs)"),
		method:    fs.String("method", "", "smm or abc-smc (default: calibrate.method)"),
		workers:   fs.Int("workers", 0, "runs simulated in parallel (default: all CPUs); the fit does not depend on it"),
		resume:    fs.Bool("resume", false, "continue from DIR/"+calibrateJournalFile),
		shardSpec: fs.String("shard", "", "simulate only this share `i/n` of every batch's runs (see 'startrend help calibrate')"),
		force:     fs.Bool("force", false, "replace an existing calibration in DIR"),
		emit:      fs.String("emit-scenario", "", "write the fitted scenario to `FILE`"),
		quiet:     fs.Bool("quiet", false, "no progress on stderr"),
		font:      fs.String("font", "", "TTF/OTF/TTC `FILE` for plot text (CJK names)"),
	}
	fs.Var(&f.imports, "journal", "also load the runs of another shard's journal `FILE` (repeatable; copied into DIR's)")
	fs.Var(&f.sets, "set", "override a field: `PATH=VALUE` (repeatable)")
	pos, code, ok := parseCommandLine(fs, args, 1, 1, stdout, stderr)
	if !ok {
		return nil, nil, code, false
	}
	if *f.workers < 0 || *f.runs < 0 {
		fmt.Fprintln(stderr, "startrend calibrate: --workers and --runs must be ≥ 0")
		return nil, nil, exitUsage, false
	}
	var err error
	if f.shard, err = experiments.ParseShard(*f.shardSpec); err != nil {
		fmt.Fprintf(stderr, "startrend calibrate: --shard: %v\n", err)
		return nil, nil, exitUsage, false
	}
	return f, pos, exitOK, true
}

// calibrationProblem turns the scenario's calibrate block into the
// simulator and the problem; errors are positioned messages.
func calibrationProblem(sc *scenarios.Scenario) (*calScenario, calibrate.Problem, []float64, []string) {
	cb := sc.Calibrate
	targets, errs := resolveTargets(sc)
	cs := &calScenario{sc: sc, params: cb.Parameters, targets: targets, arms: []string{"baseline"}}
	prob := calibrate.Problem{Seed: cb.Seed}
	if len(errs) > 0 {
		return cs, prob, nil, errs
	}
	for _, t := range targets {
		for _, a := range []string{t.arm, t.versus} {
			if a != "" && !contains(cs.arms, a) {
				cs.arms = append(cs.arms, a)
			}
		}
	}
	if prob.Seed == 0 {
		prob.Seed = sc.Seed
	}
	start := make([]float64, len(cb.Parameters))
	for i, p := range cb.Parameters {
		pp := fmt.Sprintf("calibrate.parameters.%d", i)
		cur, _ := scenarios.Get(sc, p.Path)
		isInt := p.Integer
		switch v := cur.(type) {
		case int:
			isInt, start[i] = true, float64(v)
		case uint64:
			isInt, start[i] = true, float64(v)
		case float64:
			start[i] = v
		}
		cs.integer = append(cs.integer, isInt)
		start[i] = math.Min(math.Max(start[i], p.Min), p.Max)
		q := calibrate.Parameter{Name: p.Path, Lo: p.Min, Hi: p.Max}
		if pr := p.Prior; pr != nil {
			q.Prior = calibrate.Prior{Dist: pr.Dist, Mean: pr.Mean, SD: pr.SD}
			if pr.Dist == "lognormal" {
				q.Prior.Mean = math.Exp(pr.Mean) // the median
			}
		}
		prob.Params = append(prob.Params, q)
		// Both ends of the bounds must give a valid scenario.
		for _, x := range []float64{p.Min, p.Max} {
			single := &calScenario{sc: sc, params: cb.Parameters[i : i+1], integer: []bool{isInt}, arms: cs.arms}
			if _, err := single.apply([]float64{x}); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %s: the bound %s of %s gives an invalid scenario: %s", posText(sc.Position(pp)), pp, fmtG(x), p.Path, oneLine(err)))
			}
		}
	}
	for _, t := range cb.Targets {
		prob.Targets = append(prob.Targets, calibrate.Target{Name: t.Name, Observed: t.Observed, SE: t.SE, Tolerance: t.Tolerance})
	}
	if err := prob.Validate(); err != nil {
		errs = append(errs, fmt.Sprintf("%s: calibrate: %v", posText(sc.Position("calibrate")), err))
	}
	return cs, prob, start, errs
}

// newCalibrationMethod starts the block's method with its defaults.
func newCalibrationMethod(cb *scenarios.Calibrate, prob calibrate.Problem, start []float64, maxRuns int) (*calibrate.Calibration, error) {
	if cb.Method == "smm" {
		R := cb.Replications
		if R == 0 {
			R = 4
		}
		return calibrate.NewSMM(prob, calibrate.SMMOptions{Replications: R, MaxRuns: maxRuns, Start: start, Bootstrap: cb.Bootstrap, Step: smmStep})
	}
	pop, gens := cb.Population, cb.Generations
	if pop == 0 {
		pop = 200
	}
	if gens == 0 {
		gens = 8
	}
	return calibrate.NewABC(prob, calibrate.ABCOptions{Population: pop, Generations: gens, MaxRuns: maxRuns})
}

// openCalibrationJournal claims dir and opens its journal (loaded on
// --resume, plus the --journal imports).
func openCalibrationJournal(dir, jpath string, f *calibrateFlags, cs *calScenario, stderr io.Writer) (*calibrate.Journal, *os.File, int) {
	if !*f.resume && !*f.force {
		for _, name := range []string{calibrateJournalFile, reports.CalibrateFile} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				fmt.Fprintf(stderr, "startrend calibrate: %s holds %s already; use --resume to continue, --force to start again, or -o for another directory\n", dir, name)
				return nil, nil, exitFailure
			}
		}
	}
	// The journal is written in place as runs finish; the fit and the
	// reports are staged and swapped in at the end.
	if err := outdir.Claim(dir, outdir.Calibrate, *f.force); err != nil {
		fmt.Fprintf(stderr, "startrend calibrate: %v\n", err)
		return nil, nil, exitFailure
	}
	nw := *f.workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_APPEND
	if !*f.resume {
		flags |= os.O_TRUNC
	}
	jf, err := os.OpenFile(jpath, flags, 0o644)
	if err != nil {
		fmt.Fprintf(stderr, "startrend calibrate: %v\n", err)
		return nil, nil, exitFailure
	}
	journal := calibrate.NewRunJournal(cs.simulate, nw, jf)
	load := func(name, what string, fn func(string, io.Reader) error) bool {
		rf, err := safeio.Open(name, safeio.StoreFileLimit, what)
		if err == nil {
			err = fn(name, rf)
			rf.Close()
		}
		if err != nil {
			fmt.Fprintf(stderr, "startrend calibrate: %s: %v\n", what, err)
			return false
		}
		return true
	}
	if *f.resume && !load(jpath, "--resume", journal.Load) {
		jf.Close()
		return nil, nil, exitUsage
	}
	for _, name := range f.imports {
		if !load(name, "--journal", journal.Import) {
			jf.Close()
			return nil, nil, exitUsage
		}
	}
	return journal, jf, exitOK
}

// probeTargets simulates the scenario as written, replication 0 (the SMM
// pilot's first run, so it is not wasted): every target must be defined.
func probeTargets(ctx context.Context, journal *calibrate.Journal, start []float64, sc *scenarios.Scenario, targets []*calTarget, stderr io.Writer) int {
	probe, err := journal.Simulate(ctx, []calibrate.Run{{Theta: start, Rep: 0}})
	if err != nil {
		if ctx.Err() != nil {
			return exitInterrupted
		}
		fmt.Fprintf(stderr, "startrend calibrate: %v\n", err)
		return exitFailure
	}
	code := exitOK
	for j, t := range targets {
		if !math.IsNaN(probe[0][j]) {
			continue
		}
		code = exitUsage
		what := "it is undefined"
		if t.num.scope != "" || t.den.scope != "" {
			what = "it is undefined (a breakdown row the engine does not write, or a zero denominator)"
		} else if t.den.name != "" {
			what = "its denominator " + t.den.name + " is 0"
		}
		if t.versus != "" {
			what += " (or the " + t.versus + " arm's value is 0)"
		}
		fmt.Fprintf(stderr, "%s: %s.kpi: %s in the scenario as written (replication 0): a ratio needs a non-zero denominator\n", posText(sc.Position(t.path+".kpi")), t.path, what)
	}
	return code
}

func cmdCalibrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, pos, code, ok := parseCalibrateFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	sc, ok := loadScenario(ctx, pos, f.sets, stderr)
	if !ok {
		return exitUsage
	}
	cb := sc.Calibrate
	if cb == nil {
		fmt.Fprintf(stderr, "%s: the scenario has no calibrate block (see 'startrend help calibrate')\n", pos[0])
		return exitUsage
	}
	if *f.method != "" {
		cb.Method = *f.method
	}
	if cb.Method == "" {
		cb.Method = "smm"
	}
	if !contains(scenarios.CalibrateMethods, cb.Method) {
		fmt.Fprintf(stderr, "startrend calibrate: unknown method %q (known: %s)\n", cb.Method, strings.Join(scenarios.CalibrateMethods, ", "))
		return exitUsage
	}
	cs, prob, start, errs := calibrationProblem(sc)
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintln(stderr, e)
		}
		return exitUsage
	}
	budget := cb.Runs
	if *f.runs > 0 {
		budget = *f.runs
	}
	if budget == 0 {
		budget = 2000
	}
	arms := len(cs.arms)
	cal, err := newCalibrationMethod(cb, prob, start, budget/arms)
	if err != nil {
		fmt.Fprintf(stderr, "%s: calibrate.runs: %v (%d runs for %d arm(s))\n", posText(sc.Position("calibrate")), err, budget, arms)
		return exitUsage
	}
	defer cal.Close()
	dir := *f.out
	if dir == "" {
		dir = filepath.Join("out", safeDirName(sc.Name)+"-calibrate")
	}
	jpath := filepath.Join(dir, calibrateJournalFile)
	journal, jf, code := openCalibrationJournal(dir, jpath, f, cs, stderr)
	if code != exitOK {
		return code
	}
	defer jf.Close()
	if code := probeTargets(ctx, journal, start, sc, cs.targets, stderr); code != exitOK {
		return code
	}
	startT := time.Now()
	prog := newProgress(stderr, "calibrating "+sc.Name+" ("+cb.Method+")", *f.quiet)
	var runner calibrate.Simulator = journal
	if !f.shard.Whole() {
		runner = &shardSim{j: journal, shard: f.shard}
	}
	res, err := cal.Run(ctx, runner, func(p calibrate.Progress) {
		prog.Update(p.Runs*arms, budget)
		prog.SetLabel(fmt.Sprintf("%s %d, %s %.4g", p.Phase, p.Generation, map[bool]string{true: "best Q", false: "tolerance"}[cb.Method == "smm"], p.Best))
	})
	prog.Finish()
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintf(stderr, "startrend calibrate: interrupted; %d completed runs are in %s; continue with --resume\n", journal.Len(), jpath)
		return exitInterrupted
	case errors.Is(err, errShardWait):
		fmt.Fprintf(stderr, "startrend calibrate: shard %s simulated its share of batch %d; the batch needs the other shards' runs: run every shard again with --resume --journal OTHER_DIR/%s\n", f.shard, runner.(*shardSim).batch, calibrateJournalFile)
		fmt.Fprintln(stdout, dir)
		return exitShardWait
	case err != nil:
		fmt.Fprintf(stderr, "startrend calibrate: %v\n", err)
		return exitFailure
	}
	in := reports.CalibrateInput{Scenario: sc.Name, File: pos[0], Hash: scenarios.Hash(sc), Command: calibrateCommandLine(pos[0], f), Start: start,
		Result: res, Budget: budget, Arms: arms, Complete: true, WallSeconds: time.Since(startT).Seconds()}
	if *f.resume {
		in.Notes = append(in.Notes, fmt.Sprintf("Resumed: %d runs were answered from the journal, %d simulated.", journal.Hits, journal.Misses))
	}
	in.Notes = append(in.Notes, fmt.Sprintf("Arms simulated per run: %s.", strings.Join(cs.arms, ", ")))
	if err := writeCalibrateDir(dir, jpath, in, *f.font); err != nil {
		fmt.Fprintf(stderr, "startrend calibrate: %v\n", err)
		return exitFailure
	}
	if *f.emit != "" {
		if err := emitCalibrated(*f.emit, pos[0], sc, cs, res); err != nil {
			fmt.Fprintf(stderr, "startrend calibrate: --emit-scenario: %v\n", err)
			return exitFailure
		}
	}
	if !*f.quiet {
		within := 0
		for _, t := range res.Targets {
			if t.Within {
				within++
			}
		}
		fmt.Fprintf(stderr, "%d of %d targets within tolerance; done in %.1fs, %d runs\n", within, len(res.Targets), time.Since(startT).Seconds(), res.Runs*arms)
	}
	fmt.Fprintln(stdout, dir)
	return exitOK
}

// calibrateCommandLine is the command that reproduces the fit.
func calibrateCommandLine(file string, f *calibrateFlags) string {
	cmd := "startrend calibrate " + file
	for _, s := range f.sets {
		cmd += " --set " + s
	}
	if *f.runs > 0 {
		cmd += " --runs " + strconv.Itoa(*f.runs)
	}
	if *f.method != "" {
		cmd += " --method " + *f.method
	}
	return cmd
}

func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// writeCalibrateDir writes calibrate.json, the reports and plots and a copy
// of the journal into a staged directory swapped into place at the end.
func writeCalibrateDir(dir, jpath string, in reports.CalibrateInput, font string) error {
	st, err := outdir.Begin(dir, outdir.Calibrate, true)
	if err != nil {
		return err
	}
	defer st.Abort()
	if err := writeJSONAtomic(filepath.Join(st.Dir, reports.CalibrateFile), in.Result); err != nil {
		return err
	}
	if err := reports.WriteCalibrate(st.Dir, in, reports.ReportOptions{Font: font, Warn: io.Discard}); err != nil {
		return err
	}
	b, err := safeio.ReadRegular(jpath, safeio.StoreFileLimit, "calibration journal")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(st.Dir, calibrateJournalFile), b, 0o644); err != nil {
		return err
	}
	return st.Commit()
}

// round4 rounds to 4 significant digits.
func round4(x float64) float64 {
	if x == 0 || !finiteF(x) {
		return x
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 4, 64), 64)
	return v
}

func finiteF(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// emitCalibrated writes the fitted scenario: `extends:` the original with
// the fitted values, when every fitted path can be written as nested
// mappings; otherwise the whole resolved scenario. Either way it must load
// to the scenario with the fitted values applied.
func emitCalibrated(path, orig string, sc *scenarios.Scenario, cs *calScenario, res *calibrate.Result) error {
	theta := make([]float64, len(res.Params))
	for i, p := range res.Params {
		theta[i] = round4(p.Estimate)
		if cs.integer[i] {
			theta[i] = math.Round(p.Estimate)
		}
	}
	want, err := cs.apply(theta)
	if err != nil {
		return err
	}
	want.Variants = sc.Variants
	want.Name = sc.Name + "-calibrated"
	header := fmt.Sprintf("# Written by startrend calibrate (%s) from %s: fitted values of %d parameters.\n", res.Method, orig, len(theta))
	// The short form.
	rel, err := filepath.Rel(filepath.Dir(absOr(path)), absOr(orig))
	if err != nil {
		rel = orig
	}
	var b strings.Builder
	b.WriteString(header)
	fmt.Fprintf(&b, "extends: %s\nname: %s\ncalibrate: null\n", strconv.Quote(filepath.ToSlash(rel)), strconv.Quote(want.Name))
	tree := map[string]any{}
	var order []string
	for i, p := range cs.params {
		segs := strings.Split(p.Path, ".")
		m := tree
		for _, s := range segs[:len(segs)-1] {
			sub, ok := m[s].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[s] = sub
			}
			m = sub
		}
		m[segs[len(segs)-1]] = theta[i]
		if !contains(order, segs[0]) {
			order = append(order, segs[0])
		}
	}
	var emitTree func(m map[string]any, indent string)
	emitTree = func(m map[string]any, indent string) {
		for _, k := range sortedKeysAny(m) {
			switch v := m[k].(type) {
			case map[string]any:
				fmt.Fprintf(&b, "%s%s:\n", indent, k)
				emitTree(v, indent+"  ")
			case float64:
				fmt.Fprintf(&b, "%s%s: %s\n", indent, k, fmtG(v))
			}
		}
	}
	emitTree(tree, "")
	short := []byte(b.String())
	wantHash := hashNamed(want)
	if d := filepath.Dir(path); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(path, short); err != nil {
		return err
	}
	if got, err := scenarios.Load(path); err == nil && hashNamed(got) == wantHash {
		return nil
	}
	// The long form: the resolved scenario.
	want.Calibrate = nil
	full, err := scenarios.Marshal(want)
	if err != nil {
		return err
	}
	data := append([]byte(header+"# (the fitted paths go through lists, so the scenario is written out in full)\n"), full...)
	if _, err := scenarios.LoadBytes(path, data); err != nil {
		return fmt.Errorf("the fitted scenario does not validate: %w", err)
	}
	return writeFileAtomic(path, data)
}

func hashNamed(sc *scenarios.Scenario) string {
	c := scenarios.Clone(sc)
	c.Calibrate, c.Description = nil, ""
	return scenarios.Hash(c)
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func sortedKeysAny(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}

// posText writes a position as file:line:col.
func posText(p scenarios.Pos) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
	return p.File
}

// exitShardWait is the status of a shard that did its share of a batch and
// needs the other shards' runs before the calibration can go on.
const exitShardWait = 3

var errShardWait = errors.New("calibrate: waiting for the other shards")

// shardSim simulates, of every batch, the runs whose index in the batch
// belongs to the shard (index mod n = i). A batch whose other runs are not
// in the journal yet stops the calibration: every shard does its share of
// the same batch (the calibration is replayed from the journal up to it),
// the shards exchange journals (--journal), and the next round goes one
// batch further. The fit is the one a single process computes: the batches
// depend only on the runs' outputs, never on who simulated them.
type shardSim struct {
	j     *calibrate.Journal
	shard experiments.Shard
	batch int
}

func (s *shardSim) Simulate(ctx context.Context, runs []calibrate.Run) ([][]float64, error) {
	s.batch++
	var mine []calibrate.Run
	others := false
	for k, r := range runs {
		switch {
		case s.j.Has(r):
		case s.shard.Contains(uint64(k)):
			mine = append(mine, r)
		default:
			others = true
		}
	}
	if len(mine) > 0 {
		if _, err := s.j.Simulate(ctx, mine); err != nil {
			return nil, err
		}
	}
	if others {
		return nil, errShardWait
	}
	return s.j.Simulate(ctx, runs)
}

// smmStep is the finite-difference step of the Jacobian as a fraction of
// each parameter's range. The market simulator's KPIs are counts of agent
// events: under common random numbers they are step functions of θ, and a
// small step measures a jump instead of the slope (too steep, so too
// narrow an interval); 10% of the range spans many jumps.
const smmStep = 0.1
