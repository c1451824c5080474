package strategy

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/startrend/startrend/scenarios"
)

// fakeSim is a stand-in simulator for apparel-launch's decisions: concave
// responses (equal marginal returns at the optimum), spend = cost, and
// noise that is mostly common to every scenario run with the same (seed,
// replication) plus a small part specific to the candidate.
func fakeSim(delay time.Duration) Simulate {
	return func(ctx context.Context, sc *scenarios.Scenario, seed uint64, reps int) (map[string][]float64, error) {
		if delay > 0 {
			time.Sleep(delay)
		}
		m := "merchants.spring_jacket."
		get := func(p string) float64 {
			v, err := scenarios.GetFloat(sc, m+p)
			if err != nil {
				panic(err)
			}
			return v
		}
		trend := get("strategy.matrix.launch-trend.count")
		head := get("strategy.matrix.growth-head.count")
		live := get("strategy.matrix.growth-live.count")
		tail := get("strategy.matrix.growth-tail.count")
		paid := get("budget.paid_traffic")
		gmv := 3e5*math.Log1p(trend/3) + 2e5*math.Log1p(head) + 4e5*math.Log1p(live/2) + 1e5*math.Log1p(tail/10) + 9e5*math.Log1p(paid/2e5) + 5e5
		spend := 15000*trend + 180000*head + 15000*live + 1500*tail + paid
		h := uint64(math.Float64bits(trend*7+head*131+live*1009+tail*10007) ^ math.Float64bits(paid))
		out := map[string][]float64{}
		for r := range reps {
			common := rand.New(rand.NewPCG(seed, uint64(r)))
			own := rand.New(rand.NewPCG(seed^h, uint64(r)))
			g := gmv * (1 + 0.08*common.NormFloat64() + 0.01*own.NormFloat64())
			out["gmv"] = append(out["gmv"], g)
			out["spend"] = append(out["spend"], spend)
			out["profit"] = append(out["profit"], 0.45*g-spend)
			out["new_customers"] = append(out["new_customers"], g/299)
		}
		return out, nil
	}
}

