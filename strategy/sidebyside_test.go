package strategy

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/startrend/startrend/optimize"
	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/stats"
)

// The simulator side-by-side of optimize/RESULTS.md: on a shrunk library
// scenario, for each seed, `startrend optimize` (Solve with the block's
// defaults) and what a user would run instead — random search and
// Nelder–Mead given the whole budget, each keeping its best candidate —
// spend the same number of simulator runs; every choice is then re-run on
// the same fresh seeds (sbsFreshReps common replications, a seed no search
// used) and compared in pairs.

// sbsShrink are the shrunk settings per library scenario (those of
// TestOptimizeLibraryBeatsBaseline in cmd/startrend).
// Both keep the file's market (users × scale). optimize/RESULTS.md's
// tables were measured on the library before it was thickened, with the
// shrinks of that time (magpie-bridge 10,000 users at the file's scale,
// apparel-launch 8,000 users × scale 1,000).
var sbsShrink = map[string][]string{
	"magpie-bridge":  {"population.users=10000", "scale=60", "creators.generate.count=800", "replications=4", "optimize.replications=2"},
	"apparel-launch": {"population.users=20000", "scale=40", "horizon_days=60", "warmup_days=7", "replications=4", "optimize.replications=2", "optimize.frontier=[]"},
}

const (
	sbsFreshSeed = 9_000_001
	sbsFreshReps = 20
)

// sbsArm is one method of the side-by-side.
type sbsArm struct {
	name string
	// choose returns the chosen decision vector (nil: the scenario as
	// written) after spending at most evals simulator runs.
	choose func(ctx context.Context, p *Problem, sim Simulate, evals int) ([]float64, int, error)
}

var sbsArms = []sbsArm{
	{"startrend optimize", func(ctx context.Context, p *Problem, sim Simulate, evals int) ([]float64, int, error) {
		out, err := Solve(ctx, p, SolveOptions{Simulate: sim, Evals: evals, Workers: 1})
		if err != nil {
			return nil, 0, err
		}
		if out.Best.Label == "baseline" {
			return nil, out.EvalsUsed, nil
		}
		return out.Best.X, out.EvalsUsed, nil
	}},
	{"random search", bareSearch(optimize.NameRandom)},
	{"Nelder–Mead", bareSearch(optimize.NameNelderMead)},
}

// bareSearch gives a method the whole budget as search (candidates of a
// generation on common seeds, Problem.Replications runs each, as Solve's
// search) and keeps its recommendation, or its best evaluated candidate.
func bareSearch(method string) func(ctx context.Context, p *Problem, sim Simulate, evals int) ([]float64, int, error) {
	return func(ctx context.Context, p *Problem, sim Simulate, evals int) ([]float64, int, error) {
		s := &solver{p: p, opts: SolveOptions{Simulate: sim, Workers: 1}, st: &SolveState{Phases: map[string]*PhaseState{}},
			R: p.Replications, total: evals, method: method, bestVal: math.NaN()}
		pr, err := s.search(ctx, "search", p, method, evals, nil)
		if err != nil {
			return nil, 0, err
		}
		return pr.BestX, pr.SearchRuns, nil
	}
}

// sbsRow is one seed's outcome: per arm, the fresh replications' values.
type sbsRow struct {
	seed  int
	fresh [][]float64
	used  []int
}

// BenchmarkLibrarySideBySide runs the side-by-side and logs its tables.
// Environment: STARTREND_SBS_SCENARIOS (comma-separated library names,
// default magpie-bridge), STARTREND_SBS_SEEDS (default 5: "N" is seeds
// 1…N, "a-b" a range, "a,b,c" a list), STARTREND_SBS_EVALS (default 400),
// STARTREND_SBS_OUT (a directory: each finished seed is written there as
// NAME-seedS.json, seeds already there are read instead of re-run, and the
// tables cover every seed in the directory — so a study can be split into
// pieces and resumed). Run with GOMAXPROCS=1:
//
//	GOMAXPROCS=1 go test ./strategy -run '^$' -bench LibrarySideBySide -benchtime 1x -timeout 3h -v
func BenchmarkLibrarySideBySide(b *testing.B) {
	names := strings.Split(envOr("STARTREND_SBS_SCENARIOS", "magpie-bridge"), ",")
	seeds, err := sbsSeeds(envOr("STARTREND_SBS_SEEDS", "5"))
	if err != nil {
		b.Fatal(err)
	}
	evals, _ := strconv.Atoi(envOr("STARTREND_SBS_EVALS", "400"))
	dir := os.Getenv("STARTREND_SBS_OUT")
	for range b.N {
		for _, name := range names {
			rows, err := sideBySide(context.Background(), name, seeds, evals, dir, func(s string) { b.Log(s) })
			if err != nil {
				b.Fatal(err)
			}
			b.Log("\n" + sbsTable(name, evals, rows))
		}
	}
}

