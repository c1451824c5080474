package optimize

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Checks of restored state: a checkpoint is input like any other, so every
// field a method or the driver reads is checked before use (dimensions,
// finiteness, ranges), and a bad one is an error naming the field and the
// value — never a panic, never a silent start.

// maxStateSize bounds counts read from a state (population, batch,
// evaluations per candidate), so a tampered state cannot allocate without
// bound.
const maxStateSize = 1 << 20

// StateCheck collects the problems found while checking a method's state
// before it is restored (a user-written Method's Restore can use it too),
// each message prefixed by What and naming its field; Err joins them (the
// first 20, then how many more).
type StateCheck struct {
	What string // e.g. "cmaes state"
	errs []error
}

// Failf records a problem.
func (c *StateCheck) Failf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: "+format, append([]any{c.What}, args...)...))
}

// Add records err as it is (a nested check's result), if not nil.
func (c *StateCheck) Add(err error) {
	if err != nil {
		c.errs = append(c.errs, err)
	}
}

// Err is the problems found, joined, or nil.
func (c *StateCheck) Err() error {
	if len(c.errs) == 0 {
		return nil
	}
	if len(c.errs) > 20 {
		c.errs = append(c.errs[:20], fmt.Errorf("%s: and %d more problems", c.What, len(c.errs)-20))
	}
	return errors.Join(c.errs...)
}

// Vec requires n finite values in v.
func (c *StateCheck) Vec(name string, v []float64, n int) bool {
	if len(v) != n {
		c.Failf("%s has %d values, want %d", name, len(v), n)
		return false
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			c.Failf("%s[%d] is %g, want a finite number", name, i, x)
			return false
		}
	}
	return true
}

// Positive requires v finite and > 0.
func (c *StateCheck) Positive(name string, v float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		c.Failf("%s is %g, want finite and > 0", name, v)
	}
}

// NonNegative requires v finite and ≥ 0.
func (c *StateCheck) NonNegative(name string, v float64) {
	if !(v >= 0) || math.IsInf(v, 0) {
		c.Failf("%s is %g, want finite and ≥ 0", name, v)
	}
}

// IntIn requires lo ≤ v ≤ hi.
func (c *StateCheck) IntIn(name string, v, lo, hi int) {
	if v < lo || v > hi {
		c.Failf("%s is %d, want %d…%d", name, v, lo, hi)
	}
}

// NotNaN requires v not NaN.
func (c *StateCheck) NotNaN(name string, v float64) {
	if math.IsNaN(v) {
		c.Failf("%s is NaN", name)
	}
}

// points requires every point to have n finite coordinates.
func (c *StateCheck) points(name string, ps []Floats, n int) bool {
	for k, p := range ps {
		if !c.Vec(fmt.Sprintf("%s[%d]", name, k), p, n) {
			return false
		}
	}
	return true
}

func (c *StateCheck) best(b bestTracker, n int) {
	if b.Has {
		c.Vec("best.x", b.X, n)
		c.NotNaN("best.value", float64(b.Value))
	}
}

