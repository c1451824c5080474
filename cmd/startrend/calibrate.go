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
	"github.com/startrend/startrend/internal/humannum"
	"github.com/startrend/startrend/internal/outdir"
	"github.com/startrend/startrend/reports"
	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

const calibrateUsage = "calibrate SCENARIO.yaml [-o DIR] [--runs N] [--method smm|abc-smc] [--workers N] [--resume] [--shard i/n [--peer DIR ...]] [--merge DIR ... -o DIR] [--force] [--emit-scenario FILE] [--set PATH=VALUE ...]"

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
The output directory (default out/<scenario name>-calibrate) is a run
store, the one sweeps and sensitivity studies use: store.json,
points.journal and runs.journal (every run journaled as it finishes),
rows.csv, rows.parquet and points.csv (one row per run and target), plus
calibrate.json (the fit), report.md, report.html, plots/ and run.json (times
and workers, the one file that differs between identical fits). After an
interruption (exit status 130, or a killed process) --resume continues
and ends with the files an uninterrupted run writes, for any --workers.

--shard i/n splits every batch's runs over n processes (or machines): each
runs the runs whose id is i mod n, in its own directory, and stops with
exit status 3 when a batch needs the others'. Run every shard again with
--resume and --peer naming the other shards' directories; each round goes
one batch further (the calibration is replayed from the stores), until
every shard exits 0. Then --merge DIR... -o OUT combines the shards into
the directory one process would have written and writes the fit.

