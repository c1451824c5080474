package calibrate

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// Known-truth recovery (issue 14, "Must hold"): targets simulated at a
// known θ, calibration from elsewhere in the bounds ⇒ the truth inside the
// reported 95% intervals; the parameter no target depends on (d) is not
// identified, the others are.
func TestSMMRecoversKnownTruth(t *testing.T) {
	res := fitToy(t, 1, 2)
	for i, p := range res.Params {
		if i == 3 {
			if p.Verdict != NotIdentified {
				t.Errorf("%s (no target depends on it): verdict %q, want %q", p.Name, p.Verdict, NotIdentified)
			}
			continue
		}
		if !(p.CILo <= toyTruth[i] && toyTruth[i] <= p.CIHi) {
			t.Errorf("%s: truth %g outside the 95%% interval [%g, %g] (estimate %g)", p.Name, toyTruth[i], p.CILo, p.CIHi, p.Estimate)
		}
		if p.Verdict != Identified {
			t.Errorf("%s: verdict %q (%s), want identified", p.Name, p.Verdict, p.Reason)
		}
		if start := toyStart(1)[i]; math.Abs(start-toyTruth[i]) < 0.1*(p.Hi-p.Lo) {
			t.Errorf("%s: the start %g is not away from the truth %g", p.Name, start, toyTruth[i])
		}
	}
	for _, tf := range res.Targets {
		if math.Abs(tf.Z) > 3 {
			t.Errorf("target %s: simulated %g is %.2f standard errors from %g", tf.Name, tf.Simulated, tf.Z, tf.Observed)
		}
	}
	if res.Runs > 3000 {
		t.Errorf("used %d runs, budget 3000", res.Runs)
	}
}

// coverage fits the toy for seeds 1..n and returns the share of the
// identified parameters' 95% intervals that contain the truth.
func coverage(t testing.TB, n int) (float64, []int) {
	per := make([]int, len(toyParams))
	hit, all := 0, 0
	for s := 1; s <= n; s++ {
		res := fitToy(t, uint64(s), 2)
		for i, p := range res.Params {
			if i == 3 {
				continue // not identified: its interval is the bounds
			}
			all++
			if p.CILo <= toyTruth[i] && toyTruth[i] <= p.CIHi {
				hit++
				per[i]++
			}
		}
	}
	return float64(hit) / float64(all), per
}

// Coverage study (issue 14): over 40 seeds (new observed data, a new start
// and new simulation replications each) at least 85% of the identified
// parameters' 95% intervals contain the truth. Measured: 0.95 at 40
// seeds; BenchmarkSMMCoverage runs 200.
func TestSMMCoverage(t *testing.T) {
	cov, per := coverage(t, 40)
	t.Logf("coverage over 40 seeds: %.3f (per parameter %v of 40)", cov, per[:3])
	if cov < 0.85 {
		t.Errorf("coverage %.3f < 0.85 (per parameter %v of 40)", cov, per[:3])
	}
}

func BenchmarkSMMCoverage(b *testing.B) {
	for range b.N {
		cov, _ := coverage(b, 200)
		b.ReportMetric(cov, "coverage")
	}
}

// Same inputs and seed ⇒ identical fit for any number of workers, and via
// a hand-driven ask/tell loop.
func TestSMMDeterministicAnyWorkers(t *testing.T) {
	r1 := fitToy(t, 7, 1)
	r4 := fitToy(t, 7, 4)
	if !sameResult(t, r1, r4) {
		t.Fatal("fits differ between 1 and 4 workers")
	}
	c, err := NewSMM(toyProblem(t, 7), SMMOptions{Replications: 8, MaxRuns: 3000, Start: toyStart(7), RepBase: 700})
	if err != nil {
		t.Fatal(err)
	}
	for {
		runs, err := c.Ask()
		if err != nil {
			t.Fatal(err)
		}
		if runs == nil {
			break
		}
		// answer in reverse order of simulation, placed by index
		out := make([][]float64, len(runs))
		for i := len(runs) - 1; i >= 0; i-- {
			out[i], _ = toySim(context.Background(), runs[i].Theta, runs[i].Rep)
		}
		if err := c.Tell(out); err != nil {
			t.Fatal(err)
		}
	}
	rm, err := c.Result()
	if err != nil {
		t.Fatal(err)
	}
	if !sameResult(t, r1, rm) {
		t.Fatal("the ask/tell loop's fit differs from Run's")
	}
}

// failAfter simulates up to n batches, then fails (an interrupted run).
type failAfter struct {
	sim Simulator
	n   int
}

var errInterrupted = errors.New("interrupted")

// never is a simulator that must not be called.
func (failAfter) never() Simulator { return &failAfter{sim: nil, n: 0} }

func (f *failAfter) Simulate(ctx context.Context, runs []Run) ([][]float64, error) {
	if f.n == 0 {
		return nil, errInterrupted
	}
	f.n--
	return f.sim.Simulate(ctx, runs)
}

// memo is a record of completed runs that answers the runs it holds
// without simulating (what a run store does for a resumed calibration).
type memo struct {
	sim          Simulator
	runs         map[string][]float64
	hits, misses int
}

func memoKey(r Run) string { return fmt.Sprint(r.Rep, r.Theta) }

func (m *memo) Simulate(ctx context.Context, runs []Run) ([][]float64, error) {
	out := make([][]float64, len(runs))
	var todo []Run
	var at []int
	for i, r := range runs {
		if o, ok := m.runs[memoKey(r)]; ok {
			out[i] = o
			m.hits++
			continue
		}
		todo, at = append(todo, r), append(at, i)
	}
	if len(todo) > 0 {
		got, err := m.sim.Simulate(ctx, todo)
		if err != nil {
			return nil, err
		}
		for k, o := range got {
			out[at[k]] = o
			m.runs[memoKey(todo[k])] = o
			m.misses++
		}
	}
	return out, nil
}

