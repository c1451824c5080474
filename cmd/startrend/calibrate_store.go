package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/startrend/startrend/calibrate"
	"github.com/startrend/startrend/experiments"
	"github.com/startrend/startrend/scenarios"
)

// calStore is a calibration's simulator on the experiments run store, the
// store sweeps and sensitivity studies use: each batch the method asks
// for is submitted as store batches (a point per parameter vector, its
// replications as the store's), executed on the workers with every run
// journaled as it finishes, and read back in order. A resumed calibration
// asks for the same batches, the store returns the recorded ones and skips
// their finished runs, so it ends with the same files as an uninterrupted
// one. A run asked for again (the probe's replication 0 is the pilot's) is
// answered from memory, never simulated twice.
//
// A shard (--shard i/n) runs the runs of every batch whose id is i mod n
// and reads the others from the other shards' stores (peers); a batch
// whose runs are not all there stops the calibration with errShardWait.
type calStore struct {
	store   *experiments.Store
	peers   []*experiments.Store
	eval    calibrate.SimulatorFunc
	workers int
	seen    map[string][]float64 // outputs of every run told, by (θ, rep)
	// ran and done count the runs this process simulated and found
	// finished in the store; batch counts Simulate calls.
	ran, done, batch int
}

// calibrateSpec is the store's description of a calibration: the
// scenario (its hash covers the calibrate block: targets, parameters,
// method and options), the budget, one column per parameter and one
// output per target.
func calibrateSpec(sc *scenarios.Scenario, cs *calScenario, method string, budget int) experiments.Spec {
	design, _ := json.Marshal(struct {
		Method string `json:"method"`
		Budget int    `json:"runs"`
	}{method, budget})
	spec := experiments.Spec{Kind: "calibrate", Scenario: sc.Name, ScenarioHash: scenarios.Hash(sc), Design: string(design)}
	for _, p := range cs.params {
		spec.Columns = append(spec.Columns, experiments.Column{Name: p.Path, Kind: experiments.KindReal})
	}
	for _, t := range cs.targets {
		arm := t.arm
		if arm == "" {
			arm = "baseline"
		}
		spec.Outputs = append(spec.Outputs, experiments.Output{Variant: arm, Metric: t.name})
	}
	return spec
}

func calRunKey(theta []float64, rep int) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(rep))
	for _, x := range theta {
		b.WriteByte(' ')
		b.WriteString(strconv.FormatUint(math.Float64bits(x), 16))
	}
	return b.String()
}

// calGroup is one store batch of a calibration batch: points[i] (indices
// into the asked runs of its first replication) with reps replications
// from repFrom each, or (diag) point i with replication repFrom+i.
type calGroup struct {
	first   []int // index of each point's first run in the todo list
	repFrom int
	reps    int
	diag    bool
}

// groupRuns splits runs (in order) into store batches: consecutive runs of
// one θ with consecutive replications are a point; consecutive points with
// the same replications are a batch (a CMA-ES generation: λ points × R);
// consecutive single runs with consecutive replications are a diagonal
// batch (an ABC population).
func groupRuns(runs []calibrate.Run) []calGroup {
	type pt struct{ at, rep, n int }
	var pts []pt
	for i, r := range runs {
		if l := len(pts) - 1; l >= 0 {
			p := &pts[l]
			if p.rep+p.n == r.Rep && sameTheta(runs[p.at].Theta, r.Theta) {
				p.n++
				continue
			}
		}
		pts = append(pts, pt{i, r.Rep, 1})
	}
	var gs []calGroup
	for i := 0; i < len(pts); {
		p := pts[i]
		j := i + 1
		g := calGroup{first: []int{p.at}, repFrom: p.rep, reps: p.n}
		switch {
		case j < len(pts) && pts[j].rep == p.rep && pts[j].n == p.n:
			for ; j < len(pts) && pts[j].rep == p.rep && pts[j].n == p.n; j++ {
				g.first = append(g.first, pts[j].at)
			}
		case p.n == 1 && j < len(pts) && pts[j].n == 1 && pts[j].rep == p.rep+1:
			g.diag = true
			for ; j < len(pts) && pts[j].n == 1 && pts[j].rep == pts[j-1].rep+1; j++ {
				g.first = append(g.first, pts[j].at)
			}
		}
		gs = append(gs, g)
		i = j
	}
	return gs
}

func sameTheta(a, b []float64) bool {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// Simulate implements calibrate.Simulator.
func (c *calStore) Simulate(ctx context.Context, runs []calibrate.Run) ([][]float64, error) {
	c.batch++
	out := make([][]float64, len(runs))
	var todo []calibrate.Run
	var at [][]int // for each todo run, the asked runs it answers
	pending := map[string]int{}
	for i, r := range runs {
		k := calRunKey(r.Theta, r.Rep)
		if o, ok := c.seen[k]; ok {
			out[i] = append([]float64(nil), o...)
			continue
		}
		if j, ok := pending[k]; ok {
			at[j] = append(at[j], i)
			continue
		}
		pending[k] = len(todo)
		todo = append(todo, r)
		at = append(at, []int{i})
	}
	missing := false
	for _, g := range groupRuns(todo) {
		pts := make(experiments.Points, len(g.first))
		for i, k := range g.first {
			pts[i] = todo[k].Theta
		}
		var b experiments.Batch
		var err error
		if g.diag {
			b, err = c.store.SubmitDiagonal(pts, g.repFrom)
		} else {
			b, err = c.store.SubmitFrom(pts, g.repFrom, g.reps)
		}
		if err != nil {
			return nil, fmt.Errorf("run store %s: %w", c.store.Dir(), err)
		}
		cnt, err := c.store.Execute(ctx, b, c.evaluate, experiments.ExecuteOptions{Workers: c.workers})
		c.ran += cnt.Ran
		c.done += cnt.Done
		if err != nil {
			return nil, err
		}
		got := 0
		tell := func(r experiments.Run, _, o []float64) error {
			i := g.first[r.Point-b.FirstPoint] + r.Replication - g.repFrom
			if g.diag {
				i = g.first[r.Point-b.FirstPoint]
			}
			if todo[i].Rep != r.Replication {
				return fmt.Errorf("run store %s: run %d is replication %d, the calibration asked for %d (internal)", c.store.Dir(), r.ID, r.Replication, todo[i].Rep)
			}
			if out[at[i][0]] != nil {
				return nil // found in two stores
			}
			got++
			for _, a := range at[i] {
				out[a] = append([]float64(nil), o...)
			}
			return nil
		}
		if err := c.store.Available(b, tell); err != nil {
			return nil, err
		}
		for _, p := range c.peers {
			if got < b.Runs && c.store.SameBatch(p, b) {
				if err := p.Available(b, tell); err != nil {
					return nil, err
				}
			}
		}
		missing = missing || got < b.Runs
	}
	if missing {
		return nil, errShardWait
	}
	for i, r := range todo {
		c.seen[calRunKey(r.Theta, r.Rep)] = out[at[i][0]]
	}
	return out, nil
}

// evaluate is the store's evaluator: the run's point is θ, its
// replication the calibration's.
func (c *calStore) evaluate(ctx context.Context, r experiments.Run, x []float64, out []float64) error {
	o, err := c.eval(ctx, x, r.Replication)
	if err != nil {
		return err
	}
	copy(out, o)
	return nil
}
