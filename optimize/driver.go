package optimize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/sourcegraph/conc/iter"
)

// Objective evaluates one candidate. gen is the generation (batch) index and
// i the candidate's index within it: a noisy objective should derive its
// random numbers from them (for example common random numbers shared by a
// whole generation), never from the worker that runs it. x must not be
// modified. Candidates of a generation are evaluated concurrently.
type Objective func(ctx context.Context, gen, i int, x []float64) (float64, error)

// Stop says why Run returned.
type Stop string

// Reasons for stopping.
const (
	StopMaxEvals       Stop = "max_evals"
	StopMaxGenerations Stop = "max_generations"
	StopTarget         Stop = "target"
	StopConverged      Stop = "converged"
	StopCanceled       Stop = "canceled"
	StopError          Stop = "error"
)

// RunOptions control Run.
type RunOptions struct {
	// Workers evaluate a generation's candidates concurrently (default
	// GOMAXPROCS). The search does not depend on it.
	Workers int
	// MaxEvals bounds the evaluations (0: no limit): a generation that
	// would pass it is not evaluated (the run stops with StopMaxEvals
	// before it, and a resumed run with a larger bound asks for the same
	// generation), so a run never uses more. History.BestAt compares
	// methods at an exact count.
	MaxEvals int
	// MaxGenerations stops after this many generations (0: no limit).
	MaxGenerations int
	// Target stops once the best value reaches it (≤ when minimising,
	// ≥ when maximising).
	Target *float64
	// Maximize makes larger values better; the method is told negated
	// values, while History and Result hold the objective's own values.
	Maximize bool
	// Checkpoint, if set, is called after each generation with the state
	// to resume from; an error from it stops the run.
	Checkpoint func(*Checkpoint) error
	// Resume continues a run from a checkpoint: pass the method restored
	// from it (ResumeMethod) and the same objective and options.
	Resume *Checkpoint
	// Batch, if set, evaluates a whole generation at once in place of the
	// Objective (to dispatch a generation elsewhere: other processes,
	// machines). It returns one value per candidate, in order, and must
	// depend only on (gen, i, x) as the Objective would, so that the search
	// is the same either way.
	Batch func(ctx context.Context, gen int, xs [][]float64) ([]float64, error)
}

// Evaluation is one evaluated candidate.
type Evaluation struct {
	Gen   int    `json:"gen"`
	Index int    `json:"index"`
	X     Floats `json:"x"`
	Value Float  `json:"value"`
	// Best is the best value so far, this evaluation included.
	Best Float `json:"best"`
}

// History records every evaluation in order (generation, then index).
type History struct {
	Evals []Evaluation `json:"evals"`
}

// BestAt returns the best value among the first n evaluations (the last
// recorded best if there are fewer).
func (h *History) BestAt(n int) float64 {
	if len(h.Evals) == 0 || n <= 0 {
		return math.NaN()
	}
	if n > len(h.Evals) {
		n = len(h.Evals)
	}
	return float64(h.Evals[n-1].Best)
}

// FirstReaching returns the number of evaluations up to the end of the
// first generation whose best reached target (reached reports it), or -1.
func (h *History) FirstReaching(reached func(best float64) bool) int {
	for k, e := range h.Evals {
		if reached(float64(e.Best)) {
			for k+1 < len(h.Evals) && h.Evals[k+1].Gen == e.Gen {
				k++
			}
			return k + 1
		}
	}
	return -1
}

// Checkpoint is everything needed to resume a run: the method's state and
// the driver's history. It round-trips through JSON exactly.
type Checkpoint struct {
	FormatVersion int             `json:"format_version"`
	Method        string          `json:"method"`
	State         json.RawMessage `json:"state"`
	Maximize      bool            `json:"maximize"`
	Generations   int             `json:"generations"`
	History       History         `json:"history"`
}

// ResumeMethod restores the method saved in a checkpoint.
func ResumeMethod(space Space, cp *Checkpoint) (Method, error) {
	if cp == nil {
		return nil, errors.New("optimize: nil checkpoint")
	}
	if err := space.Validate(); err != nil {
		return nil, err
	}
	if err := cp.Validate(space); err != nil {
		return nil, err
	}
	m, err := Restore(space, cp.State)
	if err != nil {
		return nil, err
	}
	if m.Name() != cp.Method {
		return nil, fmt.Errorf("optimize: checkpoint names method %q, its state is %q", cp.Method, m.Name())
	}
	return m, nil
}

// Result is what Run found.
type Result struct {
	// X and Value are the best evaluated candidate and its value, in the
	// objective's own sense (not negated).
	X     []float64
	Value float64
	// Recommended is the method's recommendation (see Method.Recommend).
	Recommended []float64
	Evals       int
	Generations int
	Stop        Stop
	History     History
}

