package sim

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sourcegraph/conc"
	"github.com/sourcegraph/conc/iter"
	"github.com/startrend/startrend/scenarios"
)

// Options control how a run is executed; none of them changes its results.
type Options struct {
	// Workers is the number of goroutines simulating in parallel (0 = GOMAXPROCS).
	Workers int
	// Replications, when not empty, lists the replication indices to run
	// (each in [0, 1e9)) instead of 0 … scenario replications − 1;
	// Result.Variants[v].Reps[i] is then replication Replications[i], with
	// the same numbers it has in a full run (its streams come from its
	// index). Experiments run one replication of a point at a time.
	Replications []int
	// ScenarioHash, when set, is used as Result.Hash instead of hashing
	// the scenario (callers running many small runs of one scenario).
	ScenarioHash string
	// Progress, when set, is called with units of work done and the total
	// (from several goroutines; it must be safe for concurrent use). A unit
	// is one simulated day of one replication of one variant.
	Progress func(done, total int)
}

// Run compiles sc ([Compile]) and runs the model ([RunModel]). A scenario
// that does not validate or compile is an error; nothing runs.
func Run(ctx context.Context, sc *scenarios.Scenario, opt Options) (*Result, error) {
	m, err := compile(sc, opt.ScenarioHash == "")
	if err != nil {
		return nil, err
	}
	return RunModel(ctx, m, opt)
}

