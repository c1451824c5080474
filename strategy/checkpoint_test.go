package strategy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// midSearchState runs Solve on the test problem and returns the problem,
// the options and the checkpoint JSON (MarshalSolveState) taken in the
// middle of the main CMA-ES search, after the random arm finished.
func midSearchState(t *testing.T) (*Problem, SolveOptions, []byte) {
	t.Helper()
	p, err := NewProblem(apparel(t, "optimize.frontier=[600000]"), ProblemOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opts := SolveOptions{Simulate: fakeSim(0), Evals: 600, ReportRuns: 20, RandomArm: true, Workers: 2}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var saved []byte
	o := opts
	o.Checkpoint = func(st *SolveState) error {
		if ph := st.Phases["search"]; ph != nil && ph.Search != nil && ph.Search.Generations >= 3 && saved == nil {
			b, err := MarshalSolveState(st)
			if err != nil {
				return err
			}
			saved = b
			cancel()
		}
		return nil
	}
	if _, err := Solve(ctx, p, o); err == nil || saved == nil {
		t.Fatalf("no mid-search checkpoint (err %v)", err)
	}
	return p, opts, saved
}

// tamper decodes the checkpoint into generic JSON, applies f, and encodes
// it again re-sealed with a valid checksum (so that the field checks, not
// the checksum, must catch the change) unless reseal is false.
func tamper(t *testing.T, data []byte, f func(m map[string]any), reseal bool) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !reseal {
		return b
	}
	var st SolveState
	if err := json.Unmarshal(b, &st); err != nil {
		return b // a type error: the decoder must refuse it
	}
	out, err := MarshalSolveState(&st)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func obj(m map[string]any, path ...string) map[string]any {
	for _, k := range path {
		m = m[k].(map[string]any)
	}
	return m
}

// cmaesOf is the main search's CMA-ES state inside the checkpoint.
func cmaesOf(m map[string]any) map[string]any { return obj(m, "phases", "search", "search", "state") }

func runOf(m map[string]any) map[string]any { return obj(cmaesOf(m), "run") }

// TestCheckpointTampering (issue 17 item 5): a tampered checkpoint is
// refused with a message naming what is wrong — never a panic, never
// accepted. The kinds include the (lambda 0 or 1e9, sigma −1, a
// covariance of 3 values, runs −100000, a dimension mismatch that used to
// index out of range in Space.Project).
func TestCheckpointTampering(t *testing.T) {
	p, opts, good := midSearchState(t)
	if _, err := UnmarshalSolveState(good, p, opts); err != nil {
		t.Fatalf("the untampered checkpoint is refused: %v", err)
	}
	set := func(path []string, key string, v any) func(map[string]any) {
		return func(m map[string]any) { obj(m, path...)[key] = v }
	}
	search := []string{"phases", "search", "search"}
	state := append(append([]string(nil), search...), "state")
	run := append(append([]string(nil), state...), "run")
	noise := append(append([]string(nil), state...), "noise")
	cases := []struct {
		name   string
		data   func() []byte
		expect string
	}{
		{"not JSON", func() []byte { return []byte("{") }, "not a startrend optimize checkpoint"},
		{"empty", func() []byte { return nil }, "not a startrend optimize checkpoint"},
		{"truncated", func() []byte { return good[:len(good)/2] }, "not a startrend optimize checkpoint"},
		{"other producer", func() []byte { return tamper(t, good, func(m map[string]any) { m["producer"] = "x" }, false) }, "producer"},
		{"checksum altered", func() []byte {
			return tamper(t, good, func(m map[string]any) { m["checksum"] = "sha256:00" }, false)
		}, "checksum mismatch"},
		{"content changed, checksum kept", func() []byte {
			return tamper(t, good, set(run, "sigma", 0.5), false)
		}, "checksum mismatch"},
		{"format version", func() []byte { return tamper(t, good, func(m map[string]any) { m["format_version"] = 99 }, true) }, "format_version"},
		{"other scenario", func() []byte { return tamper(t, good, func(m map[string]any) { m["scenario_hash"] = "abc" }, true) }, "another scenario"},
		{"other method", func() []byte { return tamper(t, good, func(m map[string]any) { m["method"] = "random" }, true) }, "other settings"},
		{"other budget", func() []byte { return tamper(t, good, func(m map[string]any) { m["evals"] = 601 }, true) }, "other settings"},
		{"lambda 0", func() []byte { return tamper(t, good, set(run, "lambda", 0), true) }, "run.lambda is 0"},
		{"lambda 1e9", func() []byte { return tamper(t, good, set(run, "lambda", 1e9), true) }, "run.lambda is 1000000000"},
		{"sigma -1", func() []byte { return tamper(t, good, set(run, "sigma", -1), true) }, "run.sigma is -1"},
		{"sigma NaN", func() []byte { return tamper(t, good, set(run, "sigma", "NaN"), true) }, "run.sigma is NaN"},
		{"covariance of 3 values", func() []byte { return tamper(t, good, set(run, "c", []float64{1, 0, 1}), true) }, "run.c has 3 values"},
		{"covariance asymmetric", func() []byte {
			return tamper(t, good, func(m map[string]any) { runOf(m)["c"].([]any)[1] = 0.3 }, true)
		}, "not symmetric"},
		{"mean of wrong length", func() []byte { return tamper(t, good, set(run, "mean", []float64{0.5}), true) }, "run.mean has 1 values"},
		{"negative eigenvalue root", func() []byte {
			return tamper(t, good, func(m map[string]any) { runOf(m)["d"].([]any)[0] = -1 }, true)
		}, "run.d[0] is -1"},
		{"weights changed", func() []byte {
			return tamper(t, good, func(m map[string]any) { runOf(m)["w"].([]any)[0] = 0.9 }, true)
		}, "not those of lambda"},
		{"dimension mismatch", func() []byte { return tamper(t, good, set(state, "n", 2), true) }, "state has 2 dimensions"},
		{"rng garbage", func() []byte { return tamper(t, good, set(state, "rng", "AAAA"), true) }, "restoring cmaes"},
		{"pending of wrong dimension", func() []byte {
			return tamper(t, good, func(m map[string]any) { cmaesOf(m)["pending"] = []any{[]float64{1, 2}} }, true)
		}, "pending"},
		{"restarts done > restarts", func() []byte { return tamper(t, good, set(state, "restarts_done", 50), true) }, "restarts_done is 50"},
		{"evaluations per candidate 0", func() []byte { return tamper(t, good, set(noise, "evals", 0), true) }, "noise.evals is 0"},
		{"runs -100000", func() []byte { return tamper(t, good, set([]string{"phases", "search"}, "runs", -100000), true) }, "runs is -100000"},
		{"generations -1", func() []byte { return tamper(t, good, set(search, "generations", -1), true) }, "generations is -1"},
		{"history point of wrong dimension", func() []byte {
			return tamper(t, good, func(m map[string]any) {
				obj(m, search...)["history"].(map[string]any)["evals"].([]any)[0].(map[string]any)["x"] = []float64{1}
			}, true)
		}, "history[0].x"},
		{"history value NaN", func() []byte {
			return tamper(t, good, func(m map[string]any) {
				obj(m, search...)["history"].(map[string]any)["evals"].([]any)[0].(map[string]any)["value"] = "NaN"
			}, true)
		}, "NaN"},
		{"unknown phase", func() []byte {
			return tamper(t, good, func(m map[string]any) { obj(m, "phases")["frontier.7"] = map[string]any{"runs": 0} }, true)
		}, "unknown phase"},
		{"null phase", func() []byte {
			return tamper(t, good, func(m map[string]any) { obj(m, "phases")["search"] = nil }, true)
		}, "is null"},
		{"finished phase's point of wrong dimension", func() []byte {
			return tamper(t, good, set([]string{"phases", "random", "result"}, "best_x", []float64{1, 2}), true)
		}, "result.best_x has 2 values"},
		{"phases over budget", func() []byte {
			return tamper(t, good, set([]string{"phases", "random"}, "runs", 600), true)
		}, "more than the budget"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			data := c.data()
			st, err := UnmarshalSolveState(data, p, opts)
			if err == nil {
				t.Fatalf("accepted (%d bytes)", len(data))
			}
			if !strings.Contains(err.Error(), c.expect) {
				t.Fatalf("error %q does not say %q", err, c.expect)
			}
			if st != nil {
				t.Fatal("a state came back with the error")
			}
			// and Solve refuses the same state given directly
			var raw SolveState
			if json.Unmarshal(data, &raw) == nil && raw.FormatVersion != 0 {
				o := opts
				o.Resume = &raw
				if c.expect != "checksum mismatch" && c.expect != "producer" {
					if _, err := Solve(context.Background(), p, o); err == nil {
						t.Fatal("Solve resumed from it")
					}
				}
			}
		})
	}
	if len(cases) < 22 {
		t.Fatalf("%d tamper kinds, the issue asks 22", len(cases))
	}
}