--emit-scenario FILE writes the fitted scenario: extends: the original plus
only the fields that differ (the fitted values, to 4 significant digits;
a list holding one is written whole, as extends replaces lists), the
calibrate block dropped; its header quotes the hash a run of it reports.`

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
	peers, merges, sets                stringsFlag
	shard                              experiments.Shard
}

func parseCalibrateFlags(args []string, stdout, stderr io.Writer) (*calibrateFlags, []string, int, bool) {
	fs := newFlagSet("calibrate")
	f := &calibrateFlags{
		out:       fs.String("o", "", "output `DIR` (default out/<scenario name>-calibrate)"),
		runs:      fs.Int("runs", 0, "run budget, a run being one replication of one arm (default: calibrate.runs)"),
		method:    fs.String("method", "", "smm or abc-smc (default: calibrate.method)"),
		workers:   fs.Int("workers", 0, "runs simulated in parallel (default: all CPUs); the fit does not depend on it"),
		resume:    fs.Bool("resume", false, "continue the calibration in DIR (its finished runs are kept)"),
		shardSpec: fs.String("shard", "", "simulate only this share `i/n` of every batch's runs (see 'startrend help calibrate')"),
		force:     fs.Bool("force", false, "replace an existing calibration in DIR"),
		emit:      fs.String("emit-scenario", "", "write the fitted scenario to `FILE`"),
		quiet:     fs.Bool("quiet", false, "no progress on stderr"),
		font:      fs.String("font", "", "TTF/OTF/TTC `FILE` for plot text (CJK names)"),
	}
	fs.Var(&f.peers, "peer", "read the finished runs of another shard's `DIR` (repeatable; with --shard)")
	fs.Var(&f.merges, "merge", "merge the shard `DIR`s of one calibration into -o DIR and write the fit (repeatable)")
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
	switch {
	case len(f.peers) > 0 && f.shard.Whole():
		fmt.Fprintln(stderr, "startrend calibrate: --peer needs --shard (it names the other shards' directories)")
		return nil, nil, exitUsage, false
	case len(f.merges) > 0 && (!f.shard.Whole() || *f.resume):
		fmt.Fprintln(stderr, "startrend calibrate: --merge cannot be combined with --shard or --resume")
		return nil, nil, exitUsage, false
	case len(f.merges) > 0 && *f.out == "":
		fmt.Fprintln(stderr, "startrend calibrate: --merge needs -o DIR, a new directory for the merged calibration")
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

// openCalibrationStore claims dir and opens the run store in it: a new
// one, the one found there (--resume), or the merge of shard stores
// (--merge); a shard also opens the other shards' stores (--peer) to read
// their runs.
func openCalibrationStore(dir string, spec experiments.Spec, f *calibrateFlags, stderr io.Writer) (*experiments.Store, []*experiments.Store, int) {
	fail := func(format string, a ...any) (*experiments.Store, []*experiments.Store, int) {
		fmt.Fprintf(stderr, "startrend calibrate: "+format+"\n", a...)
		return nil, nil, exitFailure
	}
	if experiments.IsStore(dir) && !*f.resume {
		if !*f.force || len(f.merges) > 0 {
			return fail("%s holds a calibration already; use --resume to continue it, --force to start again, or -o for another directory", dir)
		}
		if err := removeCalibrateFiles(dir); err != nil {
			return fail("--force: %v", err)
		}
	}
	if *f.resume && !experiments.IsStore(dir) {
		if _, err := os.Stat(filepath.Join(dir, "runs.jsonl")); err == nil {
			return fail("--resume: %s holds a calibration journal of an earlier version (runs.jsonl), not a run store; start again with --force", dir)
		}
		return fail("--resume: %s holds no calibration (no %s)", dir, experiments.FileManifest)
	}
	// The directory is written in place over time (the store's journal is
	// the record of what is done), so it is claimed rather than staged.
	if err := outdir.Claim(dir, outdir.Calibrate, *f.force); err != nil {
		return fail("%v", err)
	}
	if len(f.merges) > 0 {
		if err := experiments.Merge(dir, f.merges); err != nil {
			return fail("--merge: %v", err)
		}
	}
	store, err := experiments.Open(dir, spec, experiments.Options{Shard: f.shard, Resume: *f.resume || len(f.merges) > 0})
	if err != nil {
		return fail("%v", err)
	}
	if store.Discarded > 0 && !*f.quiet {
		fmt.Fprintf(stderr, "resuming %s: discarded %d torn record(s) of an interrupted write\n", dir, store.Discarded)
	}
	var peers []*experiments.Store
	for _, d := range f.peers {
		p, err := experiments.OpenReadOnly(d, spec)
		if err == nil && (p.Shard().Count != f.shard.Count || p.Shard() == f.shard) {
			err = fmt.Errorf("%s holds shard %s, not another shard of %d", d, p.Shard(), f.shard.Count)
		}
		if err != nil {
			store.Close()
			fmt.Fprintf(stderr, "startrend calibrate: --peer: %v\n", err)
			return nil, nil, exitUsage
		}
		peers = append(peers, p)
	}
	return store, peers, exitOK
}

// probeTargets simulates the scenario as written, replication 0 (the SMM
// pilot's first run, so it is not wasted): every target must be defined.
func probeTargets(ctx context.Context, sim calibrate.Simulator, start []float64, sc *scenarios.Scenario, targets []*calTarget, stderr io.Writer) (int, error) {
	probe, err := sim.Simulate(ctx, []calibrate.Run{{Theta: start, Rep: 0}})
	if err != nil {
		return exitFailure, err
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
	return code, nil
}

// calibrateSetup reads the command line and the scenario into a
// calibration ready to run.
type calibrateSetup struct {
	f      *calibrateFlags
	file   string
	sc     *scenarios.Scenario
	cs     *calScenario
	cal    *calibrate.Calibration
	start  []float64
	budget int
	dir    string
}

func newCalibrateSetup(ctx context.Context, args []string, stdout, stderr io.Writer) (*calibrateSetup, int) {
	f, pos, code, ok := parseCalibrateFlags(args, stdout, stderr)
	if !ok {
		return nil, code
	}
	sc, ok := loadScenario(ctx, pos, f.sets, stderr)
	if !ok {
		return nil, exitUsage
	}
	cb := sc.Calibrate
	if cb == nil {
		fmt.Fprintf(stderr, "%s: the scenario has no calibrate block (see 'startrend help calibrate')\n", pos[0])
		return nil, exitUsage
	}
	if *f.method != "" {
		cb.Method = *f.method
	}
	if cb.Method == "" {
		cb.Method = "smm"
	}
	if !contains(scenarios.CalibrateMethods(), cb.Method) {
		fmt.Fprintf(stderr, "startrend calibrate: unknown method %q (known: %s)\n", cb.Method, strings.Join(scenarios.CalibrateMethods(), ", "))
		return nil, exitUsage
	}
	cs, prob, start, errs := calibrationProblem(sc)
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintln(stderr, e)
		}
		return nil, exitUsage
	}
	budget := cb.Runs
	if *f.runs > 0 {
		budget = *f.runs
	}
	if budget == 0 {
		budget = 2000
	}
	cal, err := newCalibrationMethod(cb, prob, start, budget/len(cs.arms))
	if err != nil {
		fmt.Fprintf(stderr, "%s: calibrate.runs: %v (%d runs for %d arm(s))\n", posText(sc.Position("calibrate")), err, budget, len(cs.arms))
		return nil, exitUsage
	}
	dir := *f.out
	if dir == "" {
		dir = filepath.Join("out", safeDirName(sc.Name)+"-calibrate")
		if !f.shard.Whole() {
			dir += fmt.Sprintf("-shard-%d-of-%d", f.shard.Index, f.shard.Count)
		}
	}
	return &calibrateSetup{f: f, file: pos[0], sc: sc, cs: cs, cal: cal, start: start, budget: budget, dir: dir}, exitOK
}

func cmdCalibrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	defer experiments.TuneGCForManyRuns()() // many small runs: fewer collections
	s, code := newCalibrateSetup(ctx, args, stdout, stderr)
	if s == nil {
		return code
	}
	defer s.cal.Close()
	f, sc, cs, dir := s.f, s.sc, s.cs, s.dir
	store, peers, code := openCalibrationStore(dir, calibrateSpec(sc, cs, sc.Calibrate.Method, s.budget), f, stderr)
	if store == nil {
		return code
	}
	defer store.Close()
	nw := *f.workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	runner := &calStore{store: store, peers: peers, eval: cs.simulate, workers: nw, seen: map[string][]float64{}}
	startT := time.Now()
	code, err := probeTargets(ctx, runner, s.start, sc, cs.targets, stderr)
	var res *calibrate.Result
	if err == nil && code == exitOK {
		prog := newProgress(stderr, "calibrating "+sc.Name+" ("+sc.Calibrate.Method+")", *f.quiet)
		res, err = s.cal.Run(ctx, runner, func(p calibrate.Progress) {
			prog.Update(p.Runs*len(cs.arms), s.budget)
			prog.SetLabel(fmt.Sprintf("%s %d, %s %s", p.Phase, p.Generation, map[bool]string{true: "best Q", false: "tolerance"}[sc.Calibrate.Method == "smm"], humannum.Plain(p.Best)))
		})
		prog.Finish()
	}
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintf(stderr, "startrend calibrate: interrupted; the finished runs are kept in %s; continue with --resume\n", dir)
		return exitInterrupted
	case errors.Is(err, errShardWait):
		fmt.Fprintf(stderr, "startrend calibrate: shard %s ran its share of batch %d (%d runs in this process); the batch needs the other shards' runs: run every shard again with --resume --peer OTHER_DIR ...\n", f.shard, runner.batch, runner.ran)
		fmt.Fprintln(stdout, dir)
		return exitShardWait
	case err != nil:
		fmt.Fprintf(stderr, "startrend calibrate: %v\n", err)
		return exitFailure
	case code != exitOK:
		return code
	}
	if err := store.Finalize(); err != nil {
		fmt.Fprintf(stderr, "startrend calibrate: %v\n", err)
		return exitFailure
	}
	meta := map[string]any{"command": "calibrate", "version": buildVersion(), "go_version": runtime.Version(), "shard": f.shard.String(),
		"workers": nw, "runs_run": runner.ran, "runs_finished_before": runner.done, "wall_seconds": time.Since(startT).Seconds(),
		"peak_memory_bytes": peakMemory(), "started_at_unix": startT.Unix()}
	if !f.shard.Whole() {
		if err := writeRunMeta(dir, meta); err != nil {
			fmt.Fprintf(stderr, "startrend calibrate: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(stderr, "shard %s: the calibration is complete (%d runs in this process); merge the shards with --merge DIR ... -o OUT for the fit\n", f.shard, runner.ran)
		fmt.Fprintln(stdout, dir)
		return exitOK
	}
	in := reports.CalibrateInput{Scenario: sc.Name, File: s.file, Hash: scenarios.Hash(sc), Command: calibrateCommandLine(s.file, f), Start: s.start,
		Result: res, Budget: s.budget, Arms: len(cs.arms), Complete: true}
	in.Notes = append(in.Notes, fmt.Sprintf("Arms simulated per run: %s.", strings.Join(cs.arms, ", ")))
	if err := writeCalibrateDir(dir, in, meta, *f.font); err != nil {
		fmt.Fprintf(stderr, "startrend calibrate: %v\n", err)
		return exitFailure
	}
	if *f.emit != "" {
		if err := emitCalibrated(*f.emit, s.file, sc, cs, res); err != nil {
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
		fmt.Fprintf(stderr, "%d of %d targets within tolerance; done in %.1fs, %d runs (%d simulated in this process)\n", within, len(res.Targets), time.Since(startT).Seconds(), res.Runs*len(cs.arms), runner.ran)
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

// calibrateFiles are the top-level entries a calibration writes besides
// its run store's (plots/ holds only the report's figures).
var calibrateFiles = []string{experiments.FileManifest, experiments.FilePoints, experiments.FileRuns,
	experiments.FileRowsCSV, experiments.FileRowsParquet, experiments.FilePointsCSV, reports.CalibrateFile,
	reports.ReportHTMLFile, reports.ReportMDFile, "run.json"}

// writeCalibrateDir writes calibrate.json, the reports and plots and
// run.json (the one file that differs between identical fits: times,
// workers) into the store's directory, each file replaced whole, then the
// marker listing the directory's entries.
func writeCalibrateDir(dir string, in reports.CalibrateInput, meta map[string]any, font string) error {
	if err := writeJSONAtomic(filepath.Join(dir, reports.CalibrateFile), in.Result); err != nil {
		return err
	}
	if err := reports.WriteCalibrate(dir, in, reports.ReportOptions{Font: font, Warn: io.Discard}); err != nil {
		return err
	}
	if err := writeRunMeta(dir, meta); err != nil {
		return err
	}
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
	return outdir.WriteMarker(dir, outdir.Calibrate, names)
}

// removeCalibrateFiles removes what a calibration wrote in dir (for
// --force), and nothing else; a directory holding a file startrend did not
// write is refused before anything is removed. The marker is first made
// the in-progress one and store.json goes last, so that a kill during the
// removal leaves a calibration in progress that --force removes again —
// never one marked complete with its files gone, which no rerun accepted.
func removeCalibrateFiles(dir string) error {
	if err := beginRemoval(dir, outdir.Calibrate); err != nil {
		return err
	}
	for _, name := range calibrateFiles {
		if name == experiments.FileManifest {
			continue // last, below
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		os.Remove(filepath.Join(dir, name+".tmp"))
	}
	p := filepath.Join(dir, reports.PlotsDir)
	ents, _ := os.ReadDir(p)
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, "calibrate_") && (strings.HasSuffix(n, ".png") || strings.HasSuffix(n, ".svg")) {
			os.Remove(filepath.Join(p, n))
		}
	}
	os.Remove(p) // only when empty
	if err := os.Remove(filepath.Join(dir, experiments.FileManifest)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// emitCalibrated writes the fitted scenario with scenarios.Emit:
// extends: the original plus the fitted values (rounded as Emit rounds)
// and the calibrate block dropped.
func emitCalibrated(path, orig string, sc *scenarios.Scenario, cs *calScenario, res *calibrate.Result) error {
	theta := make([]float64, len(res.Params))
	for i, p := range res.Params {
		theta[i] = p.Estimate
	}
	want, err := cs.apply(theta)
	if err != nil {
		return err
	}
	want.Variants = sc.Variants
	want.Name = sc.Name + "-calibrated"
	em, err := scenarios.Emit(want, scenarios.EmitOptions{BaseFile: orig, OutFile: path,
		Header: []string{fmt.Sprintf("Written by startrend calibrate (%s) from %s: the fitted values of %d parameters.", res.Method, orig, len(theta))}})
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

// smmStep is the finite-difference step of the Jacobian as a fraction of
// each parameter's range. The market simulator's KPIs are counts of agent
// events: under common random numbers they are step functions of θ, and a
// small step measures a jump instead of the slope (too steep, so too
// narrow an interval); 10% of the range spans many jumps.
const smmStep = 0.1