// validate checks a restored CMA-ES state against its space.
func (cm *CMAES) validate() error {
	st := &cm.st
	c := &StateCheck{What: "cmaes state"}
	n := cm.space.N()
	if st.N != n {
		c.Failf("n is %d, the space has %d dimensions", st.N, n)
		return c.Err()
	}
	c.Vec("offset", st.Offset, n)
	if c.Vec("scale", st.Scale, n) {
		for i, s := range st.Scale {
			c.Positive(fmt.Sprintf("scale[%d]", i), s)
		}
	}
	c.Vec("x0", st.X0, n)
	c.Positive("sigma0", st.Sigma0)
	c.IntIn("restarts", st.Restarts, 0, 1000)
	c.IntIn("restarts_done", st.RestartsDone, 0, st.Restarts)
	c.NonNegative("tolfun", st.TolFun)
	c.NonNegative("tolx", st.TolX)
	c.IntIn("max_generations", st.MaxGenCfg, 0, math.MaxInt32)
	c.IntIn("generations", st.Generations, 0, math.MaxInt32)
	c.best(st.Best, n)
	r := &st.Run
	c.IntIn("run.lambda", r.Lambda, 2, maxStateSize)
	if len(c.errs) > 0 {
		return c.Err()
	}
	// The strategy parameters follow from λ: they must be exactly those.
	want := cm.strategyParams(r.Lambda)
	if r.Mu != want.Mu || !slices.Equal(r.W, want.W) || r.MuEff != want.MuEff || r.Cc != want.Cc || r.Cs != want.Cs ||
		r.C1 != want.C1 || r.Cmu != want.Cmu || r.Ds != want.Ds || r.ChiN != want.ChiN || r.EigEvery != want.EigEvery {
		c.Failf("run parameters (mu, weights, learning rates) are not those of lambda %d", r.Lambda)
	}
	c.IntIn("run.max_gen", r.MaxGen, 1, math.MaxInt32)
	c.IntIn("run.gen", r.Gen, 0, math.MaxInt32)
	c.IntIn("run.eigen_gen", r.EigenGen, 0, r.Gen)
	c.Vec("run.mean", r.Mean, n)
	c.Positive("run.sigma", float64(r.Sigma))
	c.Vec("run.pc", r.Pc, n)
	c.Vec("run.ps", r.Ps, n)
	if c.Vec("run.c", r.C, n*n) {
		for i := range n {
			if !(r.C[i*n+i] > 0) {
				c.Failf("run.c diagonal [%d] is %g, want > 0", i, r.C[i*n+i])
			}
			for j := i + 1; j < n; j++ {
				a, b := r.C[i*n+j], r.C[j*n+i]
				if math.Abs(a-b) > 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b))) {
					c.Failf("run.c is not symmetric at (%d, %d): %g vs %g", i, j, a, b)
				}
			}
		}
	}
	c.Vec("run.b", r.B, n*n)
	if c.Vec("run.d", r.D, n) {
		for i, d := range r.D {
			c.Positive(fmt.Sprintf("run.d[%d]", i), d)
		}
	}
	for i, v := range r.BestHist {
		c.NotNaN(fmt.Sprintf("run.best_hist[%d]", i), v)
	}
	nz := &st.Noise
	c.IntIn("noise.k", nz.K, 0, maxStateSize)
	c.IntIn("noise.reev", nz.Reev, 0, r.Lambda)
	c.IntIn("noise.identical", nz.Identical, 0, math.MaxInt32)
	c.IntIn("noise.treated", nz.Treated, 0, math.MaxInt32)
	if !(nz.MaxEvals >= 1 && nz.MaxEvals <= maxStateSize) {
		c.Failf("noise.max_evals is %g, want 1…%d", nz.MaxEvals, maxStateSize)
	}
	if !(nz.Evals >= 1 && nz.Evals <= nz.MaxEvals) {
		c.Failf("noise.evals is %g, want 1…max_evals", nz.Evals)
	}
	if !(nz.MinLambda >= 2 && nz.MinLambda <= nz.MaxLambda && nz.MaxLambda <= maxStateSize) {
		c.Failf("noise.min_lambda %g and max_lambda %g, want 2 ≤ min ≤ max ≤ %d", nz.MinLambda, nz.MaxLambda, maxStateSize)
	} else if !(nz.Lambda >= nz.MinLambda && nz.Lambda <= nz.MaxLambda) {
		c.Failf("noise.lambda is %g, want %g…%g", nz.Lambda, nz.MinLambda, nz.MaxLambda)
	}
	if math.IsNaN(nz.S) || math.IsInf(nz.S, 0) {
		c.Failf("noise.s is %g, want a finite number", nz.S)
	}
	if nz.Avg != nil {
		c.Vec("noise.avg", nz.Avg, n)
	}
	if len(st.Pending) > 0 {
		if len(st.Pending) != r.Lambda || len(st.PendingX) != r.Lambda || len(st.Penalty) != r.Lambda {
			c.Failf("pending has %d samples, %d points and %d penalties, want %d each", len(st.Pending), len(st.PendingX), len(st.Penalty), r.Lambda)
		} else if c.points("pending", st.Pending, n) && c.points("pending_x", st.PendingX, n) {
			for k, x := range st.PendingX {
				if !cm.space.Feasible(x, 1e-6) {
					c.Failf("pending_x[%d] is not feasible in the space", k)
					break
				}
			}
			for k, p := range st.Penalty {
				c.NonNegative(fmt.Sprintf("penalty[%d]", k), p)
			}
			if nz.K < 1 {
				c.Failf("noise.k is %d with a generation pending, want ≥ 1", nz.K)
			}
		}
	} else if len(st.PendingX) > 0 || len(st.Penalty) > 0 {
		c.Failf("pending points or penalties without pending samples")
	}
	return c.Err()
}

func (r *Random) validate() error {
	c := &StateCheck{What: "random search state"}
	n := r.space.N()
	c.IntIn("batch", r.st.Batch, 1, maxStateSize)
	c.points("pending", r.st.Pending, n)
	if len(r.st.Pending) > 0 && len(r.st.Pending) != r.st.Batch {
		c.Failf("pending has %d points for a batch of %d", len(r.st.Pending), r.st.Batch)
	}
	c.best(r.st.Best, n)
	return c.Err()
}

