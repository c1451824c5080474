package experiments

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/startrend/startrend/qmc"
	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim"
)

// Sweeper evaluates the runs of a scenario's sweep block. Each point's
// scenario (the base with the point's values set, validated) is built once
// and shared by the point's replications; replication r of every point
// runs with the scenario's seed and replication index r, so every point
// sees the same random streams (common random numbers).
type Sweeper struct {
	// Base is the scenario without its sweep block.
	Base  *scenarios.Scenario
	Sweep scenarios.Sweep
	Space *Space
	// Reps is the number of replications per point.
	Reps int
	// Metrics are the recorded KPIs and Variants the baseline and the
	// scenario's variants; outputs are variant-major.
	Metrics  []sim.Metric
	Variants []string

	hash string
	mu   sync.Mutex
	// cache holds the scenarios of recently started points (a few per
	// worker; points are run in id order).
	cache map[int]*pointScenario
	order []int
}

type pointScenario struct {
	once sync.Once
	sc   *scenarios.Scenario
	err  error
}

// NewSweeper reads sc's sweep block. Every grid value (or, for sampled
// designs, both bounds) of every parameter is set alone on a copy of the
// scenario and validated, so a value the scenario cannot take is reported
// before any run, at the parameter's position.
func NewSweeper(sc *scenarios.Scenario) (*Sweeper, error) {
	if sc.Sweep == nil {
		return nil, fmt.Errorf("%s: the scenario has no sweep block", sc.Position("").File)
	}
	w := &Sweeper{Sweep: *sc.Sweep, hash: scenarios.Hash(sc), cache: map[int]*pointScenario{}}
	w.Base = scenarios.Clone(sc)
	w.Base.Sweep = nil
	w.Reps = sc.Sweep.Replications
	if w.Reps == 0 {
		w.Reps = max(1, sc.Replications)
	}
	sp, err := NewSpace(sc, sc.Sweep.Parameters)
	if err != nil {
		return nil, fmt.Errorf("%s: sweep.parameters: %v", posString(sc.Position("sweep.parameters")), err)
	}
	w.Space = sp
	all := sim.Metrics(sc.Currency)
	if len(sc.Sweep.Metrics) == 0 {
		w.Metrics = all
	} else {
		var names []string
		for _, m := range all {
			names = append(names, m.Name)
		}
		for i, name := range sc.Sweep.Metrics {
			j := slices.Index(names, name)
			if j < 0 {
				at := fmt.Sprintf("sweep.metrics.%d", i)
				return nil, &scenarios.Error{File: sc.Position(at).File, Line: sc.Position(at).Line, Col: sc.Position(at).Col,
					Path: at, Msg: "unknown KPI" + scenarios.DidYouMean(name, names), Got: fmt.Sprintf("%q", name)}
			}
			w.Metrics = append(w.Metrics, all[j])
		}
	}
	w.Variants = []string{"baseline"}
	for _, v := range sc.Variants {
		w.Variants = append(w.Variants, v.Name)
	}
	// Check each parameter's extreme values on the scenario.
	for i := range sp.Dims {
		d := &sp.Dims[i]
		vals := d.Grid
		if len(vals) == 0 {
			vals = []float64{d.Min, d.Max}
		}
		for _, x := range vals {
			c := scenarios.Clone(w.Base)
			err := scenarios.Set(c, d.Path, d.Value(x))
			if err == nil {
				err = scenarios.Validate(c)
			}
			if err != nil {
				at := fmt.Sprintf("sweep.parameters.%d", i)
				p := sc.Position(at)
				return nil, &scenarios.Error{File: p.File, Line: p.Line, Col: p.Col, Path: at,
					Msg: fmt.Sprintf("the scenario cannot take %s = %s: %v", d.Path, d.Label(x), firstLine(err))}
			}
		}
	}
	return w, nil
}

func posString(p scenarios.Pos) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
	return p.File
}

func firstLine(err error) string {
	if es, ok := err.(scenarios.Errors); ok && len(es) > 0 {
		e := *es[0]
		e.File, e.Line, e.Col = "", 0, 0
		s := e.Error()
		return s[2:] // without the empty file's ": "
	}
	return err.Error()
}

