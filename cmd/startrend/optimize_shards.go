package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sourcegraph/conc/iter"
	"github.com/startrend/startrend/experiments"
	"github.com/startrend/startrend/optimize"
	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/strategy"
)

// Search generations through the run store. Every generation of every
// search phase is one batch of an experiments run store in DIR/runs (kind
// optimize): one point per candidate — its phase, generation, seed set and
// decision values — with optimize.replications runs each, journalled as
// they finish. Solve is told the values read back from the store, so the
// answer is the same however the runs were made:
//
//   - in this process (the default), on --workers goroutines;
//   - with --shards N, by N shard stores DIR/shards/shard-i-of-N: before
//     each generation the coordinator records the batch in every shard
//     store, runs the shard tasks (`startrend optimize SCENARIO … --shard-store
//     DIR/shards --shard i/N`, each running its share, run_id ≡ i mod N) and
//     copies their runs into DIR/runs. The tasks run as N local processes,
//     or, with --launcher CMD, however CMD runs them: CMD is called once per
//     generation with the task's arguments appended and STARTREND_SHARDS=N
//     set, and returns when the tasks are done (deploy/slurm's
//     optimize-generation.sh submits them as one Slurm job array);
//   - after a kill: --resume reopens the stores, and only unfinished runs
//     run again.
//
// Races and the final report run in the coordinator. At the end DIR/runs
// is finalised (rows.csv, rows.parquet, points.csv: every search
// evaluation) and kept in the output; the shard stores are dropped.

const (
	optimizeRunsDir   = "runs"
	optimizeShardsDir = "shards"
)

// genStore is the coordinator's side: the run store and how its batches
// are run.
type genStore struct {
	p       *strategy.Problem
	spec    experiments.Spec
	phases  []string
	store   *experiments.Store
	byKey   map[genKey]experiments.Batch
	simRep  strategy.SimulateRep
	workers int
	// shards > 1 runs batches by shard tasks in shardDir.
	shards    int
	shardDir  string
	launcher  []string
	shardArgs []string
	stderr    io.Writer
}

type genKey struct {
	phase string
	gen   int
}

// optimizeSettings are what makes two optimisations' runs comparable:
// they are the store's design (a store of other settings is refused).
type optimizeSettings struct {
	Method     string `json:"method"`
	Evals      int    `json:"evals"`
	ReportRuns int    `json:"report_runs"`
	RandomArm  bool   `json:"random_arm"`
}

// optimizeSpec is the run-store spec of p's search generations.
func optimizeSpec(p *strategy.Problem, set optimizeSettings) (experiments.Spec, []string) {
	phases := []string{"search", "random"}
	for i := range p.Base.Optimize.Frontier {
		phases = append(phases, "frontier."+strconv.Itoa(i))
	}
	design, _ := json.Marshal(struct {
		optimizeSettings
		Replications int `json:"replications"`
	}{set, p.Replications})
	sp := experiments.Spec{Kind: "optimize", Scenario: p.Base.Name, ScenarioHash: scenarios.Hash(p.Base), Design: string(design),
		Columns: []experiments.Column{
			{Name: "phase", Kind: experiments.KindCategorical, Categories: phases},
			{Name: "generation", Kind: experiments.KindWhole},
			{Name: "seed_set", Kind: experiments.KindWhole},
		}}
	for _, d := range p.Decisions {
		sp.Columns = append(sp.Columns, experiments.Column{Name: d.Path, Kind: experiments.KindReal})
	}
	for _, k := range strategy.KPINames() {
		sp.Outputs = append(sp.Outputs, experiments.Output{Variant: p.Merchant, Metric: k})
	}
	return sp, phases
}

// openGenStore opens DIR/runs: continued with resume, else created (a run
// store an earlier, unfinished optimisation left there is replaced; any
// other content is refused). It replays the recorded batches so that the
// store accepts the next ones, and indexes them by (phase, generation).
func openGenStore(dir string, p *strategy.Problem, set optimizeSettings, resume bool) (*genStore, error) {
	g := &genStore{p: p, byKey: map[genKey]experiments.Batch{}, simRep: strategy.SimulateMerchantRep(p.Merchant)}
	g.spec, g.phases = optimizeSpec(p, set)
	runs := filepath.Join(dir, optimizeRunsDir)
	if !resume {
		if err := removeStores(runs); err != nil {
			return nil, err
		}
		if err := removeStores(filepath.Join(dir, optimizeShardsDir)); err != nil {
			return nil, err
		}
	}
	s, err := experiments.Open(runs, g.spec, experiments.Options{Resume: resume && experiments.IsStore(runs)})
	if err != nil {
		return nil, err
	}
	g.store = s
	if err := replay(s); err != nil {
		s.Close()
		return nil, err
	}
	for _, b := range s.Batches() {
		g.byKey[g.keyOf(s.Point(b.FirstPoint))] = b
	}
	return g, nil
}