// TestCheckpointResumesExactly: the sealed checkpoint round-trips and
// resumes to the uninterrupted answer.
func TestCheckpointResumesExactly(t *testing.T) {
	p, opts, data := midSearchState(t)
	full, err := Solve(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := UnmarshalSolveState(data, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	o := opts
	o.Resume = st
	res, err := Solve(context.Background(), p, o)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := solveJSON(t, full), solveJSON(t, res); a != b {
		t.Fatal(fmt.Sprintf("resumed differs from uninterrupted (%d vs %d bytes)", len(a), len(b)))
	}
}

// TestResumeMidRace interrupts Solve in the middle of the main race (after
// the search's last checkpoint, before the race's) and resumes from the
// last checkpoint: the race runs again from its first round on the same
// seeds and the outcome equals the uninterrupted one.
func TestResumeMidRace(t *testing.T) {
	p, err := NewProblem(apparel(t, "optimize.frontier=[]"), ProblemOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opts := SolveOptions{Simulate: fakeSim(0), Evals: 400, ReportRuns: 20, Workers: 2}
	full, err := Solve(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	if full.Search.RaceRuns < 10 {
		t.Fatalf("race of %d runs: nothing to interrupt", full.Search.RaceRuns)
	}
	mid := full.Search.SearchRuns + full.Search.RaceRuns/2
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var saved []byte
	o := opts
	o.Checkpoint = func(st *SolveState) error {
		b, err := MarshalSolveState(st)
		saved = b
		return err
	}
	o.Progress = func(done, _ int, _ float64) {
		if done >= mid {
			cancel()
		}
	}
	part, err := Solve(ctx, p, o)
	if err == nil || part.Complete {
		t.Fatal("not interrupted")
	}
	st, err := UnmarshalSolveState(saved, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	if ph := st.Phases["search"]; ph == nil || ph.Result != nil || ph.Search == nil {
		t.Fatalf("the last checkpoint is not the end of the search: %+v", ph)
	}
	o = opts
	o.Resume = st
	res, err := Solve(context.Background(), p, o)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := solveJSON(t, full), solveJSON(t, res); a != b {
		t.Fatalf("resumed mid-race differs from uninterrupted (%d vs %d bytes)", len(a), len(b))
	}
}
