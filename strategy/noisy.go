package strategy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/startrend/startrend/internal/humannum"
	"github.com/startrend/startrend/optimize"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

// Solve runs `startrend optimize` on a Problem against a noisy simulator.
//
// Budget. Evals counts simulator runs: one replication of one scenario. A
// candidate evaluation during the search costs Problem.Replications runs;
// one racing round costs one run per surviving candidate. ReportRuns (the
// caller's final baseline-vs-optimised run) are set aside first; of the
// rest, a quarter goes to the efficient frontier when the block lists
// levels (split evenly over them), and of the main share 25% to the final
// race; with RandomArm the remaining search runs are split evenly between
// the method and a random-search reference arm, so both get the same
// budget. The search never starts a generation that would pass its share
// (optimize.RunOptions.MaxEvals is a hard bound), and each race gets what
// its search left; the total never exceeds Evals, and the allocation does
// not depend on Workers. A budget too small for two generations of the
// search is refused up front (BudgetError, with the smallest that works).
//
// Noise. Candidates of one generation share random numbers (common random
// numbers): generation g of a phase runs every candidate with the same seed,
// derived from (scenario seed, phase, g); a method's further copies of a
// candidate (CMA-ES's re-evaluations and extra evaluations under noise)
// run on the generation's second, third… seed sets. The final choice races
// the best distinct candidates of the search (the method's recommendation
// first), the scenario's own strategy (baseline) and, with RandomArm,
// random search's best, on fresh common seeds (replication r of every
// candidate uses the same seed) with optimize.Race: elimination by paired
// intervals corrected over comparisons and looks, so that "decided" holds
// with probability ≥ the block's confidence (Outcome.Selection states it).
// Decided is true exactly when vs_runner_up's interval (at the selection's
// corrected level) excludes zero. The outcome states the winner's KPIs
// with CIs, and paired differences against the runner-up, the baseline and
// random search's best.
//
// Frontier. Each level's search starts from the main search (the chosen
// strategy if it fits the level's budget, else the best evaluated point
// that does) and its race adds the chosen strategy and the best fitting
// points of the main search, on the main race's seeds: the chosen
// strategy lies on the frontier.
//
// Reproducibility. The answer depends only on the scenario, Evals and
// RandomArm — not on Workers, nor on interruptions: Checkpoint is called
// after every generation and every race with the complete state, and a
// Solve resumed from the last state ends exactly as an uninterrupted one.
type SolveOptions struct {
	Simulate Simulate
	// Method overrides the block's method ("" = the block's).
	Method string
	// Evals bounds the simulator runs (0 = the block's evals).
	Evals int
	// ReportRuns are runs reserved for the caller's final report.
	ReportRuns int
	// Workers evaluate candidates in parallel (0 = GOMAXPROCS).
	Workers int
	// RandomArm adds the random-search reference arm at equal budget.
	RandomArm bool
	// Checkpoint receives the state after each generation and race.
	Checkpoint func(*SolveState) error
	// Resume continues from a saved state.
	Resume *SolveState
	// Dispatch, if set, runs each search generation's simulations as one
	// batch of jobs (other processes, machines: see Job) instead of
	// Simulate in this process; the answer is the same.
	Dispatch Dispatch
	// Progress receives simulator runs done, the budget and the best
	// penalised value so far (NaN before any); it may be called from
	// several goroutines.
	Progress func(done, total int, best float64)
}

// SolveState is the resumable state of Solve (checkpoint.json).
type SolveState struct {
	// Producer and FormatVersion identify what wrote the state, Checksum
	// its content (see MarshalSolveState).
	Producer      string                 `json:"producer"`
	Checksum      string                 `json:"checksum"`
	FormatVersion int                    `json:"format_version"`
	ScenarioHash  string                 `json:"scenario_hash"`
	Evals         int                    `json:"evals"`
	ReportRuns    int                    `json:"report_runs"`
	RandomArm     bool                   `json:"random_arm"`
	Method        string                 `json:"method"`
	Phases        map[string]*PhaseState `json:"phases"`
}

// PhaseState is one phase's state: the search checkpoint, then its result.
type PhaseState struct {
	Search *optimize.Checkpoint `json:"search,omitempty"`
	Result *PhaseResult         `json:"result,omitempty"`
	Runs   int                  `json:"runs"`
	Error  string               `json:"error,omitempty"`
	Extra  json.RawMessage      `json:"extra,omitempty"`
}

// Stat is a mean with its Student-t confidence interval over N values.
// Undefined values are NaN, written as null, with the reason in Undefined
// (stats' rules: fewer than two values, a ratio whose denominator is zero
// in every replication).
type Stat struct {
	Mean stats.Float `json:"mean"`
	SD   stats.Float `json:"sd"`
	CILo stats.Float `json:"ci_lo"`
	CIHi stats.Float `json:"ci_hi"`
	N    int         `json:"n"`
	// Undefined says why the interval (or the mean) is undefined.
	Undefined string `json:"undefined,omitempty"`
}