func (nm *NelderMead) validate() error {
	st := &nm.st
	c := &StateCheck{What: "nelder-mead state"}
	n := nm.space.N()
	if st.N != n {
		c.Failf("n is %d, the space has %d dimensions", st.N, n)
		return c.Err()
	}
	if c.Vec("scale", st.Scale, n) {
		for i, s := range st.Scale {
			c.Positive(fmt.Sprintf("scale[%d]", i), s)
		}
	}
	c.NonNegative("tolfun", st.TolFun)
	c.NonNegative("tolx", st.TolX)
	c.IntIn("simplex size", len(st.Simplex), 0, n+1)
	c.points("simplex", st.Simplex, n)
	if len(st.F) > len(st.Simplex) {
		c.Failf("f has %d values for %d vertices", len(st.F), len(st.Simplex))
	}
	for i, v := range st.F {
		c.NotNaN(fmt.Sprintf("f[%d]", i), v)
	}
	if !slices.Contains([]string{"init", "reflect", "expand", "outside", "inside", "shrink"}, st.Phase) {
		c.Failf("phase is %q, want init, reflect, expand, outside, inside or shrink", st.Phase)
	}
	if st.Centroid != nil {
		c.Vec("centroid", st.Centroid, n)
	}
	if st.Xr != nil {
		c.Vec("xr", st.Xr, n)
	}
	c.IntIn("pending", len(st.Pending), 0, n+1)
	c.points("pending", st.Pending, n)
	c.IntIn("pending_x", len(st.PendingX), 0, n+1) // rebuilt by the next Ask
	c.points("pending_x", st.PendingX, n)
	c.best(st.Best, n)
	return c.Err()
}

func (d *Discrete) validate() error {
	st := &d.st
	c := &StateCheck{What: "discrete state"}
	n := d.space.N()
	c.IntIn("batch", st.Batch, 1, maxStateSize)
	c.IntIn("step", st.Step, 1, math.MaxInt32)
	c.IntIn("step0", st.Step0, 1, math.MaxInt32)
	c.IntIn("patience", st.Patience, 0, math.MaxInt32)
	c.IntIn("kicks", st.Kicks, -1, math.MaxInt32)
	c.IntIn("kick_fails", st.KickFails, 0, math.MaxInt32)
	c.IntIn("no_improve", st.NoImprove, 0, math.MaxInt32)
	c.IntIn("idle_gens", st.IdleGens, 0, math.MaxInt32)
	c.IntIn("pass_pos", st.PassPos, 0, math.MaxInt32)
	if st.Phase != "greedy" && st.Phase != "refine" {
		c.Failf("phase is %q, want greedy or refine", st.Phase)
	}
	if c.Vec("x", st.X, n) && !d.space.Feasible(st.X, 1e-6) {
		c.Failf("x is not feasible in the space")
	}
	c.NotNaN("fx", float64(st.FX))
	if len(st.Bounds) != n {
		c.Failf("bounds has %d values, want %d", len(st.Bounds), n)
	}
	for i, b := range st.Bounds {
		c.NotNaN(fmt.Sprintf("bounds[%d]", i), b) // +Inf: not yet bounded
	}
	c.IntIn("pending", len(st.Pending), 0, maxStateSize)
	c.points("pending", st.Pending, n)
	c.IntIn("moves", len(st.Moves), 0, maxStateSize)
	for k, mv := range st.Moves {
		for _, i := range mv {
			if i < -1 || i >= n {
				c.Failf("moves[%d] names variable %d of %d", k, i, n)
				break
			}
		}
	}
	if st.Tabu != nil && len(st.Tabu) != n {
		c.Failf("tabu has %d entries for %d variables", len(st.Tabu), n)
	}
	if st.HasLocal {
		c.Vec("local", st.Local, n)
		c.NotNaN("local_f", float64(st.LocalF))
	}
	c.best(st.Best, n)
	return c.Err()
}

// Validate checks a driver checkpoint against the space it is resumed on:
// format, method, generations, and every history entry (generation and
// index in range, a finite point of the space's dimension, a value).
func (cp *Checkpoint) Validate(space Space) error {
	c := &StateCheck{What: "checkpoint"}
	if cp.FormatVersion != 1 {
		c.Failf("format_version is %d, this build reads 1", cp.FormatVersion)
	}
	if !slices.Contains(MethodNames(), cp.Method) {
		c.Failf("method is %q, want one of %v", cp.Method, MethodNames())
	}
	c.IntIn("generations", cp.Generations, 0, math.MaxInt32)
	n := space.N()
	prevGen := 0
	for k, e := range cp.History.Evals {
		if e.Gen < prevGen || e.Gen >= max(cp.Generations, 1) || e.Index < 0 {
			c.Failf("history[%d] has generation %d index %d (generations %d, in order)", k, e.Gen, e.Index, cp.Generations)
			break
		}
		prevGen = e.Gen
		if !c.Vec(fmt.Sprintf("history[%d].x", k), e.X, n) {
			break
		}
		if math.IsNaN(float64(e.Value)) || math.IsNaN(float64(e.Best)) {
			c.Failf("history[%d] value or best is NaN", k)
			break
		}
	}
	return c.Err()
}
