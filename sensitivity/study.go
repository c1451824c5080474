package sensitivity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/sourcegraph/conc/pool"
)

// Task is one model evaluation a study asks for: replication Rep of design
// run Run, at factor values X, with simulation seed Seed.
type Task struct {
	Run, Rep int
	X        []float64
	Seed     uint64
}

// Study is the ask/tell form shared by [SobolStudy], [MorrisStudy] and
// [OATStudy]: Ask returns the evaluations still missing (nil when the study
// is finished), Tell records one evaluation's outputs (one value per output,
// in the study's output order). Evaluations may be told in any order, by any
// number of workers (Tell is safe for concurrent use), and a study rebuilt
// from the same settings and told previously stored results asks only for the
// rest, so runs can be distributed, stored and resumed outside the package.
type Study interface {
	Ask() ([]Task, error)
	Tell(run, rep int, outputs []float64) error
}

// Model evaluates the outputs at factor values x with a simulation seed.
type Model func(x []float64, seed uint64) ([]float64, error)

// Func adapts a deterministic scalar function to a one-output [Model].
func Func(f func([]float64) float64) Model {
	return func(x []float64, _ uint64) ([]float64, error) { return []float64{f(x)}, nil }
}

// Run drives a study to its end, evaluating each batch with up to workers
// goroutines (workers < 1 means 1). The result does not depend on workers:
// every task's seed is fixed by the study and the estimators read the
// outputs by run index.
func Run(ctx context.Context, s Study, m Model, workers int) error {
	workers = max(workers, 1)
	for {
		tasks, err := s.Ask()
		if err != nil {
			return err
		}
		if len(tasks) == 0 {
			return nil
		}
		p := pool.New().WithErrors().WithContext(ctx).WithMaxGoroutines(workers).WithCancelOnError()
		for _, t := range tasks {
			p.Go(func(ctx context.Context) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				out, err := m(t.X, t.Seed)
				if err != nil {
					return fmt.Errorf("run %d replication %d: %w", t.Run, t.Rep, err)
				}
				return s.Tell(t.Run, t.Rep, out)
			})
		}
		if err := p.Wait(); err != nil {
			return err
		}
	}
}

// responses stores told outputs: y[output][run][rep].
type responses struct {
	mu      sync.Mutex
	outputs int
	reps    int
	y       [][][]float64
	told    [][]bool
}

func newResponses(outputs, reps int) *responses {
	return &responses{outputs: outputs, reps: reps, y: make([][][]float64, outputs)}
}

// grow makes room for runs runs.
func (r *responses) grow(runs int) {
	for len(r.told) < runs {
		r.told = append(r.told, make([]bool, r.reps))
		for o := range r.y {
			r.y[o] = append(r.y[o], make([]float64, r.reps))
		}
	}
}

func (r *responses) tell(run, rep int, out []float64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if run < 0 || run >= len(r.told) {
		return fmt.Errorf("sensitivity: run %d is not part of the design so far (%d runs)", run, len(r.told))
	}
	if rep < 0 || rep >= r.reps {
		return fmt.Errorf("sensitivity: replication %d out of range (0 … %d)", rep, r.reps-1)
	}
	if len(out) != r.outputs {
		return fmt.Errorf("sensitivity: run %d told %d outputs, the study has %d", run, len(out), r.outputs)
	}
	for o, v := range out {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("sensitivity: run %d replication %d: output %d is %g (not finite)", run, rep, o, v)
		}
		r.y[o][run][rep] = v
	}
	r.told[run][rep] = true
	return nil
}

// missing lists the (run, rep) pairs below runs that are not told.
func (r *responses) missing(runs int) [][2]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var m [][2]int
	for run := 0; run < runs; run++ {
		for rep, ok := range r.told[run] {
			if !ok {
				m = append(m, [2]int{run, rep})
			}
		}
	}
	return m
}

// SobolSettings configure a [SobolStudy]. The zero value is usable: 1,024
// base points, one replication, 1,000 bootstrap resamples, no stop rule.
type SobolSettings struct {
	// N is the base sample size of the first pass (a power of two ≥ 2;
	// 0 means 1,024). The study costs N·(D+2) runs, N·(2D+2) with
	// SecondOrder, times Replications.
	N int
	// UntilCI, when positive, is the stop rule: after each pass, if any
	// output's total-index interval is wider than ±UntilCI, N doubles (the
	// new pass asks only for the new runs) until MaxN.
	UntilCI float64
	// MaxN caps the stop rule (a power of two ≥ N; 0 means 64·N).
	MaxN int
	// Replications per design run (0 means 1). With 2 or more the noise
	// variance is estimated and the indices are corrected for it.
	Replications int
	// Resamples is the number of bootstrap resamples (0 means 1,000; at
	// least MinResamples).
	Resamples   int
	SecondOrder bool
	Seed        uint64
}

func (s SobolSettings) withDefaults() SobolSettings {
	if s.N == 0 {
		s.N = 1024
	}
	if s.MaxN == 0 {
		s.MaxN = 64 * s.N
	}
	if s.Replications == 0 {
		s.Replications = 1
	}
	if s.Resamples == 0 {
		s.Resamples = 1000
	}
	return s
}

// Validate reports the first invalid setting (after defaults).
func (s SobolSettings) Validate() error {
	s = s.withDefaults()
	switch {
	case s.N < 2 || !isPow2(s.N):
		return fmt.Errorf("sensitivity: N = %d is not a power of two ≥ 2 (Sobol designs are balanced at 2, 4, 8, …)", s.N)
	case s.MaxN < s.N || !isPow2(s.MaxN):
		return fmt.Errorf("sensitivity: max N = %d must be a power of two ≥ N = %d", s.MaxN, s.N)
	case s.Replications < 1:
		return fmt.Errorf("sensitivity: %d replications; need at least 1", s.Replications)
	case s.Resamples < MinResamples:
		return fmt.Errorf("sensitivity: %d bootstrap resamples; need at least %d", s.Resamples, MinResamples)
	case s.UntilCI < 0 || math.IsNaN(s.UntilCI):
		return fmt.Errorf("sensitivity: stop width %g must be positive (or 0 for no stop rule)", s.UntilCI)
	}
	return nil
}

