package sim

import (
	"context"
	"math"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

// benchWorld returns a world of the bench-1m library scenario (20
// merchants) with the given number of users, advanced past its first day.
func benchWorld(b *testing.B, users string) *world {
	sc, err := scenarios.LoadLibrary("bench-1m", "population.users="+users, "replications=1")
	if err != nil {
		b.Fatal(err)
	}
	w := testWorld(b, sc)
	return w
}

// BenchmarkUserLoop times the hot loop (activation, exposure, response,
// stock tally) over 100k users × 20 merchants, one day per iteration.
func BenchmarkUserLoop(b *testing.B) {
	w := benchWorld(b, "100000")
	w.beginDay(0)
	x := w.userContext()
	var a accum
	a.reset(w)
	b.ResetTimer()
	for b.Loop() {
		for ci := range w.chunks {
			w.runChunk(&w.chunks[ci], &a, &x)
		}
	}
	b.ReportMetric(float64(w.U)*float64(b.N)/b.Elapsed().Seconds(), "user-days/s")
}

// BenchmarkDay times a whole day (tables, user loop, settlement) on one
// core.
func BenchmarkDay(b *testing.B) {
	w := benchWorld(b, "100000")
	var a accum
	d := 0
	b.ResetTimer()
	for b.Loop() {
		w.beginDay(d % w.T)
		x := w.userContext()
		a.reset(w)
		for ci := range w.chunks {
			w.runChunk(&w.chunks[ci], &a, &x)
		}
		w.endDay(d%w.T, &a)
		d++
	}
	b.ReportMetric(float64(w.U)*float64(b.N)/b.Elapsed().Seconds(), "user-days/s")
}

// BenchmarkRun times Run end to end (world construction included) with
// all cores.
func BenchmarkRun(b *testing.B) {
	sc, err := scenarios.LoadLibrary("bench-1m", "population.users=100000", "replications=2")
	if err != nil {
		b.Fatal(err)
	}
	var ud float64
	for b.Loop() {
		res, err := Run(context.Background(), sc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		ud += res.Work.UserDays
	}
	b.ReportMetric(ud/b.Elapsed().Seconds(), "user-days/s")
}

// TestBassTracksRecursion: with full mixing over many creators, the
// engine's adopters track the discrete Bass recursion within sampling
// noise (4 binomial sd + 1 creator).
func TestBassTracksRecursion(t *testing.T) {
	sc := testScenario(t, "creators.generate.count=20000", "population.users=200", "replications=1", "horizon_days=30")
	sc.Variants = nil
	res := run(t, sc, 1)
	adopt := res.Variants[0].Reps[0].Daily["trend_adopters:mint"]
	ref := res.Variants[0].Reps[0].Daily["trend_bass:mint"]
	m := 0.5 * 20000
	for d := range adopt {
		f := ref[d] / m
		sd := math.Sqrt(m * f * (1 - f))
		if math.Abs(adopt[d]-ref[d]) > 4*sd+1+0.02*ref[d] {
			t.Fatalf("day %d: %v adopters, reference %v (sd %.1f)", d+1, adopt[d], ref[d], sd)
		}
	}
}

// BenchmarkCompile times the compile step (validation, variants, indices)
// of the default scenario: what Run adds before the first world.
func BenchmarkCompile(b *testing.B) {
	sc, err := scenarios.Default()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := compile(sc, false); err != nil {
			b.Fatal(err)
		}
	}
}
