package optimize

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/optimize/functions"
)

// problem pairs a space and method config with an objective, for the
// cross-method driver tests.
type problem struct {
	name  string
	space Space
	cfg   Config
	f     Objective
	max   bool
	evals int
}

func problems() []problem {
	alloc := newAlloc(12, 300, 5)
	cov := newCoverage(30, 20, 5)
	noisyAlloc := alloc.noisy(0.05, 3)
	return []problem{
		{NameCMAES, boxSpace(6, -3, 4), Config{Seed: 7, Restarts: 2}, plain(rastrigin), false, 3000},
		{NameCMAES, alloc.space(), Config{Seed: 7}, noisyAlloc, true, 1500},
		{NameRandom, alloc.space(), Config{Seed: 7}, noisyAlloc, true, 800},
		{NameNelderMead, boxSpace(4, -2, 2), Config{Seed: 7}, plain(functions.ExtendedRosenbrock{}.Func), false, 600},
		{NameDiscrete, cov.space(1, 0.2), Config{Seed: 7}, plain(cov.value), true, 2000},
		{NameDiscrete, alloc.space(), Config{Seed: 7}, noisyAlloc, true, 1500},
	}
}

func TestSameSearchForAnyWorkers(t *testing.T) {
	for _, p := range problems() {
		var hist []History
		for _, w := range []int{1, 8} {
			m, err := New(p.name, p.space, p.cfg)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), m, p.f, RunOptions{Workers: w, MaxEvals: p.evals, Maximize: p.max})
			if err != nil {
				t.Fatal(err)
			}
			hist = append(hist, res.History)
		}
		if !reflect.DeepEqual(hist[0], hist[1]) {
			t.Errorf("%s: histories differ between 1 and 8 workers", p.name)
		}
	}
}

// TestResumeIsExact stops after generation k, writes the checkpoint as
// JSON, restores it and continues: the result must be that of an
// uninterrupted run, bit for bit.
func TestResumeIsExact(t *testing.T) {
	for _, p := range problems() {
		m, _ := New(p.name, p.space, p.cfg)
		full, err := Run(context.Background(), m, p.f, RunOptions{Workers: 2, MaxEvals: p.evals, Maximize: p.max})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{1, full.Generations / 3, full.Generations - 1} {
			var saved []byte
			m, _ = New(p.name, p.space, p.cfg)
			_, err := Run(context.Background(), m, p.f, RunOptions{Workers: 3, MaxGenerations: k, Maximize: p.max,
				MaxEvals: p.evals,
				Checkpoint: func(cp *Checkpoint) error {
					var err error
					saved, err = json.Marshal(cp)
					return err
				}})
			if err != nil {
				t.Fatal(err)
			}
			var cp Checkpoint
			if err := json.Unmarshal(saved, &cp); err != nil {
				t.Fatal(err)
			}
			m2, err := ResumeMethod(p.space, &cp)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), m2, p.f, RunOptions{Workers: 1, MaxEvals: p.evals, Maximize: p.max, Resume: &cp})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.X, full.X) || res.Value != full.Value || !reflect.DeepEqual(res.Recommended, full.Recommended) ||
				res.Generations != full.Generations || !reflect.DeepEqual(res.History, full.History) || res.Stop != full.Stop {
				t.Errorf("%s: resumed after generation %d: got %v (%g, %d gens, %s), uninterrupted %v (%g, %d gens, %s)",
					p.name, k, res.X, res.Value, res.Generations, res.Stop, full.X, full.Value, full.Generations, full.Stop)
			}
		}
	}
}

