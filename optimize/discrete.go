package optimize

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Discrete chooses integer quantities — a set of named creators (0/1), or
// counts up to a capacity — under a budget, by lazy greedy construction and
// local-search refinement, asking in batches so that the driver evaluates
// in parallel. Every variable must be integer with finite bounds.
//
// Construction (at-most budget or none): from the lower bounds (or X0),
// repeatedly add Step units to the variable with the largest marginal gain
// per cost, lazily: stale gains serve as upper bounds (exact for
// submodular objectives) and only the top Batch are re-evaluated each
// generation; a fresh gain that beats every stale bound is taken. When no
// affordable step improves, Step is halved, down to 1. An exact budget
// skips construction and starts from the repaired X0 (default: the budget
// spread over the box).
//
// Refinement: local search over the moves add Step to one variable, remove
// Step from one, move Step from one to another (only this under an exact
// budget), and, under an at-most budget with n ≤ 50, the compound moves two
// out one in and one out two in (which knapsack-like costs need), visited
// in a random order, Batch per generation; the best
// improving move of a generation is taken. A whole neighbourhood (or
// Patience generations) without improvement halves Step; at Step 1 the
// method is done: a local optimum for these moves.
//
// A local optimum at Step 1 is then kicked (iterated local search): 1–3
// random units are removed from the best local optimum so far, may not be
// re-added by the next construction, and construction and refinement run
// again; the method is done after Kicks (default 10) kicks in a row that do
// not improve on the best local optimum, which it then recommends.
//
// Every generation re-evaluates the incumbent as candidate 0 and compares
// the moves with that value, so a noisy objective with common random
// numbers per generation compares like with like.
type Discrete struct {
	space Space
	rng   rng
	perm  []int // cached move order of the current pass
	st    discreteState
}

type discreteState struct {
	Method      string      `json:"method"`
	Fingerprint string      `json:"fingerprint"`
	RNG         []byte      `json:"rng"`
	Batch       int         `json:"batch"`
	Step        int         `json:"step"`
	Step0       int         `json:"step0"`
	Patience    int         `json:"patience"`
	Phase       string      `json:"phase"` // greedy, refine
	X           Floats      `json:"x"`
	FX          Float       `json:"fx"`
	Bounds      Floats      `json:"bounds"`
	PassSeed    uint64      `json:"pass_seed"`
	PassPos     int         `json:"pass_pos"`
	NoImprove   int         `json:"no_improve"` // moves tried since the last improvement
	IdleGens    int         `json:"idle_gens"`
	Pending     []Floats    `json:"pending"`
	Moves       []move      `json:"moves"` // per pending candidate after the first
	Best        bestTracker `json:"best"`
	IsDone      bool        `json:"done"`
	Kicks       int         `json:"kicks"`
	KickFails   int         `json:"kick_fails"`
	Tabu        []bool      `json:"tabu"`  // not to be added during this construction
	Local       Floats      `json:"local"` // best local optimum so far
	LocalF      Float       `json:"local_f"`
	HasLocal    bool        `json:"has_local"`
}