// apparel loads testdata/apparel-launch.yaml: the apparel library scenario
// with a fixed five-decision optimize block (waist, head, live, tail counts
// and the paid-traffic budget), so these unit tests of Problem and Solve do
// not move when the library's own optimize block is redesigned. The library
// blocks are tested against the real engine in cmd/startrend.
func apparel(t testing.TB, sets ...string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Load("testdata/apparel-launch.yaml", sets...)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestProblemFromApparel(t *testing.T) {
	p, err := NewProblem(apparel(t), ProblemOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Space.N() != 5 || !p.Maximize || p.Space.Budget == nil || p.Space.Budget.Total != 1.2e6 {
		t.Fatalf("space %+v", p.Space)
	}
	// waist fee: k=0.06 × E[followers] on [1e5, 1e6) with α=1.5.
	if uc := p.Decisions[0].UnitCost; uc < 10000 || uc > 25000 {
		t.Errorf("waist unit cost %g", uc)
	}
	if uc := p.Decisions[1].UnitCost; uc < p.Decisions[0].UnitCost*5 {
		t.Errorf("head unit cost %g not ≫ waist", uc)
	}
	if p.Decisions[4].UnitCost != 1 {
		t.Errorf("paid traffic unit cost %g", p.Decisions[4].UnitCost)
	}
	if !p.Space.Feasible(p.BaselineX(), 1e-6) {
		t.Errorf("baseline %v (cost %g) not feasible", p.BaselineX(), p.Cost(p.BaselineX()))
	}
	x := p.Space.Repair(nil, []float64{20, 3, 10, 40, 8e5})
	sc, err := p.Apply(x)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := scenarios.GetFloat(sc, "merchants.spring_jacket.strategy.matrix.growth-tail.count")
	if v != x[3] || sc.Optimize != nil {
		t.Errorf("apply: %g vs %g", v, x[3])
	}
	if _, err := scenarios.Marshal(sc); err != nil {
		t.Fatal(err)
	}
}

func TestProblemBadBlocks(t *testing.T) {
	src, err := readLibrary("apparel-launch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, old, new, want, path string
		line                       string // what the reported line of the file holds
	}{
		{"empty", "  decide:\n", "  decide: []\n  old_decide:\n", "empty decision space", "optimize.decide", "decide: []"},
		{"infeasible", "budget: {total_at_most: 1200000}", "budget: {total_at_most: 1000}", "infeasible", "optimize.budget.total_at_most", "total_at_most: 1000"},
		{"fixed over budget", "max: 800000, money: true, unit_cost: 1}", "max: 800000, money: true, unit_cost: 1, fixed: true}", "below the cost of the fixed items", "optimize.budget.total_at_most", "total_at_most: 300000"},
		{"reversed", "growth-tail.count, min: 0, max: 40", "growth-tail.count, min: 40, max: 4", "", "optimize.decide.3", "growth-tail.count, min: 40, max: 4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := strings.Replace(string(src), c.old, c.new, 1)
			switch c.name {
			case "infeasible":
				data = strings.Replace(data, "growth-tail.count, min: 0", "growth-tail.count, min: 10", 1)
				data = strings.Replace(data, "paid_traffic, min: 0,", "paid_traffic, min: 5000,", 1)
			case "fixed over budget":
				data = strings.Replace(data, "budget: {total_at_most: 1200000}", "budget: {total_at_most: 300000}", 1)
			}
			data = strings.Replace(data, "  old_decide:\n", "  xdecide:\n", 1)
			data = removeKey(data, "  xdecide:")
			data = removeKey(data, "  xbudget:")
			sc, err := scenarios.LoadBytes("apparel-launch.yaml", []byte(data))
			if err == nil {
				_, err = NewProblem(sc, ProblemOptions{})
			}
			if err == nil {
				t.Fatal("no error")
			}
			var es scenarios.Errors
			if !errors.As(err, &es) {
				t.Fatalf("not scenarios.Errors: %v", err)
			}
			found := false
			for _, e := range es {
				if strings.HasPrefix(e.Path, c.path) && strings.Contains(e.Error(), c.want) {
					found = true
					if e.Line == 0 || e.File != "apparel-launch.yaml" {
						t.Errorf("no position: %v", e)
					} else if l := strings.Split(data, "\n")[e.Line-1]; !strings.Contains(l, c.line) {
						t.Errorf("%v: line %d is %q, want the line of %q", e, e.Line, l, c.line)
					}
				}
			}
			if !found {
				t.Errorf("want %q at %s, got:\n%v", c.want, c.path, err)
			}
			t.Log(err)
		})
	}
}

// removeKey drops a mapping key line that starts with prefix and the lines
// indented under it.
func removeKey(s, prefix string) string {
	lines := strings.Split(s, "\n")
	var out []string
	skip := false
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			skip = true
			continue
		}
		if skip && (strings.HasPrefix(l, "    ") || strings.HasPrefix(l, "  - ")) {
			continue
		}
		skip = false
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func readLibrary(name string) ([]byte, error) {
	return osReadFile("testdata/" + name)
}

func solveJSON(t *testing.T, out *Outcome) string {
	t.Helper()
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSolveWorkersAndResume(t *testing.T) {
	sc := apparel(t, "optimize.frontier=[600000, 1200000]")
	p, err := NewProblem(sc, ProblemOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opts := SolveOptions{Simulate: fakeSim(0), Evals: 600, ReportRuns: 40, RandomArm: true}
	opts.Workers = 1
	o1, err := Solve(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Workers = 2
	o2, err := Solve(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	if solveJSON(t, o1) != solveJSON(t, o2) {
		t.Fatal("workers 1 and 2 differ")
	}
	if o1.EvalsUsed > 600 {
		t.Errorf("used %d > 600 runs", o1.EvalsUsed)
	}
	if len(o1.Frontier) != 2 {
		t.Errorf("frontier %+v", o1.Frontier)
	}
	t.Logf("used %d runs; %s", o1.EvalsUsed, o1.Verdict)

	// Interrupt after a few checkpoints (within the search, then within
	// the frontier), resume from the JSON of the last state.
	for _, stopAt := range []int{3, 9, 14} {
		ctx, cancel := context.WithCancel(context.Background())
		var saved []byte
		n := 0
		o := opts
		o.Workers = 2
		o.Checkpoint = func(st *SolveState) error {
			b, err := json.Marshal(st)
			if err != nil {
				return err
			}
			saved = b
			n++
			if n == stopAt {
				cancel()
			}
			return nil
		}
		part, err := Solve(ctx, p, o)
		cancel()
		if err == nil || part.Complete {
			t.Fatalf("stop %d: not interrupted (%v)", stopAt, err)
		}
		var st SolveState
		if err := json.Unmarshal(saved, &st); err != nil {
			t.Fatal(err)
		}
		o.Checkpoint = nil
		o.Resume = &st
		res, err := Solve(context.Background(), p, o)
		if err != nil {
			t.Fatal(err)
		}
		if solveJSON(t, res) != solveJSON(t, o1) {
			t.Fatalf("stop %d: resumed differs from uninterrupted", stopAt)
		}
	}
}

func TestSolveBeatsBaselineAndRandom(t *testing.T) {
	p, err := NewProblem(apparel(t), ProblemOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Solve(context.Background(), p, SolveOptions{Simulate: fakeSim(0), Evals: 1200, ReportRuns: 40, RandomArm: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", out.Verdict)
	if out.Best.Label == "baseline" || out.VsBaseline == nil || !out.VsBaseline.Better {
		t.Errorf("did not beat the baseline: %+v", out.VsBaseline)
	}
	if out.Best.Label == "random search best" || out.VsRandom == nil || !out.VsRandom.Better {
		t.Errorf("did not beat random search: %+v", out.VsRandom)
	}
	if !p.Space.Feasible(out.Best.X, 1e-6) {
		t.Errorf("winner infeasible")
	}
}

func BenchmarkSolveWorkers(b *testing.B) {
	p, err := NewProblem(apparel(b), ProblemOptions{})
	if err != nil {
		b.Fatal(err)
	}
	run := func(w int) time.Duration {
		t0 := time.Now()
		if _, err := Solve(context.Background(), p, SolveOptions{Simulate: fakeSim(2 * time.Millisecond), Evals: 400, ReportRuns: 40, Workers: w}); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	for range b.N {
		t1, t2 := run(1), run(2)
		b.ReportMetric(t1.Seconds()/t2.Seconds(), "speedup_2w")
	}
}

var osReadFile = os.ReadFile
