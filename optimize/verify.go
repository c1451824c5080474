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

type stateCheck struct {
	what string
	errs []error
}

func (c *stateCheck) failf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: "+format, append([]any{c.what}, args...)...))
}

func (c *stateCheck) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	if len(c.errs) > 20 {
		c.errs = append(c.errs[:20], fmt.Errorf("%s: and %d more problems", c.what, len(c.errs)-20))
	}
	return errors.Join(c.errs...)
}

// vec requires n finite values.
func (c *stateCheck) vec(name string, v []float64, n int) bool {
	if len(v) != n {
		c.failf("%s has %d values, want %d", name, len(v), n)
		return false
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			c.failf("%s[%d] is %g, want a finite number", name, i, x)
			return false
		}
	}
	return true
}

func (c *stateCheck) positive(name string, v float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		c.failf("%s is %g, want finite and > 0", name, v)
	}
}

func (c *stateCheck) nonNegative(name string, v float64) {
	if !(v >= 0) || math.IsInf(v, 0) {
		c.failf("%s is %g, want finite and ≥ 0", name, v)
	}
}

func (c *stateCheck) intIn(name string, v, lo, hi int) {
	if v < lo || v > hi {
		c.failf("%s is %d, want %d…%d", name, v, lo, hi)
	}
}

func (c *stateCheck) notNaN(name string, v float64) {
	if math.IsNaN(v) {
		c.failf("%s is NaN", name)
	}
}

// points requires every point to have n finite coordinates.
func (c *stateCheck) points(name string, ps []Floats, n int) bool {
	for k, p := range ps {
		if !c.vec(fmt.Sprintf("%s[%d]", name, k), p, n) {
			return false
		}
	}
	return true
}

func (c *stateCheck) best(b bestTracker, n int) {
	if b.Has {
		c.vec("best.x", b.X, n)
		c.notNaN("best.value", float64(b.Value))
	}
}

