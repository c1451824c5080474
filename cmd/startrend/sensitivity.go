package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
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

	"github.com/sourcegraph/conc/pool"
	"github.com/startrend/startrend/reports"
	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sensitivity"
	"github.com/startrend/startrend/sim"
)

const sensitivityHelp = `Sensitivity runs the scenario's sensitivity block: which of the listed
parameters drive the listed KPIs, with confidence intervals.

Methods (sensitivity.method, or --method): morris (elementary effects:
μ, μ*, σ per parameter and KPI, r trajectories over p levels, optionally
optimised), sobol (Saltelli sampling: first-order S1 and total ST indices,
optionally S2, with bootstrap 95% CIs; N·(D+2) runs), oat (one parameter at
a time to its bounds: the tornado) or all (default). Every design point is
simulated for sensitivity.replications replications with independent
seeds; with 2 or more the share of each KPI's variance that is simulation
noise is reported and removed from the indices.

--until-ci W doubles the Sobol design (N, 2N, 4N, … up to max_n; old runs
are kept, never recomputed) until every ST interval is within ±W.

Every finished run is appended to DIR/journal.jsonl. An interrupted study
continues with --resume and ends with the same files. --shard i/n runs the
i-th of n deterministic parts of the first pass of every method (for
cluster arrays) and writes only the journal; --merge DIR... combines shard
directories (all n shards, same scenario and design) into -o DIR, runs what
the stop rule still asks for and writes the report. The indices do not
depend on --workers, on sharding or on resuming.

Output (default out/<scenario name>-sensitivity): sensitivity.json (every
estimate), sobol.csv, morris.csv, oat.csv, convergence.csv, report.md,
report.html and plots/sensitivity_*.png|svg.`

// Files of a sensitivity directory.
const (
	sensJournalFile = "journal.jsonl"
	sensRunFile     = "sensitivity-run.json" // timings: the one file that varies between runs
)

// sensRecord is one journal line: replication Rep of run Run of a method,
// and its KPI values (in the study's KPI order). The first line of a
// journal is a header (Design set) naming the design it belongs to.
type sensRecord struct {
	Design string    `json:"design,omitempty"`
	Shard  string    `json:"shard,omitempty"`
	Method string    `json:"m,omitempty"`
	Run    int       `json:"run"`
	Rep    int       `json:"rep"`
	Y      []float64 `json:"y,omitempty"`
}

// runStore is where finished evaluations go and come back from on resume.
// The journal below is the minimal local store; the experiments run store
// can replace it behind this interface.
type runStore interface {
	Append(sensRecord) error
	Close() error
}

// journal is an append-only JSON-lines file, one record per finished
// evaluation, synced every second and on Close.
type journal struct {
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	last time.Time
}

func (j *journal) Append(r sensRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.w.Write(b)
	if err := j.w.WriteByte('\n'); err != nil {
		return err
	}
	if time.Since(j.last) > time.Second {
		j.last = time.Now()
		if err := j.w.Flush(); err != nil {
			return err
		}
		return j.f.Sync()
	}
	return nil
}

func (j *journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.w.Flush(); err != nil {
		j.f.Close()
		return err
	}
	if err := j.f.Sync(); err != nil {
		j.f.Close()
		return err
	}
	return j.f.Close()
}

// readJournal returns a journal's header and records. A torn last line (a
// write cut short) is dropped; a malformed line elsewhere is an error with
// its line number.
func readJournal(path string) (header sensRecord, recs []sensRecord, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return header, nil, err
	}
	lines := strings.Split(string(b), "\n")
	for i, ln := range lines {
		if ln == "" {
			continue
		}
		var r sensRecord
		if err := json.Unmarshal([]byte(ln), &r); err != nil {
			if i == len(lines)-1 { // no newline after it: torn
				break
			}
			return header, nil, fmt.Errorf("%s:%d: malformed journal record: %v", path, i+1, err)
		}
		if i == 0 {
			if r.Design == "" {
				return header, nil, fmt.Errorf("%s:1: no journal header", path)
			}
			header = r
			continue
		}
		recs = append(recs, r)
	}
	if header.Design == "" {
		return header, nil, fmt.Errorf("%s: empty journal", path)
	}
	return header, recs, nil
}