func TestRunStopsAndErrors(t *testing.T) {
	m, _ := NewCMAES(boxSpace(3, -1, 1), Config{Seed: 1})
	ctx, cancel := context.WithCancel(context.Background())
	res, err := Run(ctx, m, func(_ context.Context, gen, i int, x []float64) (float64, error) {
		if gen == 2 {
			cancel()
		}
		return x[0], nil
	}, RunOptions{Workers: 1})
	if !errors.Is(err, context.Canceled) || res.Stop != StopCanceled || res.Generations != 2 {
		t.Errorf("cancel: err %v stop %s gens %d", err, res.Stop, res.Generations)
	}
	m, _ = NewCMAES(boxSpace(3, -1, 1), Config{Seed: 1})
	_, err = Run(context.Background(), m, plain(func([]float64) float64 { return math.NaN() }), RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("NaN value: got %v", err)
	}
	m, _ = NewCMAES(boxSpace(3, -1, 1), Config{Seed: 1})
	_, err = Run(context.Background(), m, func(context.Context, int, int, []float64) (float64, error) {
		return 0, errors.New("simulator failed")
	}, RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "simulator failed") || !strings.Contains(err.Error(), "generation 0 candidate 0") {
		t.Errorf("objective error: got %v", err)
	}
	target := 1e-3
	m, _ = NewCMAES(boxSpace(3, -1, 1), Config{Seed: 1})
	res, err = Run(context.Background(), m, plain(functions.Sphere{}.Func), RunOptions{Target: &target})
	if err != nil || res.Stop != StopTarget || res.Value > target {
		t.Errorf("target: %v %s %g", err, res.Stop, res.Value)
	}
	// maximising: values are the objective's own
	m, _ = NewCMAES(boxSpace(2, -1, 1), Config{Seed: 1})
	res, _ = Run(context.Background(), m, plain(func(x []float64) float64 { return 5 - x[0]*x[0] - x[1]*x[1] }), RunOptions{Maximize: true, MaxEvals: 600})
	if res.Value < 4.999 || res.Value > 5 || res.History.BestAt(res.Evals) != res.Value {
		t.Errorf("maximise: best %g", res.Value)
	}
}

func TestBadSettings(t *testing.T) {
	rev := Space{Dims: []Dim{{Lo: 0, Hi: 1}, {Lo: 0, Hi: 1}, {Lo: 0, Hi: 1}, {Name: "fees", Lo: 5, Hi: 2}}}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"empty space", func() error { _, err := NewCMAES(Space{}, Config{}); return err }(), "empty space"},
		{"bounds reversed", func() error { _, err := NewRandom(rev, Config{}); return err }(), "bounds reversed in dimension 3 (fees): lo=5 > hi=2"},
		{"population 1", func() error { _, err := NewCMAES(boxSpace(2, 0, 1), Config{PopSize: 1}); return err }(), "population must be ≥ 2"},
		{"population negative", func() error { _, err := NewRandom(boxSpace(2, 0, 1), Config{PopSize: -3}); return err }(), "PopSize must be ≥ 0"},
		{"unknown method", func() error { _, err := New("simplex", boxSpace(2, 0, 1), Config{}); return err }(), `unknown method "simplex"`},
		{"unbounded without x0", func() error { _, err := NewCMAES(unbounded(2), Config{}); return err }(), "needs X0"},
		{"budget infeasible", func() error {
			_, err := NewCMAES(Space{Dims: []Dim{{Lo: 3, Hi: 5}, {Lo: 3, Hi: 5}}, Budget: &Budget{Total: 4}}, Config{})
			return err
		}(), "lower bounds cost 6 > total 4"},
		{"discrete on continuous", func() error { _, err := NewDiscrete(boxSpace(2, 0, 1), Config{}); return err }(), "needs integer dimensions"},
		{"x0 length", func() error { _, err := NewCMAES(boxSpace(2, 0, 1), Config{X0: []float64{1}}); return err }(), "X0 has 1 values for 2 dimensions"},
		{"state for another space", func() error {
			m, _ := NewCMAES(boxSpace(2, 0, 1), Config{})
			st, _ := m.State()
			_, err := Restore(boxSpace(3, 0, 1), st)
			return err
		}(), "different space"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
	m, _ := NewCMAES(boxSpace(2, 0, 1), Config{})
	if err := m.Tell([]float64{1}); err == nil {
		t.Error("Tell without Ask: no error")
	}
	xs, _ := m.Ask()
	if err := m.Tell(make([]float64, len(xs)-1)); err == nil {
		t.Error("Tell with too few values: no error")
	}
}