// A calibration interrupted part way and replayed with the completed runs
// answered from a record (a resume) ends with exactly the fit of an
// uninterrupted one, simulating only the runs the record lacks.
func TestResumeFromRecordIsIdentical(t *testing.T) {
	for _, method := range []string{"smm", "abc-smc"} {
		t.Run(method, func(t *testing.T) {
			newCal := func() *Calibration {
				var c *Calibration
				var err error
				if method == "smm" {
					c, err = NewSMM(toyProblem(t, 3), SMMOptions{Replications: 8, MaxRuns: 2400, Start: toyStart(3), Bootstrap: 3, BootstrapRuns: 600})
				} else {
					c, err = NewABC(toyProblem(t, 3), ABCOptions{Population: 100, Generations: 3})
				}
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			want, err := newCal().Run(context.Background(), Parallel(toySim, 2), nil)
			if err != nil {
				t.Fatal(err)
			}
			rec := map[string][]float64{}
			m1 := &memo{sim: &failAfter{Parallel(toySim, 2), 5}, runs: rec}
			if _, err := newCal().Run(context.Background(), m1, nil); !errors.Is(err, errInterrupted) {
				t.Fatalf("first attempt: %v, want the interruption", err)
			}
			done := m1.misses
			m2 := &memo{sim: Parallel(toySim, 3), runs: rec}
			got, err := newCal().Run(context.Background(), m2, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !sameResult(t, got, want) {
				t.Fatal("resumed fit differs from the uninterrupted one")
			}
			if m2.hits < done || m2.misses == 0 {
				t.Fatalf("resume answered %d runs from the record (had %d) and simulated %d", m2.hits, done, m2.misses)
			}
		})
	}
}

func TestProblemValidation(t *testing.T) {
	ok := Target{Name: "t", Observed: 1, SE: 0.1}
	cases := []struct {
		p    Problem
		want string
	}{
		{Problem{Targets: []Target{ok}}, "no parameters"},
		{Problem{Params: []Parameter{{Name: "x", Lo: 2, Hi: 1}}, Targets: []Target{ok}}, "parameter x: bounds reversed: lo=2 > hi=1"},
		{Problem{Params: []Parameter{{Name: "x", Lo: 0, Hi: 1, Prior: Prior{Dist: "normal", Mean: 3, SD: 1}}}, Targets: []Target{ok}}, "prior mean 3 is outside the bounds [0, 1]"},
		{Problem{Params: []Parameter{{Name: "x", Lo: 0, Hi: 1}}, Targets: []Target{{Name: "t", Observed: 0, Tolerance: 0.1}}}, "target t: needs se > 0 or tolerance > 0"},
		{Problem{Params: []Parameter{{Name: "x", Lo: 0, Hi: 1, Prior: Prior{Dist: "beta"}}}, Targets: []Target{ok}}, `unknown prior "beta"`},
	}
	for _, c := range cases {
		err := c.p.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}

// sameResult compares two results bit for bit (NaN included, which
// reflect.DeepEqual treats as unequal to itself).
func sameResult(t testing.TB, a, b *Result) bool {
	t.Helper()
	enc := func(r *Result) []byte {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(r); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	return bytes.Equal(enc(a), enc(b))
}

func TestResultJSONWithInfinities(t *testing.T) {
	res := fitToy(t, 1, 2)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("not valid JSON: %v", err)
	}
	if !strings.Contains(string(b), `"SE":"+Inf"`) || back["Method"] != "smm" {
		t.Fatalf("unexpected JSON: %.300s", b)
	}
}

// The parametric bootstrap's percentile intervals agree with the sandwich
// on the toy (same order of width, truth inside) and keep the inert
// parameter not identified.
func TestSMMBootstrapIntervals(t *testing.T) {
	c, err := NewSMM(toyProblem(t, 4), SMMOptions{Replications: 8, MaxRuns: 24000, BootstrapRuns: 20000, Bootstrap: 20, Start: toyStart(4), RepBase: 400})
	if err != nil {
		t.Fatal(err)
	}
	boot, err := c.Run(context.Background(), Parallel(toySim, 2), nil)
	if err != nil {
		t.Fatal(err)
	}
	sand := fitToy(t, 4, 2)
	for i := range 3 {
		b, s := boot.Params[i], sand.Params[i]
		ratio := (b.CIHi - b.CILo) / (s.CIHi - s.CILo)
		t.Logf("%s: bootstrap [%.3f, %.3f], sandwich [%.3f, %.3f], width ratio %.2f", b.Name, b.CILo, b.CIHi, s.CILo, s.CIHi, ratio)
		if ratio < 0.5 || ratio > 2 {
			t.Errorf("%s: bootstrap interval %.3g wide, sandwich %.3g", b.Name, b.CIHi-b.CILo, s.CIHi-s.CILo)
		}
		if !(b.CILo <= toyTruth[i] && toyTruth[i] <= b.CIHi) {
			t.Errorf("%s: truth %g outside the bootstrap interval [%g, %g]", b.Name, toyTruth[i], b.CILo, b.CIHi)
		}
	}
	if boot.Params[3].Verdict != NotIdentified || len(boot.Bootstrap) != 20 {
		t.Errorf("inert parameter %q, %d refits", boot.Params[3].Verdict, len(boot.Bootstrap))
	}
}