// removeStores removes dir if it is a run store, or a directory holding
// only run stores, their lock files and Slurm task logs (what startrend
// and its launcher write there); anything else stays and is reported.
func removeStores(dir string) error {
	if experiments.IsStore(dir) {
		return os.RemoveAll(dir)
	}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		ours := e.Type().IsRegular() && (strings.HasSuffix(e.Name(), ".lock") || // shard store locks
			(strings.HasPrefix(e.Name(), "slurm-") && strings.HasSuffix(e.Name(), ".out"))) // optimize-generation.sh's task logs
		if !(e.IsDir() && experiments.IsStore(p)) && !ours {
			return fmt.Errorf("%s holds %s, which startrend did not write; not removing it (move it, or choose another -o)", dir, e.Name())
		}
	}
	return os.RemoveAll(dir)
}

// useShards sets n > 1 shard tasks per generation, in DIR/shards, run by
// the launcher command (empty: local processes) with the scenario file and
// --set values the coordinator was given.
func (g *genStore) useShards(n int, dir, launcher, scenario string, sets []string, set optimizeSettings) error {
	if n <= 1 {
		return nil
	}
	abs, err := filepath.Abs(scenario)
	if err != nil {
		return err
	}
	if g.shardDir, err = filepath.Abs(filepath.Join(dir, optimizeShardsDir)); err != nil {
		return err
	}
	g.shards, g.launcher, g.shardArgs = n, strings.Fields(launcher), shardTaskArgs(abs, sets, set)
	return nil
}

// replay submits a resumed store's recorded batches again, from its own
// record (a store accepts new batches only after the recorded ones).
func replay(s *experiments.Store) error {
	for _, b := range s.Batches() {
		if b.FirstPoint < 0 {
			return fmt.Errorf("%s: batch %d replicates points; an optimisation's store only has new points", s.Dir(), b.Index)
		}
		if _, err := s.Submit(batchPoints(s, b), b.Reps); err != nil {
			return fmt.Errorf("%s: %v", s.Dir(), err)
		}
	}
	return nil
}

func batchPoints(s *experiments.Store, b experiments.Batch) experiments.Points {
	pts := make(experiments.Points, b.Points)
	for i := range pts {
		pts[i] = s.Point(b.FirstPoint + i)
	}
	return pts
}

func (g *genStore) keyOf(x []float64) genKey {
	ph := ""
	if i := int(x[0]); i >= 0 && i < len(g.phases) {
		ph = g.phases[i]
	}
	return genKey{ph, int(x[1])}
}

// dispatch is Solve's Dispatch: the generation's batch (recorded before an
// interruption, or submitted now), run where it is not finished, read back.
func (g *genStore) dispatch(ctx context.Context, jobs []strategy.Job) ([]map[string][]float64, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	ph := -1
	for i, name := range g.phases {
		if name == jobs[0].Phase {
			ph = i
		}
	}
	if ph < 0 {
		return nil, fmt.Errorf("run store: unknown phase %q", jobs[0].Phase)
	}
	pts := make(experiments.Points, len(jobs))
	for i, j := range jobs {
		if j.Phase != jobs[0].Phase || j.Gen != jobs[0].Gen || j.Reps != g.p.Replications {
			return nil, fmt.Errorf("run store: job %d is not of generation %s/%d with %d replications", i, jobs[0].Phase, jobs[0].Gen, g.p.Replications)
		}
		pts[i] = append([]float64{float64(ph), float64(j.Gen), float64(j.SeedSet)}, j.X...)
	}
	key := genKey{jobs[0].Phase, jobs[0].Gen}
	b, ok := g.byKey[key]
	if ok {
		if err := samePoints(g.store, b, pts, g.p.Replications); err != nil {
			return nil, fmt.Errorf("%s: generation %d of %s: %v (the store does not belong to this checkpoint; start again without --resume)", g.store.Dir(), key.gen, key.phase, err)
		}
	} else {
		var err error
		if b, err = g.store.Submit(pts, g.p.Replications); err != nil {
			return nil, err
		}
		g.byKey[key] = b
	}
	var err error
	switch {
	case batchDone(g.store, b): // finished before an interruption
	case g.shards > 1:
		err = g.runShards(ctx, b)
	default:
		_, err = g.store.Execute(ctx, b, g.evaluator(), experiments.ExecuteOptions{Workers: g.workers})
	}
	if err != nil {
		return nil, err
	}
	out := make([]map[string][]float64, len(jobs))
	err = g.store.Results(b, func(r experiments.Run, _, v []float64) error {
		i := r.Point - b.FirstPoint
		if out[i] == nil {
			out[i] = map[string][]float64{}
		}
		for k, name := range strategy.KPINames() {
			out[i][name] = append(out[i][name], v[k])
		}
		return nil
	})
	return out, err
}

