package optimize

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/sourcegraph/conc/iter"
	"github.com/startrend/startrend/stats"
)

// RaceOptions control Race.
type RaceOptions struct {
	// InitialReps replications of every candidate come before any
	// elimination (default 5, at least 2).
	InitialReps int
	// MaxEvals caps the evaluations; required.
	MaxEvals int
	// Confidence is 1 − α of the whole selection (every look and
	// comparison together) and of the reported per-candidate intervals
	// (default 0.95).
	Confidence float64
	// Maximize makes larger values better.
	Maximize bool
	// Workers evaluate a round concurrently (default GOMAXPROCS).
	Workers int
	// Delta is the indifference zone: the race stops, undecided, once
	// every survivor is within it of the leader (0: never).
	Delta float64
}

// RaceEntry is one candidate's evidence.
type RaceEntry struct {
	Index int     `json:"index"`
	N     int     `json:"n"`
	Mean  float64 `json:"mean"`
	SD    float64 `json:"sd"`
	CILo  float64 `json:"ci_lo"`
	CIHi  float64 `json:"ci_hi"`
	// EliminatedAt is the round (replications done) after which its
	// interval against the leader excluded zero; 0 if it survived.
	EliminatedAt int `json:"eliminated_at,omitempty"`
	// PValue is kept for the format; the race decides by intervals (NaN).
	PValue float64 `json:"p_value"`
}

// RaceResult is the outcome of Race.
type RaceResult struct {
	Winner  int         `json:"winner"`
	Entries []RaceEntry `json:"entries"`
	Evals   int         `json:"evals"`
	// Decided is true exactly when every other candidate's interval
	// against the winner (or against the leader that eliminated it)
	// excludes zero at Level; otherwise Winner is only the best mean.
	Decided bool `json:"decided"`
	// Selection states the error control (see stats.Selection).
	Selection SelectionInfo `json:"selection"`
}

// SelectionInfo states what a race's decision guarantees.
type SelectionInfo struct {
	// Procedure names the rule.
	Procedure string `json:"procedure"`
	// PCS = 1 − α: P(decided and the winner is not the best) ≤ α, over
	// all looks.
	PCS Float `json:"pcs"`
	// Level is each paired interval's confidence, 1 − α/((k−1)·Looks).
	Level Float `json:"level"`
	Looks int   `json:"looks"`
	// Delta is the indifference zone (0: none).
	Delta Float `json:"delta"`
	// Detectable is the difference the race budget resolves.
	Detectable Float `json:"detectable"`
	// Indifferent: stopped because every survivor was within Delta.
	Indifferent bool `json:"indifferent,omitempty"`
}

// Race selects the best of n candidates with noisy evaluations by a
// sequential selection with error control over repeated looks
// (stats.Selection): each round evaluates replication r of every surviving
// candidate, in parallel; from InitialReps rounds on, every survivor whose
// paired interval against the leader (Bonferroni-corrected over the
// comparisons and over every round the budget allows) excludes zero is
// eliminated. Pairing uses the replication index, so an evalRep that draws
// replication rep's random numbers from rep alone (common random numbers)
// makes the comparisons much sharper. It stops when one candidate remains
// (Decided), every survivor is within Delta, or the budget ends; MaxEvals is
// a hard bound. Every candidate's mean is reported with a Student-t
// interval at Confidence.
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
	maxObs := opts.InitialReps // the most rounds any candidate can get
	if n > 1 {
		maxObs += (opts.MaxEvals - n*opts.InitialReps) / 2
	}
	vals := make([][]float64, n)
	res := &RaceResult{Entries: make([]RaceEntry, n), Selection: SelectionInfo{Procedure: "sequential elimination, paired t intervals Bonferroni-corrected over comparisons and looks"}}
	var sel *stats.Selection
	if n > 1 {
		var err error
		sel, err = stats.NewSelection(n, stats.SelectionOptions{Alpha: 1 - opts.Confidence, Delta: opts.Delta, N0: opts.InitialReps, MaxObs: maxObs, Maximize: opts.Maximize})
		if err != nil {
			return nil, fmt.Errorf("optimize: race: %w", err)
		}
	}
	alive := []int{0}
	for rep := 0; ; rep++ {
		if sel != nil {
			if sel.Done() {
				break
			}
			alive = sel.Active()
		} else if rep >= opts.InitialReps {
			break
		}
		if res.Evals+len(alive) > opts.MaxEvals {
			break
		}
		out := make([]float64, len(alive))
		errs := make([]error, len(alive))
		iter.Iterator[int]{MaxGoroutines: opts.Workers}.ForEachIdx(alive, func(k int, i *int) {
			v, err := evalRep(ctx, *i, rep)
			if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
				err = fmt.Errorf("value is %g", v)
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
			vals[i] = append(vals[i], out[k])
		}
		res.Evals += len(alive)
		if sel != nil {
			if err := sel.Observe(out); err != nil {
				return nil, fmt.Errorf("optimize: race: %w", err)
			}
		}
	}
	if sel != nil {
		sr := sel.Result()
		res.Winner, res.Decided = sr.Best, sr.Decided
		res.Selection.PCS, res.Selection.Level, res.Selection.Looks = Float(sr.PCS), Float(sr.Level), sr.Looks
		res.Selection.Delta, res.Selection.Detectable, res.Selection.Indifferent = Float(sr.Delta), Float(sr.Detectable), sr.Indifferent
		for i, r := range sr.EliminatedAt {
			res.Entries[i].EliminatedAt = r
		}
	}
	for i := range res.Entries {
		e := &res.Entries[i]
		v := vals[i]
		est := stats.MeanCI(v, opts.Confidence)
		e.Index, e.N, e.PValue = i, est.N, math.NaN()
		e.Mean, e.SD, e.CILo, e.CIHi = est.Mean, est.SD, est.Lo, est.Hi
	}
	return res, nil
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