// sensParam is a sensitivity parameter resolved against the scenario.
type sensParam struct {
	scenarios.SensitivityParameter
	whole    bool
	baseline float64
}

// value maps a design value in [min, max] to the field's value: whole
// parameters spread evenly over the integers ⌈min⌉ … ⌊max⌋.
func (p sensParam) value(x float64) float64 {
	if !p.whole || x == p.baseline {
		return x // the scenario's own value (one-at-a-time baseline) unchanged
	}
	lo, hi := math.Ceil(p.Min), math.Floor(p.Max)
	u := (x - p.Min) / (p.Max - p.Min)
	v := lo + math.Floor(u*(hi-lo+1))
	return math.Min(math.Max(v, lo), hi)
}

// sensModel simulates one design point.
type sensModel struct {
	base   *scenarios.Scenario
	params []sensParam
	kpis   []string
	calls  sync.Map
}

func (m *sensModel) eval(ctx context.Context, x []float64, seed uint64) ([]float64, error) {
	c := scenarios.Clone(m.base)
	for j, p := range m.params {
		if err := scenarios.SetNumber(c, p.Path, p.value(x[j])); err != nil {
			return nil, fmt.Errorf("setting %s = %g: %w", p.Path, p.value(x[j]), err)
		}
	}
	c.Seed, c.Replications = seed, 1
	if err := scenarios.Validate(c); err != nil {
		return nil, fmt.Errorf("design point %v makes the scenario invalid: %w", x, err)
	}
	res, err := sim.Run(ctx, c, sim.Options{Workers: 1})
	if err != nil {
		return nil, err
	}
	return kpiValues(res, m.kpis), nil
}

