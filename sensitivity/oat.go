package sensitivity

import (
	"errors"
	"fmt"
	"slices"
)

// OATStudy measures one-at-a-time effects around a baseline: run 0 is the
// baseline, run 1+2j sets factor j to its lower bound and run 2+2j to its
// upper bound, every other factor at the baseline. It is the data of a
// tornado chart; it says nothing about interactions (use [SobolStudy]).
//
// Unlike the other studies, its runs use common random numbers: replication
// r of every run has the same seed, RunSeed(seed, 0, r), so each effect is a
// paired difference against the baseline and simulation noise that does not
// interact with the factor cancels.
type OATStudy struct {
	factors  []Factor
	baseline []float64
	outputs  []string
	seed     uint64
	resp     *responses
}

// OATEffects are one output's one-at-a-time results: the baseline output and,
// per factor, the change from it at the factor's lower and upper bound
// (replication means).
type OATEffects struct {
	Baseline    float64
	Low, High   []float64
	Replication int
}

// NewOATStudy returns a one-at-a-time study around baseline (factor units,
// clamped into the bounds; nil means the midpoints).
func NewOATStudy(factors []Factor, baseline []float64, outputs []string, replications int, seed uint64) (*OATStudy, error) {
	if err := validateFactors(factors); err != nil {
		return nil, err
	}
	if len(outputs) == 0 {
		return nil, errors.New("sensitivity: no outputs to explain")
	}
	if baseline != nil && len(baseline) != len(factors) {
		return nil, fmt.Errorf("sensitivity: baseline has %d values for %d factors", len(baseline), len(factors))
	}
	if replications == 0 {
		replications = 1
	}
	if replications < 1 {
		return nil, fmt.Errorf("sensitivity: %d replications; need at least 1", replications)
	}
	b := make([]float64, len(factors))
	for j, f := range factors {
		b[j] = (f.Lo + f.Hi) / 2
		if baseline != nil {
			b[j] = min(max(baseline[j], f.Lo), f.Hi)
		}
	}
	st := &OATStudy{factors: slices.Clone(factors), baseline: b, outputs: outputs, seed: seed, resp: newResponses(len(outputs), replications)}
	st.resp.grow(st.Runs())
	return st, nil
}

// Runs is 2D+1.
func (st *OATStudy) Runs() int { return 2*len(st.factors) + 1 }

// Baseline returns the baseline point (factor units).
func (st *OATStudy) Baseline() []float64 { return slices.Clone(st.baseline) }

// Point writes run i's factor values into dst.
func (st *OATStudy) Point(run int, dst []float64) []float64 {
	dst = append(dst[:0], st.baseline...)
	if run > 0 {
		j := (run - 1) / 2
		if run%2 == 1 {
			dst[j] = st.factors[j].Lo
		} else {
			dst[j] = st.factors[j].Hi
		}
	}
	return dst
}

// Ask returns the runs not yet told (nil when all are).
func (st *OATStudy) Ask() ([]Task, error) {
	m := st.resp.missing(st.Runs())
	if len(m) == 0 {
		return nil, nil
	}
	tasks := make([]Task, len(m))
	for i, rr := range m {
		tasks[i] = Task{Run: rr[0], Rep: rr[1], X: st.Point(rr[0], nil), Seed: RunSeed(st.seed, 0, rr[1])} // common random numbers
	}
	return tasks, nil
}

// Tell records replication rep of run run.
func (st *OATStudy) Tell(run, rep int, outputs []float64) error {
	return st.resp.tell(run, rep, outputs)
}

// Effects returns every output's one-at-a-time effects; all runs must have
// been told.
func (st *OATStudy) Effects() ([]*OATEffects, error) {
	if m := st.resp.missing(st.Runs()); len(m) > 0 {
		return nil, fmt.Errorf("sensitivity: %d of %d one-at-a-time evaluations are missing", len(m), st.Runs()*st.resp.reps)
	}
	out := make([]*OATEffects, len(st.outputs))
	for o := range st.outputs {
		y := st.resp.y[o]
		e := &OATEffects{Baseline: mean(y[0]), Low: make([]float64, len(st.factors)), High: make([]float64, len(st.factors)), Replication: st.resp.reps}
		for j := range st.factors {
			e.Low[j] = mean(y[1+2*j]) - e.Baseline
			e.High[j] = mean(y[2+2*j]) - e.Baseline
		}
		out[o] = e
	}
	return out, nil
}
