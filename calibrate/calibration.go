package calibrate

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
)

// Calibration is one fit in ask/tell form: Ask returns the next batch of
// runs, Tell gives their outputs back in order, until Done. The caller owns
// the loop, so the runs can go through any executor — a run store with a
// journal, shards, a cluster — and a calibration replayed with the same
// outputs (a resume from a journal) asks for exactly the same runs and ends
// with the same Result. Run drives the loop with a Simulator.
//
// A Calibration is not safe for concurrent use. Close releases it early.
type Calibration struct {
	prob    Problem
	method  string
	next    func() ([]Run, bool)
	stop    func()
	asked   []Run
	told    [][]float64
	pending bool
	done    bool
	runs    int
	status  Progress
	res     *Result
	err     error
}

// Progress is a snapshot of a calibration for progress displays.
type Progress struct {
	Phase      string  // "pilot", "search", "jacobian", "bootstrap", "generation"
	Generation int     // CMA-ES or ABC generation
	Runs       int     // runs told so far
	Budget     int     // run budget (0: none)
	Best       float64 // SMM: best distance so far; ABC: current tolerance
}

var errClosed = errors.New("calibrate: calibration closed")

// start wires an algorithm (straight-line code that calls eval for each
// batch) into ask/tell form.
func newCalibration(p Problem, method string, algo func(c *Calibration, eval evalFunc) (*Result, error)) *Calibration {
	c := &Calibration{prob: p, method: method}
	seq := func(yield func([]Run) bool) {
		eval := func(runs []Run) ([][]float64, error) {
			if len(runs) == 0 {
				return nil, nil
			}
			if !yield(runs) {
				return nil, errClosed
			}
			out := c.told
			c.told = nil
			return out, nil
		}
		c.res, c.err = algo(c, eval)
	}
	c.next, c.stop = iter.Pull(iter.Seq[[]Run](seq))
	return c
}

type evalFunc func(runs []Run) ([][]float64, error)

// Method returns "smm" or "abc-smc".
func (c *Calibration) Method() string { return c.method }

// Ask returns the next batch of runs, or nil when the calibration is done.
// The caller must not modify the runs.
func (c *Calibration) Ask() ([]Run, error) {
	if c.done {
		return nil, nil
	}
	if c.pending {
		return nil, errors.New("calibrate: Ask before the previous batch was told")
	}
	runs, ok := c.next()
	if !ok {
		c.done = true
		return nil, nil
	}
	c.asked, c.pending = runs, true
	return runs, nil
}

// Tell gives the outputs of the last asked batch, one per run in order,
// each with one value per target.
func (c *Calibration) Tell(outputs [][]float64) error {
	if !c.pending {
		return errors.New("calibrate: Tell without a pending Ask")
	}
	if len(outputs) != len(c.asked) {
		return fmt.Errorf("calibrate: Tell got %d outputs for %d runs", len(outputs), len(c.asked))
	}
	k := len(c.prob.Targets)
	for i, o := range outputs {
		if len(o) != k {
			return fmt.Errorf("calibrate: output %d (rep %d) has %d values for %d targets", i, c.asked[i].Rep, len(o), k)
		}
		for j, v := range o {
			if math.IsInf(v, 0) {
				return fmt.Errorf("calibrate: output %d (rep %d), target %s: value is infinite", i, c.asked[i].Rep, c.prob.Targets[j].Name)
			}
		}
	}
	c.told = outputs
	c.runs += len(outputs)
	c.status.Runs = c.runs
	c.pending = false
	return nil
}

// Done reports whether the calibration has finished (Result is ready).
func (c *Calibration) Done() bool { return c.done }

// Runs is the number of runs told so far.
func (c *Calibration) Runs() int { return c.runs }

// Progress returns the current phase and counts.
func (c *Calibration) Progress() Progress { return c.status }

// Result returns the fit once Done.
func (c *Calibration) Result() (*Result, error) {
	if !c.done {
		return nil, errors.New("calibrate: Result before the calibration is done")
	}
	return c.res, c.err
}

// Close stops a calibration that will not be finished.
func (c *Calibration) Close() {
	if !c.done {
		c.stop()
		c.done = true
		if c.err == nil && c.res == nil {
			c.err = errClosed
		}
	}
}

// Run drives the calibration to its end with sim, calling progress (when
// not nil) after each batch.
func (c *Calibration) Run(ctx context.Context, sim Simulator, progress func(Progress)) (*Result, error) {
	defer c.Close()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		runs, err := c.Ask()
		if err != nil {
			return nil, err
		}
		if runs == nil {
			break
		}
		out, err := sim.Simulate(ctx, runs)
		if err != nil {
			return nil, err
		}
		if err := c.Tell(out); err != nil {
			return nil, err
		}
		if progress != nil {
			progress(c.status)
		}
	}
	return c.Result()
}