// Paired is a paired difference (this − other) over common replications.
type Paired struct {
	Against string `json:"against"`
	Stat
	// Better says the CI excludes zero in the objective's good direction.
	Better bool `json:"better"`
}

// Candidate is one strategy in a race.
type Candidate struct {
	Label    string             `json:"label"`
	X        optimize.Floats    `json:"x"`
	Decision map[string]float64 `json:"decision"`
	Cost     stats.Float        `json:"cost"`
	// Value is the penalised objective over the race replications.
	Value Stat `json:"value"`
	// KPIs over the race replications.
	KPIs         map[string]Stat `json:"kpis"`
	Feasible     bool            `json:"feasible"`
	EliminatedAt int             `json:"eliminated_at,omitempty"`
	PValue       stats.Float     `json:"p_value"`
	reps         []float64
	kpiReps      map[string][]float64
}

// ConvergencePoint is the best value after Runs simulator runs.
type ConvergencePoint struct {
	Runs int         `json:"runs"`
	Best stats.Float `json:"best"`
}

// PhaseResult is the outcome of one search-and-race phase.
type PhaseResult struct {
	Name        string                  `json:"name"`
	Method      string                  `json:"method"`
	BudgetTotal stats.Float             `json:"budget_total"`
	SearchEvals int                     `json:"search_evals"`
	SearchRuns  int                     `json:"search_runs"`
	RaceRuns    int                     `json:"race_runs"`
	Stop        string                  `json:"stop"`
	Convergence []ConvergencePoint      `json:"convergence"`
	Candidates  []Candidate             `json:"candidates,omitempty"`
	Winner      int                     `json:"winner"`
	Decided     bool                    `json:"decided"`
	Selection   *optimize.SelectionInfo `json:"selection,omitempty"`
	VsRunnerUp  *Paired                 `json:"vs_runner_up,omitempty"`
	VsBaseline  *Paired                 `json:"vs_baseline,omitempty"`
	VsRandom    *Paired                 `json:"vs_random,omitempty"`
	BestX       optimize.Floats         `json:"best_x"`
	History     []optimize.Evaluation   `json:"history,omitempty"`
}

// FrontierPoint is the best objective found at one total-budget level.
type FrontierPoint struct {
	Level    stats.Float        `json:"level"`
	Value    Stat               `json:"value"`
	X        optimize.Floats    `json:"x"`
	Cost     stats.Float        `json:"cost"`
	Decision map[string]float64 `json:"decision"`
	Error    string             `json:"error,omitempty"`
}

// Outcome is optimize.json.
type Outcome struct {
	FormatVersion int                  `json:"format_version"`
	Complete      bool                 `json:"complete"`
	Scenario      string               `json:"scenario"`
	Hash          string               `json:"scenario_hash"`
	Merchant      string               `json:"merchant"`
	Objective     string               `json:"objective"`
	Maximize      bool                 `json:"maximize"`
	MinROI        float64              `json:"min_roi,omitempty"`
	Target        *scenarios.KPITarget `json:"target,omitempty"`
	Method        string               `json:"method"`
	Evals         int                  `json:"evals"`
	EvalsUsed     int                  `json:"evals_used"`
	Replications  int                  `json:"replications"`
	Confidence    float64              `json:"confidence"`
	Budget        *optimize.Budget     `json:"budget,omitempty"`
	Decisions     []Decided            `json:"decisions"`
	// Best is the chosen strategy (the race winner), Baseline the scenario's
	// own, RunnersUp the other raced candidates, best first.
	Best      *Candidate  `json:"best"`
	Baseline  *Candidate  `json:"baseline,omitempty"`
	RunnersUp []Candidate `json:"runners_up"`
	// Evidence: paired differences of the winner.
	VsRunnerUp *Paired                 `json:"vs_runner_up,omitempty"`
	VsBaseline *Paired                 `json:"vs_baseline,omitempty"`
	VsRandom   *Paired                 `json:"vs_random,omitempty"`
	Decided    bool                    `json:"decided"`
	Selection  *optimize.SelectionInfo `json:"selection,omitempty"`
	Verdict    string                  `json:"verdict"`
	Search     *PhaseResult            `json:"search"`
	Random     *PhaseResult            `json:"random,omitempty"`
	Frontier   []FrontierPoint         `json:"frontier,omitempty"`
	Notes      []string                `json:"notes,omitempty"`
}

// solveFormat is the checkpoint's format; outcomeFormat optimize.json's
// (2: undefined reported values are null with a reason, no longer "NaN"
// strings; both read either).
const (
	solveFormat   = 1
	outcomeFormat = 2
)