// samePoints checks that batch b holds exactly pts with reps replications.
func samePoints(s *experiments.Store, b experiments.Batch, pts experiments.Points, reps int) error {
	if b.FirstPoint < 0 || b.Points != len(pts) || b.Reps != reps {
		return fmt.Errorf("batch %d has %d points × %d replications recorded, %d × %d now", b.Index, b.Points, b.Reps, len(pts), reps)
	}
	for i, x := range pts {
		for j, v := range s.Point(b.FirstPoint + i) {
			if math.Float64bits(v) != math.Float64bits(x[j]) {
				return fmt.Errorf("batch %d, point %d, %s: %v recorded, %v now", b.Index, b.FirstPoint+i, s.Spec().Columns[j].Name, v, x[j])
			}
		}
	}
	return nil
}

// evaluator simulates one run of a point: the point's phase problem with
// its decision values, from the generation's seed for its seed set.
func (g *genStore) evaluator() experiments.Evaluator {
	return genEvaluator(g.p, g.phases, g.simRep)
}

func genEvaluator(p *strategy.Problem, phases []string, simRep strategy.SimulateRep) experiments.Evaluator {
	return func(ctx context.Context, r experiments.Run, x, out []float64) error {
		i := int(x[0])
		if i < 0 || i >= len(phases) {
			return fmt.Errorf("phase index %v", x[0])
		}
		q, err := strategy.PhaseProblem(p, phases[i])
		if err != nil {
			return err
		}
		sc, err := q.Apply(x[3:])
		if err != nil {
			return err
		}
		k, err := simRep(ctx, sc, strategy.JobSeed(p, phases[i], int(x[1]), int(x[2])), r.Replication)
		if err != nil {
			return err
		}
		for j, name := range strategy.KPINames() {
			if v, ok := k[name]; ok {
				out[j] = v
			}
		}
		return nil
	}
}

// batchDone reports whether every run of b is finished in s.
func batchDone(s *experiments.Store, b experiments.Batch) bool {
	for k := 0; k < b.Runs; k++ {
		if !s.Finished(b.FirstRun + uint64(k)) {
			return false
		}
	}
	return true
}

func shardStoreDir(dir string, sh experiments.Shard) string {
	return filepath.Join(dir, fmt.Sprintf("shard-%d-of-%d", sh.Index, sh.Count))
}