// SobolPass is the analysis after one pass: the indices of every output at
// N base points (Indices[o] nil and Errs[o] set when output o's indices are
// undefined, e.g. it never varies).
type SobolPass struct {
	N       int
	Runs    int // design runs so far (N·K), each replicated
	Indices []*SobolIndices
	Errs    []error
}

// MaxHalfWidth is the widest total-index half-width over the defined outputs.
func (p *SobolPass) MaxHalfWidth() float64 {
	w := 0.0
	for _, ix := range p.Indices {
		if ix == nil {
			continue
		}
		for _, st := range ix.ST {
			w = max(w, st.HalfWidth())
		}
	}
	return w
}

// SobolStudy estimates Sobol indices of several outputs by Saltelli sampling,
// in ask/tell form, with the doubling stop rule.
type SobolStudy struct {
	design  *SaltelliDesign
	set     SobolSettings
	outputs []string
	resp    *responses
	n       int
	passes  []*SobolPass
	done    bool
	conv    bool
}

// NewSobolStudy returns a study of the named outputs over factors.
func NewSobolStudy(factors []Factor, outputs []string, s SobolSettings) (*SobolStudy, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if len(outputs) == 0 {
		return nil, errors.New("sensitivity: no outputs to explain")
	}
	s = s.withDefaults()
	d, err := NewSaltelliDesign(factors, s.SecondOrder, s.Seed)
	if err != nil {
		return nil, err
	}
	st := &SobolStudy{design: d, set: s, outputs: outputs, resp: newResponses(len(outputs), s.Replications), n: s.N}
	st.resp.grow(d.Runs(s.N))
	return st, nil
}

// Design returns the study's Saltelli design.
func (st *SobolStudy) Design() *SaltelliDesign { return st.design }

// Outputs returns the output names.
func (st *SobolStudy) Outputs() []string { return st.outputs }

// Settings returns the settings with defaults filled in.
func (st *SobolStudy) Settings() SobolSettings { return st.set }

// Ask returns the evaluations missing from the current pass; when the pass is
// complete it analyses it, applies the stop rule and, if the design grows,
// returns the next pass's evaluations. It returns nil when the study is done.
func (st *SobolStudy) Ask() ([]Task, error) {
	for !st.done {
		runs := st.design.Runs(st.n)
		if m := st.resp.missing(runs); len(m) > 0 {
			tasks := make([]Task, len(m))
			for i, rr := range m {
				tasks[i] = Task{Run: rr[0], Rep: rr[1], X: st.design.Point(rr[0], nil), Seed: RunSeed(st.set.Seed, rr[0], rr[1])}
			}
			return tasks, nil
		}
		if len(st.passes) == 0 || st.passes[len(st.passes)-1].N != st.n {
			st.passes = append(st.passes, st.analyze(st.n))
		}
		last := st.passes[len(st.passes)-1]
		met := defined(last) && last.MaxHalfWidth() < st.set.UntilCI
		if st.set.UntilCI <= 0 || met || st.n*2 > st.set.MaxN {
			st.done, st.conv = true, met
			break
		}
		st.n *= 2
		st.resp.grow(st.design.Runs(st.n))
	}
	return nil, nil
}

func defined(p *SobolPass) bool {
	for _, ix := range p.Indices {
		if ix != nil {
			return true
		}
	}
	return false
}

func (st *SobolStudy) analyze(n int) *SobolPass {
	p := &SobolPass{N: n, Runs: st.design.Runs(n), Indices: make([]*SobolIndices, len(st.outputs)), Errs: make([]error, len(st.outputs))}
	for o := range st.outputs {
		ix, err := st.design.Analyze(st.resp.y[o], n, st.set.Resamples)
		if err != nil {
			err = fmt.Errorf("%s: %w", st.outputs[o], err)
		}
		p.Indices[o], p.Errs[o] = ix, err
	}
	return p
}

// Tell records replication rep of run run.
func (st *SobolStudy) Tell(run, rep int, outputs []float64) error {
	return st.resp.tell(run, rep, outputs)
}

// Done reports whether the stop rule has ended the study.
func (st *SobolStudy) Done() bool { return st.done }

// Converged reports whether the stop rule's width was reached (false when
// there is no stop rule, or MaxN ended the study first).
func (st *SobolStudy) Converged() bool { return st.conv }

// Passes returns the analysis of every completed pass, smallest N first
// (the convergence history).
func (st *SobolStudy) Passes() []*SobolPass { return st.passes }

// Result returns the last pass (nil before the first is complete).
func (st *SobolStudy) Result() *SobolPass {
	if len(st.passes) == 0 {
		return nil
	}
	return st.passes[len(st.passes)-1]
}

// Sobol estimates the Sobol indices of a deterministic function f over
// factors: a one-output [SobolStudy] driven to its end on one goroutine.
func Sobol(f func([]float64) float64, factors []Factor, s SobolSettings) (*SobolIndices, error) {
	st, err := NewSobolStudy(factors, []string{"f"}, s)
	if err != nil {
		return nil, err
	}
	if err := Run(context.Background(), st, Func(f), 1); err != nil {
		return nil, err
	}
	r := st.Result()
	if r.Errs[0] != nil {
		return nil, r.Errs[0]
	}
	return r.Indices[0], nil
}
