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
// Step from one, or move Step from one to another (only the last under an
// exact budget), visited in a random order, Batch per generation; the best
// improving move of a generation is taken. A whole neighbourhood (or
// Patience generations) without improvement halves Step; at Step 1 the
// method is done: a local optimum for these moves.
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
	Moves       [][2]int    `json:"moves"` // per pending candidate after the first: (from, to), −1 = none
	Best        bestTracker `json:"best"`
	IsDone      bool        `json:"done"`
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
	if cfg.PopSize < 0 || cfg.Step < 0 || cfg.Patience < 0 {
		errs = append(errs, errors.New("optimize: PopSize, Step and Patience must be ≥ 0 (0 = default)"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	st := discreteState{Method: NameDiscrete, Fingerprint: space.fingerprint(),
		Batch: cfg.PopSize, Step: cfg.Step, Patience: cfg.Patience, Bounds: make(Floats, n)}
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

// apply returns x with step moved from → to (−1 for none), or nil if
// infeasible.
func (d *Discrete) apply(x []float64, from, to int) []float64 {
	y := append([]float64(nil), x...)
	s := float64(d.st.Step)
	if from >= 0 {
		lo, _ := d.space.lohi(from)
		y[from] -= s
		if y[from] < lo {
			return nil
		}
	}
	if to >= 0 {
		_, hi := d.space.lohi(to)
		y[to] += s
		if y[to] > hi {
			return nil
		}
	}
	if !d.space.Feasible(y, 1e-9*math.Max(1, math.Abs(d.budgetTotal()))) {
		return nil
	}
	return y
}

func (d *Discrete) budgetTotal() float64 {
	if d.space.Budget == nil {
		return 0
	}
	return d.space.Budget.Total
}

// numMoves is the size of the refinement neighbourhood.
func (d *Discrete) numMoves() int {
	n := d.space.N()
	if d.space.Budget != nil && d.space.Budget.Exact {
		return n * (n - 1)
	}
	return n*(n-1) + 2*n
}

// move decodes move k into (from, to).
func (d *Discrete) move(k int) (int, int) {
	n := d.space.N()
	if k < n*(n-1) {
		from, to := k/(n-1), k%(n-1)
		if to >= from {
			to++
		}
		return from, to
	}
	k -= n * (n - 1)
	if k < n {
		return -1, k
	}
	return k - n, -1
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
			if d.apply(d.st.X, -1, i) != nil {
				cs = append(cs, cand{i, d.st.Bounds[i]})
			}
		}
		if len(cs) > 0 {
			sort.SliceStable(cs, func(a, b int) bool { return cs[a].bound > cs[b].bound })
			if cs[0].bound > 0 {
				for _, c := range cs[:min(len(cs), d.st.Batch)] {
					d.st.Pending = append(d.st.Pending, d.apply(d.st.X, -1, c.i))
					d.st.Moves = append(d.st.Moves, [2]int{-1, c.i})
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
		from, to := d.move(order[d.st.PassPos])
		d.st.PassPos++
		d.st.NoImprove++
		if y := d.apply(d.st.X, from, to); y != nil {
			d.st.Pending = append(d.st.Pending, y)
			d.st.Moves = append(d.st.Moves, [2]int{from, to})
		}
	}
}

// Tell implements Method.
func (d *Discrete) Tell(values []float64) error {
	if err := checkTell(len(d.st.Pending), values); err != nil {
		return err
	}
	for i, v := range values {
		if math.IsNaN(v) {
			return fmt.Errorf("optimize: value %d is NaN", i)
		}
		d.st.Best.update(d.st.Pending[i], v)
	}
	fx := values[0]
	d.st.FX = Float(fx)
	bestK, bestScore := -1, -inf
	for k, mv := range d.st.Moves {
		gain := fx - values[k+1]
		score := gain
		if d.st.Phase == "greedy" {
			if w := d.space.weight(mv[1]); w > 0 {
				score = gain / (w * float64(d.st.Step))
			}
			d.st.Bounds[mv[1]] = score
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
			taken[mv[1]] = true
		}
		for i, b := range d.st.Bounds {
			if !taken[i] && b > bestScore && d.apply(d.st.X, -1, i) != nil {
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
			patience = min(64, (d.numMoves()+d.st.Batch-1)/d.st.Batch)
		}
		if d.st.NoImprove >= d.numMoves() || d.st.IdleGens >= patience {
			if d.st.Step > 1 {
				d.st.Step /= 2
				d.st.NoImprove, d.st.IdleGens = 0, 0
			} else {
				d.st.IsDone = true
			}
		}
	}
	return nil
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