// runShards records batch b (and any batch before it a shard store lacks)
// in every shard store, runs the shard tasks, and copies their runs into
// the coordinator's store.
func (g *genStore) runShards(ctx context.Context, b experiments.Batch) error {
	if err := os.MkdirAll(g.shardDir, 0o755); err != nil {
		return err
	}
	all := g.store.Batches()
	for i := range g.shards {
		sh := experiments.Shard{Index: i, Count: g.shards}
		err := withShardStore(g.shardDir, sh, g.spec, true, func(ss *experiments.Store) error {
			rec := ss.Batches()
			for k := 0; k <= b.Index; k++ {
				wb := all[k]
				if k < len(rec) {
					if err := samePoints(ss, rec[k], batchPoints(g.store, wb), wb.Reps); err != nil {
						return fmt.Errorf("%s does not match %s: %v", ss.Dir(), g.store.Dir(), err)
					}
					continue
				}
				if _, err := ss.Submit(batchPoints(g.store, wb), wb.Reps); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := g.launch(ctx, b.Index); err != nil {
		return err
	}
	// Copy the shards' runs of b into the coordinator's store.
	got := make(map[uint64][]float64, b.Runs)
	for i := range g.shards {
		sh := experiments.Shard{Index: i, Count: g.shards}
		err := withShardStore(g.shardDir, sh, g.spec, false, func(ss *experiments.Store) error {
			if len(ss.Batches()) <= b.Index {
				return fmt.Errorf("%s lacks batch %d", ss.Dir(), b.Index)
			}
			return ss.Results(ss.Batches()[b.Index], func(r experiments.Run, _, out []float64) error {
				got[r.ID] = append([]float64(nil), out...)
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("shard %s did not finish generation batch %d: %v", sh, b.Index, err)
		}
	}
	_, err := g.store.Execute(ctx, b, func(_ context.Context, r experiments.Run, _, out []float64) error {
		v, ok := got[r.ID]
		if !ok {
			return fmt.Errorf("no shard ran run %d", r.ID)
		}
		copy(out, v)
		return nil
	}, experiments.ExecuteOptions{Workers: 1})
	return err
}

// withShardStore opens shard sh's store under dir (created when create is
// set and it does not exist), locked against other processes, replays its
// batches and calls fn.
func withShardStore(dir string, sh experiments.Shard, spec experiments.Spec, create bool, fn func(*experiments.Store) error) error {
	sdir := shardStoreDir(dir, sh)
	unlock, err := lockFile(sdir + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	exists := experiments.IsStore(sdir)
	if !exists && !create {
		return fmt.Errorf("%s is not a run store (the coordinator creates it)", sdir)
	}
	ss, err := experiments.Open(sdir, spec, experiments.Options{Shard: sh, Resume: exists})
	if err != nil {
		return err
	}
	err = replay(ss)
	if err == nil {
		err = fn(ss)
	}
	return errors.Join(err, ss.Close())
}

// launch runs the shard tasks of the current generation and waits for
// them: N local processes, or the launcher command once.
func (g *genStore) launch(ctx context.Context, batch int) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	task := append(append([]string(nil), g.shardArgs...), "--shard-batch", strconv.Itoa(batch), "--shard-store", g.shardDir)
	if len(g.launcher) > 0 {
		cmd := exec.CommandContext(ctx, g.launcher[0], append(g.launcher[1:], task...)...)
		cmd.Env = append(os.Environ(), "STARTREND_SHARDS="+strconv.Itoa(g.shards), "STARTREND="+exe)
		// stopped, the launcher gets SIGTERM and time to cancel its tasks
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 30 * time.Second
		outb, err := cmd.CombinedOutput()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("--launcher %s: %v: %s", strings.Join(g.launcher, " "), err, lastLines(string(outb), 20))
		}
		return nil
	}
	idx := make([]int, g.shards)
	for i := range idx {
		idx[i] = i
	}
	errs := make([]error, g.shards)
	w := max(1, g.workers/g.shards)
	iter.ForEachIdx(idx, func(_ int, i *int) {
		args := append(append([]string(nil), task...), "--shard", fmt.Sprintf("%d/%d", *i, g.shards), "--workers", strconv.Itoa(w))
		cmd := exec.CommandContext(ctx, exe, args...)
		outb, err := cmd.CombinedOutput()
		if err != nil {
			errs[*i] = fmt.Errorf("shard %d/%d: %v: %s", *i, g.shards, err, lastLines(string(outb), 20))
		}
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.Join(errs...)
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// runOptimizeShard is a shard task: it runs its share of batch (every
// recorded batch when batch < 0) of its shard store and exits.
func runOptimizeShard(ctx context.Context, p *strategy.Problem, set optimizeSettings, dir, shard string, batch, workers int, stderr io.Writer) int {
	sh, err := experiments.ParseShard(shard)
	if err != nil || sh.Count < 1 {
		fmt.Fprintf(stderr, "startrend optimize: --shard %q: %v (want i/n, 0 ≤ i < n)\n", shard, err)
		return exitUsage
	}
	spec, phases := optimizeSpec(p, set)
	eval := genEvaluator(p, phases, strategy.SimulateMerchantRep(p.Merchant))
	ran := 0
	err = withShardStore(dir, sh, spec, false, func(ss *experiments.Store) error {
		if batch >= len(ss.Batches()) {
			return fmt.Errorf("%s has %d batches, no batch %d", ss.Dir(), len(ss.Batches()), batch)
		}
		for _, b := range ss.Batches() {
			if batch >= 0 && b.Index != batch {
				continue
			}
			c, err := ss.Execute(ctx, b, eval, experiments.ExecuteOptions{Workers: workers})
			ran += c.Ran
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "startrend optimize: shard %s: %v\n", sh, err)
		if ctx.Err() != nil {
			return exitInterrupted
		}
		return exitFailure
	}
	fmt.Fprintf(stderr, "startrend optimize: shard %s of %s: %d runs\n", sh, dir, ran)
	return exitOK
}

// resolveSettings returns the method and budget Solve will use (flags
// over the optimize block over the defaults).
func resolveSettings(sc *scenarios.Scenario, method string, evals, reportRuns int, randomArm bool) optimizeSettings {
	if method == "" {
		method = sc.Optimize.Method
	}
	if method == "" {
		method = optimize.NameCMAES
	}
	if evals == 0 {
		evals = sc.Optimize.Evals
	}
	return optimizeSettings{Method: method, Evals: evals, ReportRuns: reportRuns, RandomArm: randomArm}
}

// shardTaskArgs are a shard task's arguments (without --shard-store and
// --shard): the same scenario and settings as the coordinator's.
func shardTaskArgs(scenario string, sets []string, set optimizeSettings) []string {
	a := []string{"optimize", scenario, "--quiet", "--method", set.Method, "--evals", strconv.Itoa(set.Evals)}
	if set.RandomArm {
		a = append(a, "--random-arm")
	}
	for _, s := range sets {
		a = append(a, "--set", s)
	}
	return a
}