// validate checks a restored CMA-ES state against its space.
func (cm *CMAES) validate() error {
	st := &cm.st
	c := &stateCheck{what: "cmaes state"}
	n := cm.space.N()
	if st.N != n {
		c.failf("n is %d, the space has %d dimensions", st.N, n)
		return c.err()
	}
	c.vec("offset", st.Offset, n)
	if c.vec("scale", st.Scale, n) {
		for i, s := range st.Scale {
			c.positive(fmt.Sprintf("scale[%d]", i), s)
		}
	}
	c.vec("x0", st.X0, n)
	c.positive("sigma0", st.Sigma0)
	c.intIn("restarts", st.Restarts, 0, 1000)
	c.intIn("restarts_done", st.RestartsDone, 0, st.Restarts)
	c.nonNegative("tolfun", st.TolFun)
	c.nonNegative("tolx", st.TolX)
	c.intIn("max_generations", st.MaxGenCfg, 0, math.MaxInt32)
	c.intIn("generations", st.Generations, 0, math.MaxInt32)
	c.best(st.Best, n)
	r := &st.Run
	c.intIn("run.lambda", r.Lambda, 2, maxStateSize)
	if len(c.errs) > 0 {
		return c.err()
	}
	// The strategy parameters follow from λ: they must be exactly those.
	want := cm.strategyParams(r.Lambda)
	if r.Mu != want.Mu || !slices.Equal(r.W, want.W) || r.MuEff != want.MuEff || r.Cc != want.Cc || r.Cs != want.Cs ||
		r.C1 != want.C1 || r.Cmu != want.Cmu || r.Ds != want.Ds || r.ChiN != want.ChiN || r.EigEvery != want.EigEvery {
		c.failf("run parameters (mu, weights, learning rates) are not those of lambda %d", r.Lambda)
	}
	c.intIn("run.max_gen", r.MaxGen, 1, math.MaxInt32)
	c.intIn("run.gen", r.Gen, 0, math.MaxInt32)
	c.intIn("run.eigen_gen", r.EigenGen, 0, r.Gen)
	c.vec("run.mean", r.Mean, n)
	c.positive("run.sigma", float64(r.Sigma))
	c.vec("run.pc", r.Pc, n)
	c.vec("run.ps", r.Ps, n)
	if c.vec("run.c", r.C, n*n) {
		for i := range n {
			if !(r.C[i*n+i] > 0) {
				c.failf("run.c diagonal [%d] is %g, want > 0", i, r.C[i*n+i])
			}
			for j := i + 1; j < n; j++ {
				a, b := r.C[i*n+j], r.C[j*n+i]
				if math.Abs(a-b) > 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b))) {
					c.failf("run.c is not symmetric at (%d, %d): %g vs %g", i, j, a, b)
				}
			}
		}
	}
	c.vec("run.b", r.B, n*n)
	if c.vec("run.d", r.D, n) {
		for i, d := range r.D {
			c.positive(fmt.Sprintf("run.d[%d]", i), d)
		}
	}
	for i, v := range r.BestHist {
		c.notNaN(fmt.Sprintf("run.best_hist[%d]", i), v)
	}
	nz := &st.Noise
	c.intIn("noise.k", nz.K, 0, maxStateSize)
	c.intIn("noise.reev", nz.Reev, 0, r.Lambda)
	c.intIn("noise.identical", nz.Identical, 0, math.MaxInt32)
	c.intIn("noise.treated", nz.Treated, 0, math.MaxInt32)
	if !(nz.MaxEvals >= 1 && nz.MaxEvals <= maxStateSize) {
		c.failf("noise.max_evals is %g, want 1…%d", nz.MaxEvals, maxStateSize)
	}
	if !(nz.Evals >= 1 && nz.Evals <= nz.MaxEvals) {
		c.failf("noise.evals is %g, want 1…max_evals", nz.Evals)
	}
	if !(nz.MinLambda >= 2 && nz.MinLambda <= nz.MaxLambda && nz.MaxLambda <= maxStateSize) {
		c.failf("noise.min_lambda %g and max_lambda %g, want 2 ≤ min ≤ max ≤ %d", nz.MinLambda, nz.MaxLambda, maxStateSize)
	} else if !(nz.Lambda >= nz.MinLambda && nz.Lambda <= nz.MaxLambda) {
		c.failf("noise.lambda is %g, want %g…%g", nz.Lambda, nz.MinLambda, nz.MaxLambda)
	}
	if math.IsNaN(nz.S) || math.IsInf(nz.S, 0) {
		c.failf("noise.s is %g, want a finite number", nz.S)
	}
	if nz.Avg != nil {
		c.vec("noise.avg", nz.Avg, n)
	}
	if len(st.Pending) > 0 {
		if len(st.Pending) != r.Lambda || len(st.PendingX) != r.Lambda || len(st.Penalty) != r.Lambda {
			c.failf("pending has %d samples, %d points and %d penalties, want %d each", len(st.Pending), len(st.PendingX), len(st.Penalty), r.Lambda)
		} else if c.points("pending", st.Pending, n) && c.points("pending_x", st.PendingX, n) {
			for k, x := range st.PendingX {
				if !cm.space.Feasible(x, 1e-6) {
					c.failf("pending_x[%d] is not feasible in the space", k)
					break
				}
			}
			for k, p := range st.Penalty {
				c.nonNegative(fmt.Sprintf("penalty[%d]", k), p)
			}
			if nz.K < 1 {
				c.failf("noise.k is %d with a generation pending, want ≥ 1", nz.K)
			}
		}
	} else if len(st.PendingX) > 0 || len(st.Penalty) > 0 {
		c.failf("pending points or penalties without pending samples")
	}
	return c.err()
}

func (r *Random) validate() error {
	c := &stateCheck{what: "random search state"}
	n := r.space.N()
	c.intIn("batch", r.st.Batch, 1, maxStateSize)
	c.points("pending", r.st.Pending, n)
	if len(r.st.Pending) > 0 && len(r.st.Pending) != r.st.Batch {
		c.failf("pending has %d points for a batch of %d", len(r.st.Pending), r.st.Batch)
	}
	c.best(r.st.Best, n)
	return c.err()
}