// Spec returns the run-store spec of the sweep: scenario hash, the sweep
// block as design, the parameters as columns, variant × metric outputs.
func (w *Sweeper) Spec() Spec {
	design, _ := json.Marshal(struct {
		Sweep scenarios.Sweep `json:"sweep"`
		Reps  int             `json:"replications"`
	}{w.Sweep, w.Reps})
	s := Spec{Kind: "sweep", Scenario: w.Base.Name, ScenarioHash: w.hash, Design: string(design), Columns: w.Space.Columns()}
	for _, v := range w.Variants {
		for _, m := range w.Metrics {
			s.Outputs = append(s.Outputs, Output{Variant: v, Metric: m.Name})
		}
	}
	return s
}

// Design returns the sweep's design. A sobol design takes points 0 …
// points−1 of the unscrambled Sobol sequence (Joe–Kuo direction numbers,
// package qmc), which start at the lower bounds; use 2^k points to keep
// its balance.
func (w *Sweeper) Design() (Design, error) {
	seed := w.Sweep.Seed
	if seed == 0 {
		seed = w.Base.Seed
	}
	switch w.Sweep.Design {
	case "", "grid":
		return Grid(w.Space)
	case "zip":
		return Zip(w.Space)
	case "random":
		return Random(w.Space, w.Sweep.Points, seed), nil
	case "lhs":
		return LatinHypercube(w.Space, w.Sweep.Points, seed), nil
	case "sobol":
		seq, err := qmc.NewSobol(len(w.Space.Dims))
		if err != nil {
			return nil, err
		}
		return FromUnit(w.Space, w.Sweep.Points, func(i int, u []float64) { seq.Point(uint64(i), u) }), nil
	}
	return nil, fmt.Errorf("unknown design %q", w.Sweep.Design)
}

// point returns the scenario of point p, building it once.
func (w *Sweeper) point(p int, x []float64, workers int) (*scenarios.Scenario, error) {
	w.mu.Lock()
	ps, ok := w.cache[p]
	if !ok {
		ps = &pointScenario{}
		w.cache[p] = ps
		w.order = append(w.order, p)
		if keep := 4*workers + 4; len(w.order) > keep {
			delete(w.cache, w.order[0])
			w.order = w.order[1:]
		}
	}
	w.mu.Unlock()
	ps.once.Do(func() {
		c := scenarios.Clone(w.Base)
		if err := w.Space.Apply(c, x); err != nil {
			ps.err = err
			return
		}
		if err := scenarios.Validate(c); err != nil {
			ps.err = fmt.Errorf("point %d: %v", p, err)
			return
		}
		ps.sc = c
	})
	return ps.sc, ps.err
}

// Evaluator returns the store evaluator of the sweep for a store run with
// the given number of workers (each run uses one engine goroutine).
func (w *Sweeper) Evaluator(workers int) Evaluator {
	return func(ctx context.Context, r Run, x, out []float64) error {
		sc, err := w.point(r.Point, x, workers)
		if err != nil {
			return err
		}
		res, err := sim.Run(ctx, sc, sim.Options{Workers: 1, Replications: []int{r.Replication}, ScenarioHash: w.hash})
		if err != nil {
			return err
		}
		k := 0
		for vi := range w.Variants {
			rep := &res.Variants[vi].Reps[0]
			for _, m := range w.Metrics {
				out[k] = metricValue(m, rep)
				k++
			}
		}
		return nil
	}
}

// metricValue is a KPI of one replication: a total, or a ratio of totals
// (NaN when its denominator is zero or a total is missing).
func metricValue(m sim.Metric, r *sim.RepResult) float64 {
	if m.Kind == sim.Ratio {
		num, ok1 := r.Totals[m.Num]
		den, ok2 := r.Totals[m.Den]
		if !ok1 || !ok2 || den == 0 {
			return math.NaN()
		}
		return num / den
	}
	x, ok := r.Totals[m.Name]
	if !ok {
		return math.NaN()
	}
	return x
}
