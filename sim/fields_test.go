package sim

import (
	"math"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

// fieldEffectAllow lists the numeric fields of the test scenario that may
// leave every KPI unchanged, each with the reason it cannot act there. At
// most 5% of the fields may stand on it.
var fieldEffectAllow = map[string]string{}

// kpiMoved reports the KPI (baseline totals, any replication) that changed
// most between a and b, relative to its size, and whether that change is
// more than rounding (1e-9 relative; the runs are deterministic and use one
// worker, so an unchanged model reproduces every total to the last bit).
// Hash, names and headers are not compared.
func kpiMoved(a, b *Result) (metric string, rel float64, moved bool) {
	va, vb := a.Variants[0].Reps, b.Variants[0].Reps
	for r := range min(len(va), len(vb)) {
		names := make([]string, 0, len(va[r].Totals))
		for k := range va[r].Totals {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			x, y := va[r].Totals[k], vb[r].Totals[k]
			if math.IsNaN(x) && math.IsNaN(y) || x == y {
				continue
			}
			d := math.Abs(x-y) / math.Max(math.Max(math.Abs(x), math.Abs(y)), 1e-300)
			if math.IsNaN(x) != math.IsNaN(y) {
				d = math.Inf(1)
			}
			if d > rel {
				metric, rel = k, d
			}
		}
	}
	return metric, rel, rel > 1e-9
}

// fieldEffectBase is the test scenario shrunk for the field-effect check.
func fieldEffectBase(t testing.TB) *scenarios.Scenario {
	base := testScenario(t, "replications=1", "population.users=1500", "horizon_days=20")
	base.Variants = nil
	return base
}

// perturbed returns a valid copy of base with path changed, or nil.
func perturbed(base *scenarios.Scenario, path string, paths []string) *scenarios.Scenario {
	v, err := scenarios.GetFloat(base, path)
	if err != nil {
		return nil
	}
	for _, nv := range perturbations(v) {
		if f, ok := nv.(float64); (ok && f == v) || nv == any(int(v)) {
			continue // not a change
		}
		c := scenarios.Clone(base)
		if scenarios.Set(c, path, nv) != nil || scenarios.Validate(c) != nil {
			continue
		}
		return c
	}
	// Shares that must sum to 1: move a little to a sibling.
	return moveShare(base, path, v, paths)
}

// TestEveryFieldHasAnEffect perturbs every numeric field of the test
// scenario (which exercises every lever) in turn and requires some KPI of
// the baseline to move by more than rounding; the scenario hash, names and
// headers are left out of the comparison (they change with any edit, so a
// comparison including them could not fail). A field may instead stand on
// fieldEffectAllow with its reason, for at most 5% of the fields. Runs are
// spread over GOMAXPROCS goroutines, one engine worker each.
func TestEveryFieldHasAnEffect(t *testing.T) {
	base := fieldEffectBase(t)
	ref := run(t, base, 1)
	var paths []string
	numericPaths(reflect.ValueOf(base).Elem(), "", &paths)
	type outcome struct {
		path, metric string
		rel          float64
		moved, tried bool
	}
	out := make([]outcome, len(paths))
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i].path = paths[i]
				sc := perturbed(base, paths[i], paths)
				if sc == nil {
					continue
				}
				res, err := Run(t.Context(), sc, Options{Workers: 1})
				if err != nil {
					t.Errorf("%s: %v", paths[i], err)
					continue
				}
				out[i].tried = true
				out[i].metric, out[i].rel, out[i].moved = kpiMoved(ref, res)
			}
		}()
	}
	for i := range paths {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	tested, inert, skipped := 0, []string{}, []string{}
	for _, o := range out {
		switch {
		case !o.tried:
			skipped = append(skipped, o.path)
		case o.moved:
			tested++
			if _, ok := fieldEffectAllow[o.path]; ok {
				t.Errorf("%s stands on the allow-list but moves %s by %.3g: take it off", o.path, o.metric, o.rel)
			}
		default:
			tested++
			if _, ok := fieldEffectAllow[o.path]; !ok {
				inert = append(inert, o.path)
				t.Errorf("changing %s moves no KPI by more than rounding (largest: %s %.3g)", o.path, o.metric, o.rel)
			}
		}
	}
	if n := len(fieldEffectAllow); float64(n) > 0.05*float64(tested) {
		t.Errorf("%d fields on the allow-list, more than 5%% of %d", n, tested)
	}
	t.Logf("%d numeric fields perturbed, %d inert, %d allowed; %d could not be changed alone and stay valid: %s",
		tested, len(inert), len(fieldEffectAllow), len(skipped), strings.Join(skipped, ", "))
	if tested < 150 {
		t.Errorf("only %d fields tested", tested)
	}
}

// TestFieldEffectCheckCatchesInert: the comparison reports no effect for
// changes the engine cannot see — the scenario's name (which changes the
// hash the old comparison included) and a zero-weight share in a mix —
// and an effect for a real one, so TestEveryFieldHasAnEffect can fail.
func TestFieldEffectCheckCatchesInert(t *testing.T) {
	base := fieldEffectBase(t)
	ref := run(t, base, 1)
	renamed := scenarios.Clone(base)
	renamed.Name = "renamed"
	res := run(t, renamed, 1)
	if res.Hash == ref.Hash {
		t.Fatal("renaming kept the hash: the demonstration needs a hash change")
	}
	if m, rel, moved := kpiMoved(ref, res); moved {
		t.Errorf("renaming the scenario moved %s by %.3g", m, rel)
	}
	// An inert numeric field: the duration of a trend nobody adopts
	// (potential 0) cannot act.
	inert := scenarios.Clone(base)
	if err := scenarios.Set(inert, "trends.mint.potential", 0); err != nil {
		t.Fatal(err)
	}
	resA := run(t, inert, 1)
	inert2 := scenarios.Clone(inert)
	if err := scenarios.Set(inert2, "trends.mint.fade_days", 25.0); err != nil {
		t.Fatal(err)
	}
	if m, rel, moved := kpiMoved(resA, run(t, inert2, 1)); moved {
		t.Errorf("fade_days of a trend nobody adopts moved %s by %.3g", m, rel)
	}
	real := scenarios.Clone(base)
	if err := scenarios.Set(real, "merchants.a.budget.paid_traffic", 40000.0); err != nil {
		t.Fatal(err)
	}
	if _, _, moved := kpiMoved(ref, run(t, real, 1)); !moved {
		t.Error("doubling a paid-traffic budget moved no KPI")
	}
}