// RunModel simulates a compiled model: the baseline and every variant,
// each for the scenario's replications (or Options.Replications), and
// returns the results.
//
// Replications of all variants run in parallel (up to Options.Workers);
// when there are fewer of them than workers, each replication also spreads
// its users' chunks over the spare workers. Every random stream comes from
// (seed, replication, stream, chunk) and every daily reduction is a sum of
// integers, so the Result is identical for any number of workers; variants
// use the baseline's streams (common random numbers).
func RunModel(ctx context.Context, m *Model, opt Options) (*Result, error) {
	if m == nil || len(m.variants) == 0 {
		return nil, fmt.Errorf("sim: nil model (use Compile)")
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	vars := m.variants
	R := m.reps
	repIndex := func(r int) int { return r }
	if len(opt.Replications) > 0 {
		R = len(opt.Replications)
		for _, r := range opt.Replications {
			if r < 0 || r >= 1e9 {
				return nil, fmt.Errorf("sim: replication index %d out of range [0, 1e9)", r)
			}
		}
		repIndex = func(r int) int { return opt.Replications[r] }
	}
	units := len(vars) * R
	outer := min(workers, units)
	inner := max(1, workers/outer)
	for _, v := range vars {
		if err := checkMemory(v.mem, outer, v.memName, v.memTerm); err != nil {
			return nil, err
		}
	}
	hash := opt.ScenarioHash
	if hash == "" {
		hash = m.hash
	}
	res := &Result{
		Scenario:     m.name,
		Hash:         hash,
		Seed:         m.seed,
		Replications: R,
		HorizonDays:  m.horizon,
		WarmupDays:   m.warmup,
		Currency:     m.currency,
		Scale:        m.scale,
		Metrics:      Metrics(m.currency),
		Variants:     make([]VariantResult, len(vars)),
	}
	for i, v := range vars {
		res.Variants[i] = VariantResult{Name: v.name, Description: v.desc, Reps: make([]RepResult, R)}
	}
	T := m.warmup + m.horizon
	total := units * T
	var done atomic.Int64
	step := func() {
		n := done.Add(1)
		if opt.Progress != nil {
			opt.Progress(int(n), total)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, units)
	idx := make([]int, units)
	for i := range idx {
		idx[i] = i
	}
	chunks := 0
	var imps, trans int64
	var mu sync.Mutex
	it := iter.Iterator[int]{MaxGoroutines: outer}
	it.ForEach(idx, func(u *int) {
		vi, r := *u/R, *u%R
		if ctx.Err() != nil {
			errs[*u] = ctx.Err()
			return
		}
		w := newWorld(vars[vi], repIndex(r))
		mu.Lock()
		chunks += len(w.chunks)
		mu.Unlock()
		if err := w.run(ctx, inner, step); err != nil {
			errs[*u] = err
			cancel()
			return
		}
		mu.Lock()
		imps += w.imps
		trans += w.trans
		mu.Unlock()
		res.Variants[vi].Reps[r] = w.out.result()
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	res.Work = Work{Workers: outer * inner, Chunks: chunks, UserDays: float64(units) * float64(vars[0].users) * float64(T),
		Impressions: float64(imps), Transitions: float64(trans)}
	return res, nil
}

// run simulates every day of the world with up to workers goroutines over
// its chunks.
func (w *world) run(ctx context.Context, workers int, step func()) error {
	workers = min(workers, len(w.chunks))
	accs := make([]*accum, max(1, workers))
	for i := range accs {
		accs[i] = new(accum)
	}
	for d := 0; d < w.T; d++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		w.beginDay(d)
		x := w.userContext()
		for _, a := range accs {
			a.reset(w)
		}
		if len(accs) == 1 {
			for ci := range w.chunks {
				w.runChunk(&w.chunks[ci], accs[0], &x)
			}
		} else {
			var next atomic.Int64
			var wg conc.WaitGroup
			for _, a := range accs {
				wg.Go(func() {
					for {
						ci := int(next.Add(1)) - 1
						if ci >= len(w.chunks) {
							return
						}
						w.runChunk(&w.chunks[ci], a, &x)
					}
				})
			}
			wg.Wait()
			for _, a := range accs[1:] {
				accs[0].add(a)
			}
		}
		w.countWork(accs[0])
		w.endDay(d, accs[0])
		step()
	}
	return nil
}

// countWork adds the day's evaluated impressions and funnel transitions
// to the world's work counters (Work in the Result).
func (w *world) countWork(a *accum) {
	for k := range w.day.items {
		w.imps += a.cnt[k*nCnt+cImp]
	}
	for _, x := range a.flows { // O→A1 … A4→A5, orders that move a stage included
		w.trans += x
	}
}

// EstimateMemory returns the bytes one replication of sc needs (users,
// their funnels per merchant and follow graph, creators, content tables).
// Run holds one such world per parallel worker.
func EstimateMemory(sc *scenarios.Scenario) uint64 {
	U := float64(sc.Population.Users)
	M := float64(len(sc.Merchants))
	C := 0.0
	if sc.Creators.Generate != nil {
		C += float64(sc.Creators.Generate.Count)
	}
	C += float64(len(sc.Creators.RosterCreators))
	// Per user: 9 bytes of state, 2 for the follow count (the follow graph
	// itself is a hash, not stored), 8 for the active-merchant mask (M ≤
	// 64) and per merchant funnel 2 hot bytes (stage and touch), 4 cold
	// ones (last order, last seeding engagement) and, when the run's day
	// codes do not fit in touchBits bits, 1 more for the stage.
	// One more per funnel for the wear-out stock (fexp).
	fb := 7.0
	if !narrowDays(sc) {
		fb = 8
	}
	perUser := 9.0 + 2 + fb*M
	if M <= 64 {
		perUser += 8
	}
	if M <= 21 { // packed current stages and their expiry day
		perUser += 10
	}
	D := float64(max(1, sc.Platform.CreatorGrowth.DormantAfterDays))
	G0 := float64(len(sc.Population.Groups))
	perCreator := 130 + 16*D + 4*20 + 24*G0 + G0/8 // + per-group follow alias (8 B) with its build scratch (16 B) and live-column bits
	// Content items and tables: a generous bound on live cooperations.
	items := 64.0 * M * float64(max(1, len(sc.Trends)+1))
	for _, m := range sc.Merchants {
		for _, e := range m.Strategy.Matrix {
			items += float64(e.Count * 4)
		}
	}
	G := float64(len(sc.Population.Groups))
	perItem := 200 + G*(4*respStride+8+8) + nCnt*8
	T := float64(sc.WarmupDays + sc.HorizonDays)
	perDay := float64(numMetrics)*8 + 64 + 3*M*6*4 // + decay calendars (world and 2 workers)
	return uint64(U*perUser + C*perCreator + items*perItem + T*perDay + 8<<20)
}

// narrowDays reports whether a world of sc packs a funnel's stage and
// touch in one uint16 (world.narrowFunnels, from the scenario alone).
func narrowDays(sc *scenarios.Scenario) bool {
	w := world{T: sc.WarmupDays + sc.HorizonDays}
	_, w.dayBase = decayOf(&sc.Platform)
	return w.narrowFunnels()
}

// CheckMemory refuses a run whose estimated memory (EstimateMemory × the
// worlds held at once) exceeds the memory available: the smallest of the
// cgroup v2 limit, RLIMIT_AS and MemAvailable (no check where none can be
// read). The message names the limit and the setting that dominates the
// estimate.
func CheckMemory(sc *scenarios.Scenario, worlds int) error {
	return checkMemory(EstimateMemory(sc), worlds, sc.Name, dominantMemoryTerm(sc))
}

// checkMemory is CheckMemory of a world needing per bytes, of the scenario
// name whose dominant memory term is term.
func checkMemory(per uint64, worlds int, name, term string) error {
	need := per * uint64(max(1, worlds))
	avail, src, ok := memoryLimit()
	if !ok || need <= avail {
		return nil
	}
	return fmt.Errorf("sim: scenario %q needs about %.1f GB (%d replications held at once) but only %.1f GB is available (%s): %s",
		name, float64(need)/1e9, worlds, float64(avail)/1e9, src, term)
}

// memAvailable reads MemAvailable from /proc/meminfo (a variable so tests
// can pretend the machine is smaller).
var memAvailable = func() (uint64, bool) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				return 0, false
			}
			return kb * 1024, true
		}
	}
	return 0, false
}