// sbsSeeds parses STARTREND_SBS_SEEDS: "N" (1…N), "a-b" or "a,b,c".
func sbsSeeds(s string) ([]int, error) {
	var out []int
	if n, err := strconv.Atoi(s); err == nil {
		for i := 1; i <= n; i++ {
			out = append(out, i)
		}
		return out, nil
	}
	if a, bb, ok := strings.Cut(s, "-"); ok {
		lo, err1 := strconv.Atoi(a)
		hi, err2 := strconv.Atoi(bb)
		if err1 != nil || err2 != nil || hi < lo {
			return nil, fmt.Errorf("STARTREND_SBS_SEEDS %q: want N, a-b or a,b,c", s)
		}
		for i := lo; i <= hi; i++ {
			out = append(out, i)
		}
		return out, nil
	}
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("STARTREND_SBS_SEEDS %q: want N, a-b or a,b,c", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// sbsFile is one finished seed as written to STARTREND_SBS_OUT.
type sbsFile struct {
	Scenario string      `json:"scenario"`
	Seed     int         `json:"seed"`
	Evals    int         `json:"evals"`
	Arms     []string    `json:"arms"`
	Used     []int       `json:"used"`
	X        [][]float64 `json:"x"`
	Fresh    [][]float64 `json:"fresh"`
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// sideBySide runs every arm on seeds 1…seeds of the shrunk library
// scenario and re-runs each choice (and the baseline, last) on the fresh
// common seeds.
func sideBySide(ctx context.Context, name string, seeds []int, evals int, dir string, logf func(string)) ([]sbsRow, error) {
	sets, ok := sbsShrink[name]
	if !ok {
		return nil, fmt.Errorf("no shrunk settings for %s", name)
	}
	var rows []sbsRow
	done := map[int]bool{}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		files, _ := filepath.Glob(filepath.Join(dir, name+"-seed*.json"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var sf sbsFile
			if err := json.Unmarshal(data, &sf); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if sf.Evals != evals || sf.Scenario != name {
				continue
			}
			done[sf.Seed] = true
			rows = append(rows, sbsRow{seed: sf.Seed, fresh: sf.Fresh, used: sf.Used})
			logf(fmt.Sprintf("%s seed %d: read from %s", name, sf.Seed, f))
		}
	}
	for _, seed := range seeds {
		if done[seed] {
			continue
		}
		start := time.Now()
		var xs [][]float64
		sc, err := scenarios.LoadLibrary(name, append(slices.Clone(sets), "seed="+strconv.Itoa(seed))...)
		if err != nil {
			return nil, err
		}
		p, err := NewProblem(sc, ProblemOptions{})
		if err != nil {
			return nil, err
		}
		sim := SimulateMerchant(p.Merchant)
		row := sbsRow{seed: seed}
		fresh := func(x []float64) ([]float64, error) {
			var c *scenarios.Scenario
			if x == nil {
				c = scenarios.Clone(p.Base)
				c.Variants, c.Optimize, c.Sweep = nil, nil, nil
			} else if c, err = p.Apply(x); err != nil {
				return nil, err
			}
			k, err := sim(ctx, c, sbsFreshSeed, sbsFreshReps)
			if err != nil {
				return nil, err
			}
			return p.RepValues(k)
		}
		for _, arm := range sbsArms {
			x, used, err := arm.choose(ctx, p, sim, evals)
			if err != nil {
				return nil, fmt.Errorf("%s seed %d %s: %w", name, seed, arm.name, err)
			}
			v, err := fresh(x)
			if err != nil {
				return nil, err
			}
			row.fresh, row.used = append(row.fresh, v), append(row.used, used)
			xs = append(xs, x)
			logf(fmt.Sprintf("%s seed %d %s: %d runs, fresh mean %.4g, x %v", name, seed, arm.name, used, stats.MeanCI(v, 0.95).Mean, x))
		}
		v, err := fresh(nil)
		if err != nil {
			return nil, err
		}
		row.fresh = append(row.fresh, v)
		rows = append(rows, row)
		logf(fmt.Sprintf("%s seed %d done in %s", name, seed, time.Since(start).Round(time.Second)))
		if dir != "" {
			sf := sbsFile{Scenario: name, Seed: seed, Evals: evals, Used: row.used, X: xs, Fresh: row.fresh}
			for _, a := range sbsArms {
				sf.Arms = append(sf.Arms, a.name)
			}
			sf.Arms = append(sf.Arms, "baseline")
			data, err := json.MarshalIndent(sf, "", " ")
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-seed%d.json", name, seed)), data, 0o644); err != nil {
				return nil, err
			}
		}
	}
	slices.SortFunc(rows, func(a, b sbsRow) int { return a.seed - b.seed })
	return rows, nil
}

// sbsTable formats the per-seed fresh values and the paired differences of
// the first arm against the others: per seed over the fresh replications,
// and across seeds (median, and a t-interval over the per-seed means).
func sbsTable(name string, evals int, rows []sbsRow) string {
	var b strings.Builder
	m := func(v float64) string { return fmt.Sprintf("%.3fM", v/1e6) }
	ci := func(e stats.Estimate) string {
		return fmt.Sprintf("%+.3fM [%+.3fM, %+.3fM]", e.Mean/1e6, e.Lo/1e6, e.Hi/1e6)
	}
	fmt.Fprintf(&b, "%s (shrunk), %d simulator runs per method, choices re-run on %d fresh common replications (seed %d)\n\n", name, evals, sbsFreshReps, sbsFreshSeed)
	b.WriteString("| seed |")
	for _, a := range sbsArms {
		b.WriteString(" " + a.name + " |")
	}
	b.WriteString(" baseline |")
	for _, a := range sbsArms[1:] {
		b.WriteString(" optimize − " + a.name + " |")
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat("---|", 2*len(sbsArms)))
	b.WriteString("\n")
	perSeed := make([][]float64, len(sbsArms))
	sepSeed := make([][]bool, len(sbsArms))
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d |", r.seed)
		for i := range r.fresh {
			used := ""
			if i < len(r.used) {
				used = fmt.Sprintf(" (%d runs)", r.used[i])
			}
			fmt.Fprintf(&b, " %s%s |", m(stats.MeanCI(r.fresh[i], 0.95).Mean), used)
		}
		for i := 1; i < len(sbsArms); i++ {
			d := stats.PairedDiff(r.fresh[0], r.fresh[i], 0.95)
			perSeed[i] = append(perSeed[i], d.Mean)
			sepSeed[i] = append(sepSeed[i], d.Lo > 0)
			fmt.Fprintf(&b, " %s |", ci(d))
		}
		b.WriteString("\n")
	}
	// Across seeds: the seeds are the independent repetitions of each
	// method (the fresh replications are common within a seed), so the
	// unit is D_s, seed s's mean paired difference over the fresh
	// replications. The bar is judged on the 95% Student-t interval of the
	// mean of D_s over seeds; the median of D_s is given with its
	// distribution-free order-statistic interval [D_(1), D_(n)], whose
	// coverage 1 − 2^(1−n) (93.75% for 5 seeds) is the most 5 seeds allow,
	// and which excludes zero only when every seed is ahead.
	b.WriteString("\nAcross seeds (D_s = seed s's mean paired difference on the fresh replications):\n\n| optimize vs | median of D_s, [min, max] (order-statistic interval) | mean of D_s, 95% t-interval over seeds | seeds ahead (per-seed CI > 0) |\n|---|---|---|---|\n")
	for i := 1; i < len(sbsArms); i++ {
		ds := slices.Clone(perSeed[i])
		slices.Sort(ds)
		med := ds[len(ds)/2]
		if len(ds)%2 == 0 {
			med = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
		}
		ahead, sep := 0, 0
		for k, d := range perSeed[i] {
			if d > 0 {
				ahead++
			}
			if sepSeed[i][k] {
				sep++
			}
		}
		cov := 100 * (1 - math.Pow(2, 1-float64(len(ds))))
		fmt.Fprintf(&b, "| %s | %+.3fM [%+.3fM, %+.3fM] (%.2f%%) | %s | %d of %d (%d) |\n", sbsArms[i].name, med/1e6, ds[0]/1e6, ds[len(ds)-1]/1e6, cov,
			ci(stats.MeanCI(perSeed[i], 0.95)), ahead, len(ds), sep)
	}
	return b.String()
}