// NewDiscrete constructs the discrete method. It reads Seed, X0, PopSize
// (the batch: default 8), Step and Patience.
func NewDiscrete(space Space, cfg Config) (*Discrete, error) {
	if err := space.Validate(); err != nil {
		return nil, err
	}
	n := space.N()
	var errs []error
	for i, d := range space.Dims {
		lo, hi := space.lohi(i)
		if !d.Integer || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
			errs = append(errs, fmt.Errorf("optimize: the discrete method needs integer dimensions with finite bounds; %s is not", dimName(i, d)))
		}
	}
	if err := space.checkX(cfg.X0, "X0"); err != nil {
		errs = append(errs, err)
	}
	if cfg.PopSize < 0 || cfg.Step < 0 || cfg.Patience < 0 || cfg.Kicks < -1 {
		errs = append(errs, errors.New("optimize: PopSize, Step and Patience must be ≥ 0 (0 = default), Kicks ≥ −1"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	st := discreteState{Method: NameDiscrete, Fingerprint: space.fingerprint(),
		Batch: cfg.PopSize, Step: cfg.Step, Patience: cfg.Patience, Bounds: make(Floats, n), Kicks: cfg.Kicks}
	if st.Kicks == 0 {
		st.Kicks = 10
	}
	if st.Batch == 0 {
		st.Batch = 8
	}
	if st.Step == 0 {
		share := 0.0
		for i := range n {
			lo, hi := space.lohi(i)
			r := hi - lo
			if w := space.weight(i); w > 0 {
				r = math.Min(r, space.Budget.Total/(float64(n)*w))
			}
			share += r / float64(n)
		}
		st.Step = max(1, int(share/4))
	}
	st.Step0 = st.Step
	exact := space.Budget != nil && space.Budget.Exact
	x := make([]float64, n)
	switch {
	case cfg.X0 != nil:
		copy(x, cfg.X0)
	case exact:
		for i := range n {
			lo, hi := space.lohi(i)
			x[i] = (lo + hi) / 2
		}
	default:
		for i := range n {
			x[i], _ = space.lohi(i)
		}
	}
	st.X = space.Repair(nil, x)
	st.FX = Float(inf)
	st.Phase = "greedy"
	if exact {
		st.Phase = "refine"
	}
	for i := range st.Bounds {
		st.Bounds[i] = inf
	}
	d := &Discrete{space: space, rng: newRNG(cfg.Seed), st: st}
	d.st.PassSeed = d.rng.Uint64()
	return d, nil
}

// Name implements Method.
func (d *Discrete) Name() string { return NameDiscrete }

// Done implements Method.
func (d *Discrete) Done() bool { return d.st.IsDone }

// Best implements Method.
func (d *Discrete) Best() ([]float64, float64) { return d.st.Best.get() }

// Recommend returns the incumbent.
func (d *Discrete) Recommend() []float64 { return append([]float64(nil), d.st.X...) }

func (d *Discrete) cost(x []float64) float64 {
	c := 0.0
	for i := range x {
		c += d.space.weight(i) * x[i]
	}
	return c
}

// apply returns x with Step taken from the variables in out and added to
// those in in (−1 entries ignored), or nil if infeasible or unchanged.
func (d *Discrete) apply(x []float64, mv move) []float64 {
	y := append([]float64(nil), x...)
	s := float64(d.st.Step)
	for _, i := range mv[:2] {
		if i >= 0 {
			y[i] -= s
		}
	}
	for _, i := range mv[2:] {
		if i >= 0 {
			y[i] += s
		}
	}
	same := true
	for i := range y {
		same = same && y[i] == x[i]
	}
	if same || !d.space.Feasible(y, 1e-9*math.Max(1, math.Abs(d.budgetTotal()))) {
		return nil
	}
	return y
}

// move is (out, out, in, in): variables that lose and gain Step; −1 = none.
type move [4]int

func add(i int) move { return move{-1, -1, i, -1} }

func (d *Discrete) budgetTotal() float64 {
	if d.space.Budget == nil {
		return 0
	}
	return d.space.Budget.Total
}

// compound reports whether the neighbourhood includes the compound moves
// (two out one in, one out two in): under an at-most budget with n ≤ 50.
func (d *Discrete) compound() bool {
	n := d.space.N()
	return d.space.Budget != nil && !d.space.Budget.Exact && n <= 50
}

// numMoves is the size of the refinement neighbourhood.
func (d *Discrete) numMoves() int {
	n := d.space.N()
	if d.space.Budget != nil && d.space.Budget.Exact {
		return n * (n - 1)
	}
	m := n*(n-1) + 2*n
	if d.compound() {
		m += 2 * n * n * n
	}
	return m
}

// move decodes move k.
func (d *Discrete) move(k int) move {
	n := d.space.N()
	if k < n*(n-1) {
		from, to := k/(n-1), k%(n-1)
		if to >= from {
			to++
		}
		return move{from, -1, to, -1}
	}
	k -= n * (n - 1)
	if k < n {
		return add(k)
	}
	k -= n
	if k < n {
		return move{k, -1, -1, -1}
	}
	k -= n
	i, j, l := k%n, (k/n)%n, (k/(n*n))%n
	if k < n*n*n {
		return move{i, j, l, -1}
	}
	return move{l, -1, i, j}
}

func (d *Discrete) passOrder() []int {
	if d.perm == nil {
		d.perm = rand.New(rand.NewPCG(d.st.PassSeed, 1)).Perm(d.numMoves())
	}
	return d.perm
}

// Ask implements Method.
func (d *Discrete) Ask() ([][]float64, error) {
	if d.st.IsDone {
		return nil, errDone
	}
	if len(d.st.Pending) == 0 {
		d.st.Pending = []Floats{append(Floats(nil), d.st.X...)}
		d.st.Moves = nil
		if d.st.Phase == "greedy" {
			d.askGreedy()
		}
		if d.st.Phase == "refine" {
			d.askRefine()
		}
	}
	out := make([][]float64, len(d.st.Pending))
	for i, x := range d.st.Pending {
		out[i] = append([]float64(nil), x...)
	}
	return out, nil
}

func (d *Discrete) askGreedy() {
	for {
		type cand struct {
			i     int
			bound float64
		}
		var cs []cand
		for i := range d.st.X {
			if d.st.Tabu != nil && d.st.Tabu[i] {
				continue
			}
			if d.apply(d.st.X, add(i)) != nil {
				cs = append(cs, cand{i, d.st.Bounds[i]})
			}
		}
		if len(cs) > 0 {
			sort.SliceStable(cs, func(a, b int) bool { return cs[a].bound > cs[b].bound })
			if cs[0].bound > 0 {
				for _, c := range cs[:min(len(cs), d.st.Batch)] {
					d.st.Pending = append(d.st.Pending, d.apply(d.st.X, add(c.i)))
					d.st.Moves = append(d.st.Moves, add(c.i))
				}
				return
			}
		}
		// no affordable improving step at this size
		if d.st.Step > 1 {
			d.st.Step /= 2
			for i := range d.st.Bounds {
				d.st.Bounds[i] = inf
			}
			continue
		}
		d.st.Phase = "refine"
		d.st.Step = 1
		d.st.Tabu = nil
		return
	}
}

func (d *Discrete) askRefine() {
	order := d.passOrder()
	for len(d.st.Moves) < d.st.Batch && d.st.NoImprove < len(order) {
		if d.st.PassPos >= len(order) {
			d.st.PassPos = 0
			d.st.PassSeed = d.rng.Uint64()
			d.perm = nil
			order = d.passOrder()
		}
		mv := d.move(order[d.st.PassPos])
		d.st.PassPos++
		d.st.NoImprove++
		if y := d.apply(d.st.X, mv); y != nil {
			d.st.Pending = append(d.st.Pending, y)
			d.st.Moves = append(d.st.Moves, mv)
		}
	}
}

// Tell implements Method.
func (d *Discrete) Tell(values []float64) error {
	if err := checkTell(len(d.st.Pending), values); err != nil {
		return err
	}
	for i, v := range values {
		d.st.Best.update(d.st.Pending[i], v)
	}
	fx := values[0]
	d.st.FX = Float(fx)
	bestK, bestScore := -1, -inf
	for k, mv := range d.st.Moves {
		gain := fx - values[k+1]
		score := gain
		if d.st.Phase == "greedy" {
			if w := d.space.weight(mv[2]); w > 0 {
				score = gain / (w * float64(d.st.Step))
			}
			d.st.Bounds[mv[2]] = score
		}
		if score > bestScore {
			bestK, bestScore = k, score
		}
	}
	pending := d.st.Pending
	d.st.Pending = nil
	switch d.st.Phase {
	case "greedy":
		if bestK < 0 || bestScore <= 0 {
			return nil // bounds now ≤ 0 for the evaluated items; Ask moves on
		}
		// lazy rule: take it if no stale bound beats it
		taken := map[int]bool{}
		for _, mv := range d.st.Moves {
			taken[mv[2]] = true
		}
		for i, b := range d.st.Bounds {
			tabu := d.st.Tabu != nil && d.st.Tabu[i]
			if !taken[i] && !tabu && b > bestScore && d.apply(d.st.X, add(i)) != nil {
				return nil
			}
		}
		d.st.X = pending[bestK+1]
		d.st.FX = Float(values[bestK+1])
	case "refine":
		if bestK >= 0 && bestScore > 0 {
			d.st.X = pending[bestK+1]
			d.st.FX = Float(values[bestK+1])
			d.st.NoImprove = 0
			d.st.IdleGens = 0
			return nil
		}
		d.st.IdleGens++
		patience := d.st.Patience
		if patience == 0 {
			patience = min(512, (d.numMoves()+d.st.Batch-1)/d.st.Batch)
		}
		if d.st.NoImprove >= d.numMoves() || d.st.IdleGens >= patience {
			if d.st.Step > 1 {
				d.st.Step /= 2
				d.st.NoImprove, d.st.IdleGens = 0, 0
			} else {
				d.localOptimum()
			}
		}
	}
	return nil
}

// localOptimum records the incumbent as a local optimum and either stops
// or kicks: from the best local optimum, remove 1–3 random units, forbid
// re-adding them during the next construction, and construct and refine
// again (iterated local search). Exact budgets do not kick.
func (d *Discrete) localOptimum() {
	st := &d.st
	if !st.HasLocal || st.FX < st.LocalF {
		st.Local, st.LocalF, st.HasLocal = append(Floats(nil), st.X...), st.FX, true
		st.KickFails = 0
	} else {
		st.KickFails++
	}
	var sel []int
	for i, v := range st.Local {
		if lo, _ := d.space.lohi(i); v > lo {
			sel = append(sel, i)
		}
	}
	exact := d.space.Budget != nil && d.space.Budget.Exact
	if exact || st.Kicks < 0 || st.KickFails >= st.Kicks || len(sel) == 0 {
		st.X, st.FX = append(Floats(nil), st.Local...), st.LocalF
		st.IsDone = true
		return
	}
	x := append(Floats(nil), st.Local...)
	st.Tabu = make([]bool, len(x))
	k := 1 + d.rng.IntN(min(3, len(sel)))
	for _, j := range d.rng.Perm(len(sel))[:k] {
		x[sel[j]]--
		st.Tabu[sel[j]] = true
	}
	st.X, st.FX = x, Float(inf)
	st.Phase, st.Step = "greedy", st.Step0
	for i := range st.Bounds {
		st.Bounds[i] = inf
	}
	st.NoImprove, st.IdleGens = 0, 0
}

// State implements Method.
func (d *Discrete) State() ([]byte, error) {
	d.st.RNG = d.rng.marshal()
	return json.Marshal(&d.st)
}

func (d *Discrete) restore(space Space, state []byte) error {
	d.space = space
	if err := json.Unmarshal(state, &d.st); err != nil {
		return err
	}
	var err error
	d.rng, err = restoreRNG(d.st.RNG)
	return err
}