// seedFor derives a seed from the scenario seed and a tag (splitmix64).
func seedFor(base uint64, tag string, k int) uint64 {
	h := base ^ 0x9e3779b97f4a7c15
	for _, c := range []byte(tag) {
		h = (h ^ uint64(c)) * 0x100000001b3
	}
	h ^= uint64(k) * 0xbf58476d1ce4e5b9
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

type plan struct {
	randomSearch, mainSearch, mainTotal int
	frontierEach                        int
}

func makePlan(avail int, levels int, randomArm bool) plan {
	var pl plan
	front := 0
	if levels > 0 {
		front = avail / 4 // warm-started from the main search: a quarter suffices
		pl.frontierEach = front / levels
		front = pl.frontierEach * levels
	}
	pl.mainTotal = avail - front
	race := pl.mainTotal / 4
	search := pl.mainTotal - race
	if randomArm {
		pl.randomSearch = search / 2
		pl.mainSearch = search / 2
		pl.mainTotal -= pl.randomSearch
	} else {
		pl.mainSearch = search
	}
	return pl
}

// BudgetError is Solve's refusal of a budget too small to work; Min is the
// smallest that works.
type BudgetError struct {
	Evals, Min int
	Why        string
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("--evals %d is too small: %s; give --evals ≥ %d", e.Evals, e.Why, e.Min)
}

// minBudget is the smallest budget whose plan gives the main search
// minSearch runs.
func minBudget(reportRuns, levels int, randomArm bool, minSearch int) int {
	for e := reportRuns + 1; ; e++ {
		if makePlan(e-reportRuns, levels, randomArm).mainSearch >= minSearch {
			return e
		}
	}
}

// Solve searches p's decisions (see SolveOptions). On cancellation it
// returns the partial Outcome (Complete false) with ctx's error; the last
// state passed to Checkpoint resumes it.
func Solve(ctx context.Context, p *Problem, opts SolveOptions) (*Outcome, error) {
	if opts.Simulate == nil {
		return nil, errors.New("optimize: Solve needs a Simulate function")
	}
	o := p.Base.Optimize
	method, evals := resolve(p, opts)
	R := p.Replications
	hash := scenarios.Hash(p.Base)
	avail := evals - opts.ReportRuns
	pl := makePlan(avail, len(o.Frontier), opts.RandomArm)
	minSearch := 2 * R * 2
	if pl.mainSearch < minSearch || avail <= 0 {
		return nil, &BudgetError{Evals: evals, Min: minBudget(opts.ReportRuns, len(o.Frontier), opts.RandomArm, minSearch),
			Why: fmt.Sprintf("after %d runs for the final report, the search needs at least %d simulator runs (%d replications × 2 generations of 2)", opts.ReportRuns, minSearch, R)}
	}
	st := opts.Resume
	if st == nil {
		st = &SolveState{FormatVersion: solveFormat, ScenarioHash: hash, Evals: evals, ReportRuns: opts.ReportRuns,
			RandomArm: opts.RandomArm, Method: method, Phases: map[string]*PhaseState{}}
	} else if err := st.validate(p, opts); err != nil {
		return nil, fmt.Errorf("optimize: checkpoint: %w", err)
	}
	if st.Phases == nil {
		st.Phases = map[string]*PhaseState{}
	}
	s := &solver{p: p, opts: opts, st: st, R: R, total: evals, method: method, bestVal: math.NaN()}
	for _, ph := range st.Phases {
		s.done.Add(int64(ph.Runs))
	}
	out := &Outcome{
		FormatVersion: outcomeFormat, Scenario: p.Base.Name, Hash: hash, Merchant: p.Merchant, Objective: p.Objective,
		Maximize: p.Maximize, MinROI: p.MinROI, Target: p.Target, Method: method, Evals: evals,
		Replications: R, Confidence: o.Confidence, Budget: p.Space.Budget, Decisions: p.Decisions,
	}
	if out.Confidence == 0 {
		out.Confidence = 0.95
	}
	finish := func(err error) (*Outcome, error) {
		out.EvalsUsed = int(s.done.Load()) + opts.ReportRuns
		if err == nil {
			out.Complete = true
		} else if out.Best == nil {
			s.partialBest(out)
		}
		out.Verdict = verdict(out)
		return out, err
	}
	// 1. Random-search reference arm.
	var randomBest []float64
	if opts.RandomArm {
		res, err := s.search(ctx, "random", p, optimize.NameRandom, pl.randomSearch, nil)
		if res != nil {
			out.Random = res
			randomBest = res.BestX
		}
		if err != nil {
			return finish(err)
		}
	}
	// 2. Main search and race.
	main, err := s.phase(ctx, "search", p, method, pl.mainSearch, pl.mainTotal, true, randomBest, nil)
	if main != nil {
		out.Search = main
	}
	if err != nil {
		return finish(err)
	}
	s.fill(out, main)
	// 3. Frontier.
	for i, level := range o.Frontier {
		lv := level
		fp := FrontierPoint{Level: stats.Float(level)}
		q, err := NewProblem(p.Base, ProblemOptions{BudgetTotal: &lv})
		if err != nil {
			fp.Error = strings.ReplaceAll(err.Error(), "\n", "; ")
			out.Frontier = append(out.Frontier, fp)
			continue
		}
		search := pl.frontierEach * 3 / 4
		res, err := s.phase(ctx, "frontier."+strconv.Itoa(i), q, method, search, pl.frontierEach, false, nil, frontierWarm(p, q, main))
		if err != nil {
			return finish(err)
		}
		if len(res.Candidates) > 0 {
			w := res.Candidates[res.Winner]
			fp.Value, fp.X, fp.Cost, fp.Decision = w.Value, w.X, w.Cost, w.Decision
		} else {
			fp.Error = "budget too small for a race"
			fp.X = res.BestX
		}
		out.Frontier = append(out.Frontier, fp)
	}
	return finish(nil)
}

// Job is one candidate evaluation of a search generation: the phase's
// problem (its name: "search", "random" or "frontier.i" for the i-th
// frontier level) applied to X, simulated for Reps replications
// (0 … Reps−1) from Seed = JobSeed(problem, Phase, Gen, SeedSet).
type Job struct {
	Phase string    `json:"phase"`
	Gen   int       `json:"gen"`
	Index int       `json:"index"`
	X     []float64 `json:"x"`
	// SeedSet is 0 for a generation's common seeds, c > 0 for the c-th
	// further copy of a candidate (a method's re-evaluations under noise).
	SeedSet int    `json:"seed_set"`
	Seed    uint64 `json:"seed"`
	Reps    int    `json:"reps"`
}

// JobSeed is the seed of a search generation's simulations: derived from
// the scenario seed, the phase, the generation and the seed set (every
// candidate of a generation shares set 0: common random numbers).
func JobSeed(p *Problem, phase string, gen, set int) uint64 {
	if set > 0 {
		return seedFor(p.Base.Seed, "gen:"+phase+":copy:"+strconv.Itoa(set), gen)
	}
	return seedFor(p.Base.Seed, "gen:"+phase, gen)
}

// Dispatch runs a generation's jobs and returns each job's KPIs per
// replication (as Simulate would), in order.
type Dispatch func(ctx context.Context, jobs []Job) ([]map[string][]float64, error)

// PhaseProblem returns the problem a job's phase searches: p for "search"
// and "random", p at the i-th frontier level for "frontier.i".
func PhaseProblem(p *Problem, phase string) (*Problem, error) {
	st := &SolveState{RandomArm: true}
	return st.phaseProblem(p, phase)
}

// dispatchBatch evaluates a generation through s.opts.Dispatch.
func (s *solver) dispatchBatch(name string, p *Problem, setOf func(i int) int) func(context.Context, int, [][]float64) ([]float64, error) {
	return func(ctx context.Context, gen int, xs [][]float64) ([]float64, error) {
		jobs := make([]Job, len(xs))
		for i, x := range xs {
			c := setOf(i)
			jobs[i] = Job{Phase: name, Gen: gen, Index: i, X: x, SeedSet: c, Seed: JobSeed(p, name, gen, c), Reps: s.R}
		}
		kpis, err := s.opts.Dispatch(ctx, jobs)
		if err != nil {
			return nil, err
		}
		if len(kpis) != len(jobs) {
			return nil, fmt.Errorf("dispatch returned %d results for %d jobs", len(kpis), len(jobs))
		}
		vals := make([]float64, len(jobs))
		for i, k := range kpis {
			if vals[i], err = p.Value(k); err != nil {
				return nil, fmt.Errorf("job %d: %w", i, err)
			}
			s.progress(s.R, vals[i])
		}
		return vals, nil
	}
}

// warmStart carries what the main search learnt into a frontier phase: a
// start point for its search and candidates for its race.
type warmStart struct {
	x0    []float64
	extra []labeledX
}

type labeledX struct {
	label string
	x     []float64
}

// frontierWarm starts the frontier search at level q from the main phase:
// the chosen strategy if it fits q's budget, else the best evaluated point
// that fits, else the chosen strategy repaired onto q's budget; the race
// adds the chosen strategy (when it fits) and the best two evaluated
// points that fit, so the chosen strategy lies on the frontier.
func frontierWarm(p, q *Problem, main *PhaseResult) *warmStart {
	if main == nil {
		return nil
	}
	w := &warmStart{}
	chosen := main.BestX
	if len(main.Candidates) > 0 {
		chosen = main.Candidates[main.Winner].X
	}
	fits := func(x []float64) bool { return x != nil && q.Space.Feasible(x, 1e-9) }
	if fits(chosen) {
		w.x0 = append([]float64(nil), chosen...)
		w.extra = append(w.extra, labeledX{"chosen strategy", chosen})
	}
	hist := p.bestFirst(main.History)
	k := 0
	for _, e := range hist {
		if k == 2 {
			break
		}
		if fits(e.X) {
			k++
			w.extra = append(w.extra, labeledX{"main search #" + strconv.Itoa(k), e.X})
			if w.x0 == nil {
				w.x0 = append([]float64(nil), e.X...)
			}
		}
	}
	if w.x0 == nil && chosen != nil {
		w.x0 = q.Space.Repair(nil, chosen)
	}
	return w
}

type solver struct {
	p       *Problem
	opts    SolveOptions
	st      *SolveState
	R       int
	total   int
	method  string
	done    atomic.Int64
	mu      sync.Mutex
	bestVal float64
}

func (s *solver) progress(runs int, v float64) {
	d := int(s.done.Add(int64(runs)))
	s.mu.Lock()
	if !math.IsNaN(v) && (math.IsNaN(s.bestVal) || (s.p.Maximize && v > s.bestVal) || (!s.p.Maximize && v < s.bestVal)) {
		s.bestVal = v
	}
	b := s.bestVal
	s.mu.Unlock()
	if s.opts.Progress != nil {
		s.opts.Progress(d, s.total, b)
	}
}

func (s *solver) checkpoint() error {
	if s.opts.Checkpoint == nil {
		return nil
	}
	return s.opts.Checkpoint(s.st)
}

func (s *solver) phaseState(name string) *PhaseState {
	ph := s.st.Phases[name]
	if ph == nil {
		ph = &PhaseState{}
		s.st.Phases[name] = ph
	}
	return ph
}

// search runs the search part of a phase within searchRuns simulator runs.
func (s *solver) search(ctx context.Context, name string, p *Problem, method string, searchRuns int, warm *warmStart) (*PhaseResult, error) {
	ph := s.phaseState(name)
	if ph.Result != nil && ph.Search == nil {
		return ph.Result, nil
	}
	cfg := optimize.Config{Seed: seedFor(p.Base.Seed, "method:"+name, 0)}
	n := p.Space.N()
	pop := 4 + int(3*math.Log(float64(n)))
	if method == optimize.NameCMAES || method == optimize.NameRandom {
		cfg.PopSize = pop
	}
	if method == optimize.NameCMAES || method == optimize.NameNelderMead || method == optimize.NameDiscrete {
		cfg.X0 = p.Space.Repair(nil, p.BaselineX())
	}
	if method == optimize.NameCMAES {
		cfg.Restarts = 9 // IPOP: a run that stops early restarts with 2λ
	}
	if warm != nil && warm.x0 != nil && method != optimize.NameRandom {
		cfg.X0 = warm.x0 // the default step: a level may allow much more
	}
	maxEvals := max(searchRuns/s.R, 1)
	var m optimize.Method
	var err error
	if ph.Search != nil {
		m, err = optimize.ResumeMethod(p.Space, ph.Search)
	} else {
		m, err = optimize.New(method, p.Space, cfg)
	}
	if err != nil {
		return nil, err
	}
	// Common random numbers: every candidate of generation gen runs on the
	// same seeds; a method's second copy of a candidate (re-evaluation,
	// noise handling) runs on the generation's second set, and so on.
	rep, _ := m.(interface{ Replica(int) int })
	setOf := func(i int) int {
		if rep != nil {
			return rep.Replica(i)
		}
		return 0
	}
	seedOf := func(gen, i int) uint64 { return JobSeed(p, name, gen, setOf(i)) }
	obj := func(ctx context.Context, gen, i int, x []float64) (float64, error) {
		sc, err := p.Apply(x)
		if err != nil {
			return 0, err
		}
		k, err := s.opts.Simulate(ctx, sc, seedOf(gen, i), s.R)
		if err != nil {
			return 0, err
		}
		v, err := p.Value(k)
		if err != nil {
			return 0, err
		}
		s.progress(s.R, v)
		return v, nil
	}
	ropts := optimize.RunOptions{Workers: s.opts.Workers, MaxEvals: maxEvals, Maximize: p.Maximize, Resume: ph.Search}
	if s.opts.Dispatch != nil {
		ropts.Batch = s.dispatchBatch(name, p, setOf)
	}
	ropts.Checkpoint = func(cp *optimize.Checkpoint) error {
		ph.Search = cp
		ph.Runs = len(cp.History.Evals) * s.R
		return s.checkpoint()
	}
	res, err := optimize.Run(ctx, m, obj, ropts)
	if res == nil {
		return nil, err
	}
	pr := &PhaseResult{Name: name, Method: method, SearchEvals: res.Evals, SearchRuns: res.Evals * s.R, Stop: string(res.Stop),
		History: res.History.Evals, BestX: res.X}
	if p.Space.Budget != nil {
		pr.BudgetTotal = stats.Float(p.Space.Budget.Total)
	}
	for k, e := range res.History.Evals {
		if k == len(res.History.Evals)-1 || res.History.Evals[k+1].Gen != e.Gen {
			pr.Convergence = append(pr.Convergence, ConvergencePoint{Runs: (k + 1) * s.R, Best: stats.Float(e.Best)})
		}
	}
	if res.Recommended != nil && name != "random" {
		pr.BestX = res.Recommended
	}
	if err != nil {
		return pr, err
	}
	if name == "random" {
		ph.Result = pr
		ph.Search = nil
		if err := s.checkpoint(); err != nil {
			return pr, err
		}
	}
	return pr, nil
}

// phase is a search followed by a race of its best candidates (plus the
// baseline and the random arm's best for the main phase).
func (s *solver) phase(ctx context.Context, name string, p *Problem, method string, searchRuns, totalRuns int, main bool, randomBest []float64, warm *warmStart) (*PhaseResult, error) {
	ph := s.phaseState(name)
	if ph.Result != nil {
		return ph.Result, nil
	}
	pr, err := s.search(ctx, name, p, method, searchRuns, warm)
	if err != nil {
		return pr, err
	}
	cands := raceCandidates(p, pr, main, randomBest, warm)
	raceBudget := totalRuns - pr.SearchRuns
	cands, initial := fitRace(cands, raceBudget)
	if raceBudget < len(cands)*initial || len(cands) < 1 {
		pr.Stop += "; no race (budget)"
		ph.Result, ph.Search = pr, nil
		return pr, s.checkpoint()
	}
	if err := s.race(ctx, p, pr, cands, initial, raceBudget); err != nil {
		return pr, err
	}
	ph.Result, ph.Search = pr, nil
	ph.Runs = pr.SearchRuns + pr.RaceRuns
	return pr, s.checkpoint()
}

// raceCand is a candidate of a phase's race.
type raceCand struct {
	label string
	x     []float64
	base  bool
}

// raceCandidates are the recommendation, the best distinct evaluated
// points by value, for the main phase the baseline and random search's
// best, and the warm start's candidates.
func raceCandidates(p *Problem, pr *PhaseResult, main bool, randomBest []float64, warm *warmStart) []raceCand {
	var cands []raceCand
	seen := map[string]bool{}
	key := func(x []float64) string { return fmt.Sprint(x) }
	add := func(label string, x []float64, base bool) {
		if x == nil || seen[key(x)] {
			return
		}
		seen[key(x)] = true
		cands = append(cands, raceCand{label, append([]float64(nil), x...), base})
	}
	add("recommended", pr.BestX, false)
	hist := p.bestFirst(pr.History)
	k := 1
	for _, e := range hist {
		if len(cands) >= 4 {
			break
		}
		if !seen[key(e.X)] {
			add("search #"+strconv.Itoa(k), e.X, false)
			k++
		}
	}
	if main {
		// The baseline is the scenario as written; its decision values
		// identify it.
		bx := p.BaselineX()
		if seen[key(bx)] {
			for i := range cands {
				if key(cands[i].x) == key(bx) {
					cands[i].base = true
					cands[i].label = "baseline"
				}
			}
		} else {
			add("baseline", bx, true)
		}
		add("random search best", randomBest, false)
	}
	if warm != nil {
		// the main search's choice and best points that fit this phase's
		// budget race too, on the main race's seeds
		for _, c := range warm.extra {
			if len(cands) >= 6 {
				break
			}
			add(c.label, c.x, false)
		}
	}
	return cands
}

// fitRace drops the lowest-ranked search candidates until every candidate
// gets the initial replications within raceBudget, and lowers them (to at
// least 2) if it must.
func fitRace(cands []raceCand, raceBudget int) ([]raceCand, int) {
	initial := 5
	for len(cands) > 2 && raceBudget < len(cands)*initial {
		drop := -1
		for i := len(cands) - 1; i >= 0; i-- {
			if !cands[i].base && cands[i].label != "random search best" && cands[i].label != "recommended" {
				drop = i
				break
			}
		}
		if drop < 0 {
			break
		}
		cands = slices.Delete(cands, drop, drop+1)
	}
	if raceBudget < len(cands)*initial {
		initial = max(2, raceBudget/max(len(cands), 1))
	}
	return cands, initial
}

// race runs the candidates' race and records its evidence in pr.
func (s *solver) race(ctx context.Context, p *Problem, pr *PhaseResult, cands []raceCand, initial, raceBudget int) error {
	scs := make([]*scenarios.Scenario, len(cands))
	for i, c := range cands {
		if c.base {
			sc := scenarios.Clone(p.Base)
			sc.Variants, sc.Optimize, sc.Sweep = nil, nil, nil
			scs[i] = sc
			continue
		}
		var err error
		if scs[i], err = p.Apply(c.x); err != nil {
			return err
		}
	}
	var mu sync.Mutex
	vals := make([]map[int]float64, len(cands))
	kpis := make([]map[int]map[string]float64, len(cands))
	for i := range cands {
		vals[i] = map[int]float64{}
		kpis[i] = map[int]map[string]float64{}
	}
	evalRep := func(ctx context.Context, i, rep int) (float64, error) {
		// every race runs on the main race's seeds: the chosen strategy has
		// the same values on the frontier as in the main race
		k, err := s.opts.Simulate(ctx, scs[i], seedFor(p.Base.Seed, "race:search", rep), 1)
		if err != nil {
			return 0, err
		}
		v, err := p.Value(k)
		if err != nil {
			return 0, err
		}
		mu.Lock()
		vals[i][rep] = v
		one := map[string]float64{}
		for name, xs := range k {
			if len(xs) > 0 {
				one[name] = xs[0]
			}
		}
		kpis[i][rep] = one
		mu.Unlock()
		s.progress(1, math.NaN())
		return v, nil
	}
	conf := p.Base.Optimize.Confidence
	if conf == 0 {
		conf = 0.95
	}
	rr, err := optimize.Race(ctx, len(cands), evalRep, optimize.RaceOptions{InitialReps: initial, MaxEvals: raceBudget, Confidence: conf, Maximize: p.Maximize, Workers: s.opts.Workers})
	if err != nil {
		return err
	}
	pr.RaceRuns = rr.Evals
	pr.Winner, pr.Decided = rr.Winner, rr.Decided
	pr.Selection = &rr.Selection
	for i, c := range cands {
		pr.Candidates = append(pr.Candidates, candidateOf(p, c, rr.Entries[i], ordered(vals[i]), kpis[i], conf))
	}
	s.evidence(pr, cands, conf, float64(rr.Selection.Level))
	return nil
}

// candidateOf is a raced candidate with its value and KPIs over the race
// replications.
func candidateOf(p *Problem, c raceCand, e optimize.RaceEntry, reps []float64, kpis map[int]map[string]float64, conf float64) Candidate {
	cd := Candidate{Label: c.label, X: c.x, Decision: p.decisionMap(c.x), Cost: stats.Float(p.Cost(c.x)),
		EliminatedAt: e.EliminatedAt, PValue: stats.Float(e.PValue), KPIs: map[string]Stat{}}
	cd.reps = reps
	cd.Value = statOf(cd.reps, conf)
	names := map[string]bool{}
	for _, m := range kpis {
		for n := range m {
			names[n] = true
		}
	}
	kr := map[string][]float64{}
	for n := range names {
		var xs []float64
		for r := 0; r < len(cd.reps); r++ {
			xs = append(xs, kpis[r][n])
		}
		kr[n] = xs
		cd.KPIs[n] = statOf(xs, conf)
	}
	if _, ok := kr[sim.KPIROI]; !ok && kr[sim.KPIGMV] != nil && kr[sim.KPISpend] != nil {
		// the one ROI rule: undefined (skipped) where spend is zero
		cd.KPIs[sim.KPIROI] = statOf(stats.ROIs(kr[sim.KPIGMV], kr[sim.KPISpend]), conf)
	}
	cd.Feasible = p.Feasible(kr)
	cd.kpiReps = kr
	return cd
}

// evidence sets the winner's paired differences: against the runner-up at
// the selection's corrected level (decided is exactly what that interval
// says), against the baseline and random search at conf.
func (s *solver) evidence(pr *PhaseResult, cands []raceCand, conf, selLevel float64) {
	w := pr.Winner
	runner := -1
	for i, c := range pr.Candidates {
		if i == w {
			continue
		}
		if runner < 0 || better(s.p.Maximize, float64(c.Value.Mean), float64(pr.Candidates[runner].Value.Mean)) {
			runner = i
		}
	}
	if runner >= 0 {
		pr.VsRunnerUp = s.paired(pr, w, runner, selLevel)
		pr.Decided = pr.Decided && pr.VsRunnerUp.Better
	} else {
		pr.Decided = false
	}
	for i, c := range pr.Candidates {
		if i == w {
			continue
		}
		if cands[i].base {
			pr.VsBaseline = s.paired(pr, w, i, conf)
		}
		if c.Label == "random search best" {
			pr.VsRandom = s.paired(pr, w, i, conf)
		}
	}
	pr.BestX = pr.Candidates[w].X
}

func (s *solver) paired(pr *PhaseResult, a, b int, conf float64) *Paired {
	ra, rb := pr.Candidates[a].reps, pr.Candidates[b].reps
	n := min(len(ra), len(rb))
	st := statOf(stats.Differences(ra[:n], rb[:n]), conf)
	good := float64(st.CILo) > 0
	if !s.p.Maximize {
		good = float64(st.CIHi) < 0
	}
	return &Paired{Against: pr.Candidates[b].Label, Stat: st, Better: good && n > 1}
}

func better(maximize bool, a, b float64) bool {
	if maximize {
		return a > b
	}
	return a < b
}

func ordered(m map[int]float64) []float64 {
	out := make([]float64, 0, len(m))
	for r := 0; ; r++ {
		v, ok := m[r]
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

// statOf is the mean of v with its Student-t interval at conf
// (stats.MeanCI: with fewer than two values the interval is undefined,
// NaN, never zero-width).
func statOf(v []float64, conf float64) Stat {
	e := stats.MeanCI(v, conf)
	return Stat{N: e.N, Mean: stats.Float(e.Mean), SD: stats.Float(e.SD), CILo: stats.Float(e.Lo), CIHi: stats.Float(e.Hi), Undefined: e.Undefined}
}

// bestFirst returns a copy of the evaluations, best value first (stable:
// ties keep their order).
func (p *Problem) bestFirst(h []optimize.Evaluation) []optimize.Evaluation {
	hist := append([]optimize.Evaluation(nil), h...)
	sort.SliceStable(hist, func(a, b int) bool {
		if p.Maximize {
			return hist[a].Value > hist[b].Value
		}
		return hist[a].Value < hist[b].Value
	})
	return hist
}

func (p *Problem) decisionMap(x []float64) map[string]float64 {
	m := make(map[string]float64, len(x))
	for i, d := range p.Decisions {
		if i < len(x) {
			m[d.Path] = x[i]
		}
	}
	return m
}

// fill copies the main phase's race into the outcome.
func (s *solver) fill(out *Outcome, pr *PhaseResult) {
	if len(pr.Candidates) == 0 {
		s.partialBest(out)
		return
	}
	w := pr.Candidates[pr.Winner]
	out.Best = &w
	idx := make([]int, 0, len(pr.Candidates))
	for i := range pr.Candidates {
		if i != pr.Winner {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return better(s.p.Maximize, float64(pr.Candidates[idx[a]].Value.Mean), float64(pr.Candidates[idx[b]].Value.Mean))
	})
	for _, i := range idx {
		c := pr.Candidates[i]
		out.RunnersUp = append(out.RunnersUp, c)
		if c.Label == "baseline" {
			cc := c
			out.Baseline = &cc
		}
	}
	if w.Label == "baseline" {
		out.Baseline = &w
	}
	out.VsRunnerUp, out.VsBaseline, out.VsRandom, out.Decided = pr.VsRunnerUp, pr.VsBaseline, pr.VsRandom, pr.Decided
	out.Selection = pr.Selection
}

// partialBest fills Best from the search history when there is no race.
func (s *solver) partialBest(out *Outcome) {
	pr := out.Search
	if pr == nil || pr.BestX == nil {
		return
	}
	c := Candidate{Label: "best so far (not raced)", X: pr.BestX, Decision: s.p.decisionMap(pr.BestX), Cost: stats.Float(s.p.Cost(pr.BestX)), PValue: stats.Float(math.NaN())}
	for _, e := range pr.History {
		if fmt.Sprint([]float64(e.X)) == fmt.Sprint([]float64(pr.BestX)) {
			nan := stats.Float(math.NaN())
			c.Value = Stat{Mean: stats.Float(e.Value), N: s.R, SD: nan, CILo: nan, CIHi: nan,
				Undefined: "not raced: the search's own mean, without an interval"}
		}
	}
	out.Best = &c
}

func verdict(out *Outcome) string {
	if out.Best == nil {
		return "no candidate evaluated yet"
	}
	var b strings.Builder
	if !out.Complete {
		b.WriteString("partial (interrupted): ")
	}
	if out.Best.Label == "baseline" {
		b.WriteString("the scenario's own strategy was not beaten")
	} else {
		fmt.Fprintf(&b, "%s chosen", out.Best.Label)
	}
	if d := out.VsBaseline; d != nil {
		fmt.Fprintf(&b, "; vs baseline %s (%s)", humannum.Interval(float64(d.Mean), float64(d.CILo), float64(d.CIHi), true), sep(d.Better))
	}
	if d := out.VsRunnerUp; d != nil {
		fmt.Fprintf(&b, "; vs runner-up (%s) %s (%s)", d.Against, humannum.Interval(float64(d.Mean), float64(d.CILo), float64(d.CIHi), true), sep(d.Better))
	}
	if d := out.VsRandom; d != nil && d != out.VsRunnerUp {
		fmt.Fprintf(&b, "; vs random search %s (%s)", humannum.Interval(float64(d.Mean), float64(d.CILo), float64(d.CIHi), true), sep(d.Better))
	}
	if sel := out.Selection; sel != nil {
		if out.Decided {
			fmt.Fprintf(&b, "; decided: P(correct) ≥ %s over %d looks (each interval at %s)", humannum.Percent(float64(sel.PCS)), sel.Looks, humannum.Percent(float64(sel.Level)))
		} else {
			fmt.Fprintf(&b, "; not decided (differences below about %s are not resolved by this budget)", humannum.Plain(float64(sel.Detectable)))
		}
	}
	return b.String()
}

func sep(ok bool) string {
	if ok {
		return "separated at the stated confidence"
	}
	return "not separated from noise"
}