// kpiValues extracts the KPIs of the run's single replication: market KPIs
// from the totals (ratios from their numerator and denominator, 0 when the
// denominator is), merchant KPIs from the merchant breakdown.
func kpiValues(res *sim.Result, kpis []string) []float64 {
	rep := res.Variants[0].Reps[0]
	out := make([]float64, len(kpis))
	for i, k := range kpis {
		if rest, ok := strings.CutPrefix(k, "merchant."); ok {
			id, metric, _ := strings.Cut(rest, ".")
			for _, row := range rep.Breakdown {
				if row.Dimension == "merchant" && row.Key == id && row.Metric == metric {
					out[i] = row.Value
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
				if d := rep.Totals[m.Den]; d != 0 {
					out[i] = rep.Totals[m.Num] / d
				}
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

func cmdSensitivity(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sensitivity")
	out := fs.String("o", "", "output `DIR` (default out/<scenario name>-sensitivity)")
	method := fs.String("method", "", "morris, sobol, oat or all (default: sensitivity.method)")
	nFlag := fs.Int("n", 0, "Sobol base points, a power of two (default: sensitivity.n)")
	untilCI := fs.Float64("until-ci", 0, "stop rule: double N until every ST CI half-width is below `W`")
	workers := fs.Int("workers", 0, "runs simulated in parallel (default: all CPUs); the results do not depend on it")
	resume := fs.Bool("resume", false, "continue from DIR/journal.jsonl")
	shard := fs.String("shard", "", "run only part `i/n` of the first pass (0 ≤ i < n) and write the journal")
	force := fs.Bool("force", false, "start again in a DIR that holds a study")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	font := fs.String("font", "", "TTF/OTF/TTC `FILE` for plot text")
	var sets, merges stringsFlag
	fs.Var(&sets, "set", "override a field: `PATH=VALUE` (repeatable)")
	fs.Var(&merges, "merge", "shard `DIR` to merge (repeatable; all shards of one study)")
	pos, code, ok := parseCommandLine(fs, args, 1, 1, stdout, stderr)
	if !ok {
		return code
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "startrend sensitivity: "+format+"\n", a...)
		return exitUsage
	}
	if *workers < 0 {
		return usage("--workers %d: must be ≥ 0", *workers)
	}
	if *untilCI < 0 || math.IsNaN(*untilCI) || *untilCI >= 1 {
		return usage("--until-ci %g: must be in (0, 1)", *untilCI)
	}
	if *nFlag != 0 && (*nFlag < 2 || *nFlag&(*nFlag-1) != 0) {
		return usage("--n %d: must be a power of two ≥ 2 (Sobol designs are balanced at 2, 4, 8, …)", *nFlag)
	}
	if *method != "" && !contains(scenarios.SensitivityMethods, *method) {
		return usage("--method %q: allowed %s", *method, strings.Join(scenarios.SensitivityMethods, ", "))
	}
	shardI, shardN := 0, 1
	if *shard != "" {
		a, b, ok := strings.Cut(*shard, "/")
		i, err1 := strconv.Atoi(a)
		n, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
			return usage("--shard %q: want i/n with 0 ≤ i < n", *shard)
		}
		shardI, shardN = i, n
	}
	if *shard != "" && (len(merges) > 0 || *resume) {
		return usage("--shard cannot be combined with --merge or --resume")
	}
	sc, ok := loadScenario(ctx, pos, sets, stderr)
	if !ok {
		return exitUsage
	}
	blk := sc.Sensitivity
	if blk == nil {
		return usage("%s: the scenario has no sensitivity block (see 'startrend schema', Sensitivity)", pos[0])
	}
	// KPI names the engine knows (merchant KPIs were checked by Validate).
	metrics := sim.Metrics(sc.Currency)
	var known []string
	for _, m := range metrics {
		known = append(known, m.Name)
	}
	for i, k := range blk.KPIs {
		if !strings.HasPrefix(k, "merchant.") && !contains(known, k) {
			fmt.Fprintln(stderr, sc.ErrorAt(fmt.Sprintf("sensitivity.kpis.%d", i), "unknown KPI"+scenarios.DidYouMean(k, known), strconv.Quote(k), "a KPI of 'startrend help run' or merchant.ID.METRIC"))
			return exitUsage
		}
	}
	set := *blk
	if *method != "" {
		set.Method = *method
	}
	if set.Method == "" {
		set.Method = "all"
	}
	if *nFlag != 0 {
		set.N = *nFlag
	}
	if set.N == 0 {
		set.N = 256
	}
	if *untilCI > 0 {
		set.UntilCI = *untilCI
	}
	if set.MaxN == 0 {
		set.MaxN = 16 * set.N
	}
	if set.MaxN < set.N {
		return usage("--n %d exceeds sensitivity.max_n %d", set.N, set.MaxN)
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
		return usage("sensitivity.candidates %d is below the %d trajectories", set.Candidates, set.Trajectories)
	}

	base := scenarios.Clone(sc)
	base.Variants, base.Optimize, base.Sweep, base.Sensitivity = nil, nil, nil, nil
	var params []sensParam
	var factors []sensitivity.Factor
	var baseline []float64
	for _, p := range set.Parameters {
		v, _ := scenarios.GetFloat(sc, p.Path)
		sp := sensParam{SensitivityParameter: p, whole: p.Whole(sc), baseline: v}
		params = append(params, sp)
		factors = append(factors, sensitivity.Factor{Name: p.Path, Lo: p.Min, Hi: p.Max})
		baseline = append(baseline, v)
	}
	model := &sensModel{base: base, params: params, kpis: set.KPIs}

	// The design key: everything the runs depend on.
	keyData, _ := json.Marshal(struct {
		Hash string
		Set  scenarios.Sensitivity
	}{scenarios.Hash(base), set})
	sum := sha256.Sum256(keyData)
	design := hex.EncodeToString(sum[:12])

	var studies []sensStudy
	has := func(m string) bool { return set.Method == "all" || set.Method == m }
	if has("oat") {
		st, err := sensitivity.NewOATStudy(factors, baseline, set.KPIs, set.Replications, set.Seed^0x0a7)
		if err != nil {
			return usage("%v", err)
		}
		studies = append(studies, sensStudy{"oat", st})
	}
	if has("morris") {
		st, err := sensitivity.NewMorrisStudy(factors, set.KPIs, sensitivity.MorrisSettings{Trajectories: set.Trajectories, Levels: set.Levels,
			Candidates: set.Candidates, Replications: set.Replications, Resamples: set.Resamples, Seed: set.Seed ^ 0x3044})
		if err != nil {
			return usage("%v", err)
		}
		studies = append(studies, sensStudy{"morris", st})
	}
	if has("sobol") {
		st, err := sensitivity.NewSobolStudy(factors, set.KPIs, sensitivity.SobolSettings{N: set.N, UntilCI: set.UntilCI, MaxN: set.MaxN,
			Replications: set.Replications, Resamples: set.Resamples, SecondOrder: set.SecondOrder, Seed: set.Seed ^ 0x50b01})
		if err != nil {
			return usage("%v", err)
		}
		studies = append(studies, sensStudy{"sobol", st})
	}
	byMethod := map[string]sensitivity.Study{}
	for _, s := range studies {
		byMethod[s.method] = s.study
	}

	dir := *out
	if dir == "" {
		dir = filepath.Join("out", safeDirName(sc.Name)+"-sensitivity")
		if *shard != "" {
			dir += fmt.Sprintf("-shard%dof%d", shardI, shardN)
		}
	}
	jpath := filepath.Join(dir, sensJournalFile)
	_, statErr := os.Stat(jpath)
	exists := statErr == nil
	switch {
	case *resume && !exists:
		fmt.Fprintf(stderr, "startrend sensitivity: --resume: %s has no journal\n", dir)
		return exitFailure
	case exists && !*resume && !*force:
		fmt.Fprintf(stderr, "startrend sensitivity: %s holds a study already (%s); use --resume to continue it, --force to start again, or -o for another directory\n", dir, sensJournalFile)
		return exitFailure
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "startrend sensitivity: %v\n", err)
		return exitFailure
	}
	tell := func(r sensRecord, where string) error {
		st, ok := byMethod[r.Method]
		if !ok {
			return fmt.Errorf("%s: record of method %q, which this study does not run", where, r.Method)
		}
		if err := st.Tell(r.Run, r.Rep, r.Y); err != nil {
			// a Sobol record beyond the current pass: grow by asking first
			return fmt.Errorf("%s: %w", where, err)
		}
		return nil
	}
	var pending []sensRecord // Sobol records of later passes, told when the design has grown
	replay := func(recs []sensRecord, where string) error {
		for _, r := range recs {
			if err := tell(r, where); err != nil {
				if r.Method == "sobol" {
					pending = append(pending, r)
					continue
				}
				return err
			}
		}
		return nil
	}
	header := sensRecord{Design: design, Shard: *shard}
	var told int
	if *resume {
		h, recs, err := readJournal(jpath)
		if err != nil {
			fmt.Fprintf(stderr, "startrend sensitivity: --resume: %v\n", err)
			return exitFailure
		}
		if h.Design != design {
			fmt.Fprintf(stderr, "startrend sensitivity: --resume: %s was written for another scenario or design (key %s, now %s)\n", jpath, h.Design, design)
			return exitFailure
		}
		header.Shard = h.Shard
		if err := replay(recs, jpath); err != nil {
			fmt.Fprintf(stderr, "startrend sensitivity: --resume: %v\n", err)
			return exitFailure
		}
		told = len(recs)
	}
	var mergedRecs []sensRecord
	if len(merges) > 0 {
		seen := map[int]string{}
		n := -1
		for _, md := range merges {
			p := filepath.Join(md, sensJournalFile)
			h, recs, err := readJournal(p)
			if err != nil {
				fmt.Fprintf(stderr, "startrend sensitivity: --merge: %v\n", err)
				return exitFailure
			}
			if h.Design != design {
				fmt.Fprintf(stderr, "startrend sensitivity: --merge: %s belongs to another scenario or design (key %s, this one %s)\n", md, h.Design, design)
				return exitFailure
			}
			var i, k int
			if _, err := fmt.Sscanf(h.Shard, "%d/%d", &i, &k); err != nil {
				fmt.Fprintf(stderr, "startrend sensitivity: --merge: %s is not a shard directory (no --shard in its journal)\n", md)
				return exitFailure
			}
			if n >= 0 && k != n {
				fmt.Fprintf(stderr, "startrend sensitivity: --merge: %s is shard %d/%d, the others are of %d\n", md, i, k, n)
				return exitFailure
			}
			n = k
			if prev, dup := seen[i]; dup {
				fmt.Fprintf(stderr, "startrend sensitivity: --merge: %s and %s are both shard %d/%d\n", prev, md, i, k)
				return exitFailure
			}
			seen[i] = md
			if err := replay(recs, p); err != nil {
				fmt.Fprintf(stderr, "startrend sensitivity: --merge: %v\n", err)
				return exitFailure
			}
			mergedRecs = append(mergedRecs, recs...)
		}
		for i := 0; i < n; i++ {
			if _, ok := seen[i]; !ok {
				fmt.Fprintf(stderr, "startrend sensitivity: --merge: shard %d/%d is missing\n", i, n)
				return exitFailure
			}
		}
	}
	var store runStore
	{
		flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if *resume {
			flag = os.O_WRONLY | os.O_APPEND
		}
		f, err := os.OpenFile(jpath, flag, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "startrend sensitivity: %v\n", err)
			return exitFailure
		}
		j := &journal{f: f, w: bufio.NewWriterSize(f, 1<<16), last: time.Now()}
		if !*resume {
			if err := j.Append(header); err != nil {
				fmt.Fprintf(stderr, "startrend sensitivity: %v\n", err)
				return exitFailure
			}
		}
		for _, r := range mergedRecs {
			if err := j.Append(r); err != nil {
				fmt.Fprintf(stderr, "startrend sensitivity: %v\n", err)
				return exitFailure
			}
		}
		store = j
	}
	if header.Shard != "" && *resume {
		fmt.Sscanf(header.Shard, "%d/%d", &shardI, &shardN)
	}
	sharded := header.Shard != ""

	nw := *workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	start := time.Now()
	prog := newProgress(stderr, "sensitivity "+sc.Name, *quiet)
	ran := 0
	runErr := func() error {
		for _, s := range studies {
			for {
				tasks, err := s.study.Ask()
				if err != nil {
					return err
				}
				if s.method == "sobol" && len(pending) > 0 {
					// records of a later pass: tell those that now fit
					var still []sensRecord
					for _, r := range pending {
						if err := tell(r, jpath); err != nil {
							still = append(still, r)
						}
					}
					if len(still) < len(pending) {
						pending = still
						continue // ask again: the pass may be complete now
					}
				}
				if len(tasks) == 0 {
					break
				}
				if sharded {
					var mine []sensitivity.Task
					for _, t := range tasks {
						if (t.Run*set.Replications+t.Rep)%shardN == shardI {
							mine = append(mine, t)
						}
					}
					tasks = mine
				}
				total := len(tasks)
				prog.SetLabel(fmt.Sprintf("%s: %d runs", s.method, total))
				var done int
				var mu sync.Mutex
				p := pool.New().WithErrors().WithContext(ctx).WithMaxGoroutines(nw).WithCancelOnError()
				for _, t := range tasks {
					p.Go(func(ctx context.Context) error {
						y, err := model.eval(ctx, t.X, t.Seed)
						if err != nil {
							return fmt.Errorf("%s run %d replication %d: %w", s.method, t.Run, t.Rep, err)
						}
						if err := s.study.Tell(t.Run, t.Rep, y); err != nil {
							return err
						}
						if err := store.Append(sensRecord{Method: s.method, Run: t.Run, Rep: t.Rep, Y: y}); err != nil {
							return err
						}
						mu.Lock()
						done++
						ran++
						prog.Update(done, total)
						mu.Unlock()
						return nil
					})
				}
				if err := p.Wait(); err != nil {
					return err
				}
				if sharded {
					break // a shard runs its part of the first pass only
				}
			}
		}
		return nil
	}()
	prog.Finish()
	if cerr := store.Close(); cerr != nil && runErr == nil {
		runErr = cerr
	}
	if runErr != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "startrend sensitivity: interrupted after %d runs; the finished ones are in %s; continue with --resume\n", ran, jpath)
			return exitInterrupted
		}
		fmt.Fprintf(stderr, "startrend sensitivity: %v\n", runErr)
		return exitFailure
	}
	if sharded {
		fmt.Fprintf(stderr, "shard %d/%d: ran %d evaluations (%d already in the journal); merge all shards with --merge\n", shardI, shardN, ran, told)
		fmt.Fprintln(stdout, dir)
		return exitOK
	}

	res := &reports.SensitivityResult{Scenario: sc.Name, Hash: scenarios.Hash(base), Model: modelRevision(), Seed: set.Seed,
		Method: set.Method, Replications: set.Replications, KPIs: set.KPIs}
	for _, p := range params {
		res.Parameters = append(res.Parameters, reports.SensParameter{Path: p.Path, Min: p.Min, Max: p.Max, Whole: p.whole, Baseline: p.baseline})
	}
	for _, s := range studies {
		switch st := s.study.(type) {
		case *sensitivity.OATStudy:
			eff, err := st.Effects()
			if err != nil {
				fmt.Fprintf(stderr, "startrend sensitivity: %v\n", err)
				return exitFailure
			}
			o := &reports.SensOAT{Runs: st.Runs()}
			for k, e := range eff {
				o.Effects = append(o.Effects, reports.SensOATKPI{KPI: set.KPIs[k], Baseline: reports.Float(e.Baseline), Low: floats(e.Low), High: floats(e.High)})
			}
			res.OAT = o
		case *sensitivity.MorrisStudy:
			eff, err := st.Effects()
			if err != nil {
				fmt.Fprintf(stderr, "startrend sensitivity: %v\n", err)
				return exitFailure
			}
			ms := st.Settings()
			m := &reports.SensMorris{Trajectories: ms.Trajectories, Levels: ms.Levels, Candidates: ms.Candidates, Runs: st.Runs()}
			for k, e := range eff {
				m.Effects = append(m.Effects, reports.SensMorrisKPI{KPI: set.KPIs[k], Mu: floats(e.Mu), MuStar: estimates(e.MuStar), Sigma: floats(e.Sigma)})
			}
			res.Morris = m
		case *sensitivity.SobolStudy:
			ss := st.Settings()
			so := &reports.SensSobol{N: ss.N, MaxN: ss.MaxN, UntilCI: ss.UntilCI, Converged: st.Converged(), SecondOrder: ss.SecondOrder, Resamples: ss.Resamples}
			for _, p := range st.Passes() {
				sp := reports.SensSobolPass{N: p.N, Runs: p.Runs}
				for k, ix := range p.Indices {
					kk := reports.SensSobolKPI{KPI: set.KPIs[k]}
					if ix == nil {
						kk.Error = p.Errs[k].Error()
						kk.Mean, kk.Variance, kk.NoiseVariance, kk.NoiseShare = reports.Float(math.NaN()), reports.Float(math.NaN()), reports.Float(math.NaN()), reports.Float(math.NaN())
					} else {
						kk.S1, kk.ST = estimates(ix.S1), estimates(ix.ST)
						for j := range ix.ST {
							kk.Inert = append(kk.Inert, ix.Inert(j))
						}
						if ix.S2 != nil {
							for _, row := range ix.S2 {
								kk.S2 = append(kk.S2, estimates(row))
							}
						}
						kk.Mean, kk.Variance = reports.Float(ix.Mean), reports.Float(ix.Variance)
						kk.NoiseVariance, kk.NoiseShare = reports.Float(ix.NoiseVariance), reports.Float(ix.NoiseShare)
					}
					sp.KPIs = append(sp.KPIs, kk)
				}
				so.Passes = append(so.Passes, sp)
			}
			res.Sobol = so
		}
	}
	res.Summary = reports.SensitivitySummary(res)
	if err := writeSensitivityDir(dir, res, *font); err != nil {
		fmt.Fprintf(stderr, "startrend sensitivity: %v\n", err)
		return exitFailure
	}
	elapsed := time.Since(start)
	writeJSONAtomic(filepath.Join(dir, sensRunFile), map[string]any{
		"wall_seconds": elapsed.Seconds(), "workers": nw, "runs_this_process": ran, "runs_resumed": told,
		"cpus": runtime.NumCPU(), "version": versionString()})
	if !*quiet {
		for _, s := range res.Summary {
			fmt.Fprintln(stderr, s)
		}
		fmt.Fprintf(stderr, "done in %.1fs, %d simulator runs in this process\n", elapsed.Seconds(), ran)
	}
	fmt.Fprintln(stdout, dir)
	return exitOK
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
