package optimize

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/sourcegraph/conc/iter"
	"gonum.org/v1/gonum/stat/distuv"
)

// RaceOptions control Race.
type RaceOptions struct {
	// InitialReps replications of every candidate come before any
	// elimination (default 5, at least 2).
	InitialReps int
	// MaxEvals caps the evaluations; required.
	MaxEvals int
	// Confidence of each elimination and of the reported intervals
	// (default 0.95).
	Confidence float64
	// Maximize makes larger values better.
	Maximize bool
	// Workers evaluate a round concurrently (default GOMAXPROCS).
	Workers int
}

// RaceEntry is one candidate's evidence.
type RaceEntry struct {
	Index int     `json:"index"`
	N     int     `json:"n"`
	Mean  float64 `json:"mean"`
	SD    float64 `json:"sd"`
	CILo  float64 `json:"ci_lo"`
	CIHi  float64 `json:"ci_hi"`
	// EliminatedAt is the round (replications done) after which a paired
	// t-test against the leader rejected it; 0 if it survived.
	EliminatedAt int `json:"eliminated_at,omitempty"`
	// PValue is the one-sided p-value of the test that eliminated it, or of
	// the last comparison with the winner for survivors (NaN for the
	// winner itself).
	PValue float64 `json:"p_value"`
}

// RaceResult is the outcome of Race.
type RaceResult struct {
	Winner  int         `json:"winner"`
	Entries []RaceEntry `json:"entries"`
	Evals   int         `json:"evals"`
	// Decided is true when every other candidate was eliminated; otherwise
	// the budget ran out and Winner is only the best mean.
	Decided bool `json:"decided"`
}

// Race selects the best of n candidates with noisy evaluations by racing
// (in the spirit of F-Race and OCBA): each round evaluates replication r of
// every surviving candidate, in parallel; after InitialReps rounds, every
// survivor whose paired one-sided t-test against the current leader (the
// best mean) rejects equality at Confidence, Bonferroni-corrected over the
// survivors, is eliminated. Pairing uses the replication index, so an
// evalRep that draws replication rep's random numbers from rep alone (common
// random numbers) makes the comparisons much sharper. It stops when one
// candidate remains or the next round would pass MaxEvals, and reports
// every candidate's mean with a Student-t confidence interval.
func Race(ctx context.Context, n int, evalRep func(ctx context.Context, i, rep int) (float64, error), opts RaceOptions) (*RaceResult, error) {
	if n < 1 {
		return nil, fmt.Errorf("optimize: Race needs at least one candidate, got %d", n)
	}
	if evalRep == nil {
		return nil, errors.New("optimize: Race needs an evaluation function")
	}
	if opts.InitialReps == 0 {
		opts.InitialReps = 5
	}
	if opts.Confidence == 0 {
		opts.Confidence = 0.95
	}
	if opts.InitialReps < 2 || !(opts.Confidence > 0 && opts.Confidence < 1) {
		return nil, fmt.Errorf("optimize: Race needs InitialReps ≥ 2 and 0 < Confidence < 1, got %d and %g", opts.InitialReps, opts.Confidence)
	}
	if opts.MaxEvals < n*opts.InitialReps {
		return nil, fmt.Errorf("optimize: Race MaxEvals %d is below candidates × InitialReps = %d", opts.MaxEvals, n*opts.InitialReps)
	}
	sign := 1.0
	if opts.Maximize {
		sign = -1
	}
	vals := make([][]float64, n) // in the minimising sense
	alive := make([]int, n)
	for i := range alive {
		alive[i] = i
	}
	entries := make([]RaceEntry, n)
	for i := range entries {
		entries[i].Index = i
		entries[i].PValue = math.NaN()
	}
	evals := 0
	for rep := 0; len(alive) > 1 || rep == 0; rep++ {
		if rep >= opts.InitialReps && evals+len(alive) > opts.MaxEvals {
			break
		}
		out := make([]float64, len(alive))
		errs := make([]error, len(alive))
		iter.Iterator[int]{MaxGoroutines: opts.Workers}.ForEachIdx(alive, func(k int, i *int) {
			v, err := evalRep(ctx, *i, rep)
			if err == nil && math.IsNaN(v) {
				err = errors.New("value is NaN")
			}
			out[k], errs[k] = v, err
		})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for k, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("optimize: race candidate %d replication %d: %w", alive[k], rep, err)
			}
		}
		for k, i := range alive {
			vals[i] = append(vals[i], sign*out[k])
		}
		evals += len(alive)
		if rep+1 < opts.InitialReps || len(alive) == 1 {
			continue
		}
		leader := alive[0]
		for _, i := range alive {
			if mean(vals[i]) < mean(vals[leader]) {
				leader = i
			}
		}
		alpha := (1 - opts.Confidence) / float64(len(alive)-1)
		var keep []int
		for _, i := range alive {
			if i == leader {
				keep = append(keep, i)
				continue
			}
			p := pairedP(vals[i], vals[leader])
			entries[i].PValue = p
			if p < alpha {
				entries[i].EliminatedAt = rep + 1
			} else {
				keep = append(keep, i)
			}
		}
		alive = keep
	}
	best := alive[0]
	for _, i := range alive {
		if mean(vals[i]) < mean(vals[best]) {
			best = i
		}
	}
	for i := range entries {
		e := &entries[i]
		v := vals[i]
		e.N = len(v)
		m, sd := mean(v), stddev(v)
		e.Mean, e.SD = sign*m, sd
		h := math.NaN()
		if e.N > 1 {
			h = distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(e.N - 1)}.Quantile(0.5+opts.Confidence/2) * sd / math.Sqrt(float64(e.N))
		}
		e.CILo, e.CIHi = e.Mean-h, e.Mean+h
	}
	entries[best].PValue = math.NaN()
	return &RaceResult{Winner: best, Entries: entries, Evals: evals, Decided: len(alive) == 1}, nil
}

// pairedP is the one-sided p-value of H0: mean(a − b) ≤ 0 against a worse
// than b (a − b > 0), over their common replications.
func pairedP(a, b []float64) float64 {
	m := min(len(a), len(b))
	d := make([]float64, m)
	for k := range m {
		d[k] = a[k] - b[k]
	}
	md, sd := mean(d), stddev(d)
	if sd == 0 {
		if md > 0 {
			return 0
		}
		return 1
	}
	t := md / (sd / math.Sqrt(float64(m)))
	return 1 - distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(m - 1)}.CDF(t)
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func stddev(v []float64) float64 {
	if len(v) < 2 {
		return 0
	}
	m := mean(v)
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)-1))
}