func (nm *NelderMead) validate() error {
	st := &nm.st
	c := &stateCheck{what: "nelder-mead state"}
	n := nm.space.N()
	if st.N != n {
		c.failf("n is %d, the space has %d dimensions", st.N, n)
		return c.err()
	}
	if c.vec("scale", st.Scale, n) {
		for i, s := range st.Scale {
			c.positive(fmt.Sprintf("scale[%d]", i), s)
		}
	}
	c.nonNegative("tolfun", st.TolFun)
	c.nonNegative("tolx", st.TolX)
	c.intIn("simplex size", len(st.Simplex), 0, n+1)
	c.points("simplex", st.Simplex, n)
	if len(st.F) > len(st.Simplex) {
		c.failf("f has %d values for %d vertices", len(st.F), len(st.Simplex))
	}
	for i, v := range st.F {
		c.notNaN(fmt.Sprintf("f[%d]", i), v)
	}
	if !slices.Contains([]string{"init", "reflect", "expand", "outside", "inside", "shrink"}, st.Phase) {
		c.failf("phase is %q, want init, reflect, expand, outside, inside or shrink", st.Phase)
	}
	if st.Centroid != nil {
		c.vec("centroid", st.Centroid, n)
	}
	if st.Xr != nil {
		c.vec("xr", st.Xr, n)
	}
	c.intIn("pending", len(st.Pending), 0, n+1)
	c.points("pending", st.Pending, n)
	c.intIn("pending_x", len(st.PendingX), 0, n+1) // rebuilt by the next Ask
	c.points("pending_x", st.PendingX, n)
	c.best(st.Best, n)
	return c.err()
}

func (d *Discrete) validate() error {
	st := &d.st
	c := &stateCheck{what: "discrete state"}
	n := d.space.N()
	c.intIn("batch", st.Batch, 1, maxStateSize)
	c.intIn("step", st.Step, 1, math.MaxInt32)
	c.intIn("step0", st.Step0, 1, math.MaxInt32)
	c.intIn("patience", st.Patience, 0, math.MaxInt32)
	c.intIn("kicks", st.Kicks, -1, math.MaxInt32)
	c.intIn("kick_fails", st.KickFails, 0, math.MaxInt32)
	c.intIn("no_improve", st.NoImprove, 0, math.MaxInt32)
	c.intIn("idle_gens", st.IdleGens, 0, math.MaxInt32)
	c.intIn("pass_pos", st.PassPos, 0, math.MaxInt32)
	if st.Phase != "greedy" && st.Phase != "refine" {
		c.failf("phase is %q, want greedy or refine", st.Phase)
	}
	if c.vec("x", st.X, n) && !d.space.Feasible(st.X, 1e-6) {
		c.failf("x is not feasible in the space")
	}
	c.notNaN("fx", float64(st.FX))
	if len(st.Bounds) != n {
		c.failf("bounds has %d values, want %d", len(st.Bounds), n)
	}
	for i, b := range st.Bounds {
		c.notNaN(fmt.Sprintf("bounds[%d]", i), b) // +Inf: not yet bounded
	}
	c.intIn("pending", len(st.Pending), 0, maxStateSize)
	c.points("pending", st.Pending, n)
	c.intIn("moves", len(st.Moves), 0, maxStateSize)
	for k, mv := range st.Moves {
		for _, i := range mv {
			if i < -1 || i >= n {
				c.failf("moves[%d] names variable %d of %d", k, i, n)
				break
			}
		}
	}
	if st.Tabu != nil && len(st.Tabu) != n {
		c.failf("tabu has %d entries for %d variables", len(st.Tabu), n)
	}
	if st.HasLocal {
		c.vec("local", st.Local, n)
		c.notNaN("local_f", float64(st.LocalF))
	}
	c.best(st.Best, n)
	return c.err()
}

// Validate checks a driver checkpoint against the space it is resumed on:
// format, method, generations, and every history entry (generation and
// index in range, a finite point of the space's dimension, a value).
func (cp *Checkpoint) Validate(space Space) error {
	c := &stateCheck{what: "checkpoint"}
	if cp.FormatVersion != 1 {
		c.failf("format_version is %d, this build reads 1", cp.FormatVersion)
	}
	if !slices.Contains(MethodNames(), cp.Method) {
		c.failf("method is %q, want one of %v", cp.Method, MethodNames())
	}
	c.intIn("generations", cp.Generations, 0, math.MaxInt32)
	n := space.N()
	prevGen := 0
	for k, e := range cp.History.Evals {
		if e.Gen < prevGen || e.Gen >= max(cp.Generations, 1) || e.Index < 0 {
			c.failf("history[%d] has generation %d index %d (generations %d, in order)", k, e.Gen, e.Index, cp.Generations)
			break
		}
		prevGen = e.Gen
		if !c.vec(fmt.Sprintf("history[%d].x", k), e.X, n) {
			break
		}
		if math.IsNaN(float64(e.Value)) || math.IsNaN(float64(e.Best)) {
			c.failf("history[%d] value or best is NaN", k)
			break
		}
	}
	return c.err()
}