// Run drives a method: it asks for a generation, evaluates it in parallel
// (results placed by index, so the search is the same for any number of
// workers), tells the values, records them, and repeats until a stopping
// rule holds: MaxEvals, MaxGenerations, Target, the method's Done, or ctx
// cancelled. A generation interrupted by cancellation or an evaluation
// error is discarded (not told): resume from the last checkpoint.
// Objective errors and NaN values stop the run with an error; the Result
// holds what was done.
func Run(ctx context.Context, m Method, f Objective, opts RunOptions) (*Result, error) {
	if m == nil || (f == nil && opts.Batch == nil) {
		return nil, errors.New("optimize: Run needs a method and an objective (or RunOptions.Batch)")
	}
	if opts.Workers < 0 || opts.MaxEvals < 0 || opts.MaxGenerations < 0 {
		return nil, errors.New("optimize: Workers, MaxEvals and MaxGenerations must be ≥ 0")
	}
	res := &Result{Value: math.NaN()}
	sign := 1.0
	if opts.Maximize {
		sign = -1
	}
	best := inf // in the method's (minimising) sense
	if cp := opts.Resume; cp != nil {
		if cp.Method != m.Name() {
			return nil, fmt.Errorf("optimize: checkpoint is for method %q, not %q", cp.Method, m.Name())
		}
		if cp.Maximize != opts.Maximize {
			return nil, errors.New("optimize: checkpoint and options disagree on Maximize")
		}
		res.History.Evals = append(res.History.Evals, cp.History.Evals...)
		res.Generations = cp.Generations
		res.Evals = len(cp.History.Evals)
		for _, e := range cp.History.Evals {
			if v := sign * float64(e.Value); v < best {
				best = v
				res.X, res.Value = e.X, float64(e.Value)
			}
		}
	}
	finish := func(s Stop, err error) (*Result, error) {
		res.Stop = s
		res.Recommended = m.Recommend()
		return res, err
	}
	for {
		switch {
		case m.Done():
			return finish(StopConverged, nil)
		case opts.Target != nil && best <= sign**opts.Target:
			return finish(StopTarget, nil)
		case opts.MaxEvals > 0 && res.Evals >= opts.MaxEvals:
			return finish(StopMaxEvals, nil)
		case opts.MaxGenerations > 0 && res.Generations >= opts.MaxGenerations:
			return finish(StopMaxGenerations, nil)
		case ctx.Err() != nil:
			return finish(StopCanceled, ctx.Err())
		}
		xs, err := m.Ask()
		if err != nil {
			return finish(StopError, err)
		}
		if opts.MaxEvals > 0 && res.Evals+len(xs) > opts.MaxEvals {
			return finish(StopMaxEvals, nil)
		}
		gen := res.Generations
		vals, errs := evaluate(ctx, f, opts, gen, xs)
		if ctx.Err() != nil {
			return finish(StopCanceled, ctx.Err())
		}
		for i, err := range errs {
			if err != nil {
				return finish(StopError, fmt.Errorf("optimize: evaluating generation %d candidate %d: %w", gen, i, err))
			}
		}
		told := make([]float64, len(vals))
		for i, v := range vals {
			told[i] = sign * v
			if told[i] < best {
				best = told[i]
				res.X, res.Value = append([]float64(nil), xs[i]...), v
			}
			res.History.Evals = append(res.History.Evals, Evaluation{
				Gen: gen, Index: i, X: append(Floats(nil), xs[i]...), Value: Float(v), Best: Float(sign * best),
			})
		}
		if err := m.Tell(told); err != nil {
			return finish(StopError, err)
		}
		res.Evals += len(xs)
		res.Generations++
		if opts.Checkpoint != nil {
			state, err := m.State()
			if err != nil {
				return finish(StopError, fmt.Errorf("optimize: saving state: %w", err))
			}
			cp := &Checkpoint{
				FormatVersion: 1, Method: m.Name(), State: state, Maximize: opts.Maximize,
				Generations: res.Generations, History: History{Evals: append([]Evaluation(nil), res.History.Evals...)},
			}
			if err := opts.Checkpoint(cp); err != nil {
				return finish(StopError, fmt.Errorf("optimize: checkpoint: %w", err))
			}
		}
	}
}

// evaluate computes a generation's values: through opts.Batch, or the
// objective on opts.Workers goroutines (results placed by index).
func evaluate(ctx context.Context, f Objective, opts RunOptions, gen int, xs [][]float64) ([]float64, []error) {
	vals := make([]float64, len(xs))
	errs := make([]error, len(xs))
	if opts.Batch != nil {
		out, err := opts.Batch(ctx, gen, xs)
		if err == nil && len(out) != len(xs) {
			err = fmt.Errorf("batch returned %d values for %d candidates", len(out), len(xs))
		}
		for i := range xs {
			if err != nil {
				errs[i] = err
				continue
			}
			vals[i] = out[i]
			if math.IsNaN(out[i]) {
				errs[i] = errors.New("value is NaN")
			}
		}
		return vals, errs
	}
	it := iter.Iterator[[]float64]{MaxGoroutines: opts.Workers}
	it.ForEachIdx(xs, func(i int, x *[]float64) {
		if ctx.Err() != nil {
			errs[i] = ctx.Err()
			return
		}
		v, err := f(ctx, gen, i, *x)
		if err == nil && math.IsNaN(v) {
			err = errors.New("value is NaN")
		}
		vals[i], errs[i] = v, err
	})
	return vals, errs
}
