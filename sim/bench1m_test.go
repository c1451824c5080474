package sim

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/startrend/startrend/internal/machine"
	"github.com/startrend/startrend/scenarios"
)

// BenchmarkBench1M is `make bench`'s headline: the bench-1m library
// scenario (1,000,000 users, 10,000 creators, 20 merchants, 30 days,
// default platform parameters), one replication, with 1 and then 2
// workers (chunks of users in parallel; the result is identical). It
// reports user-days/s per core, impressions evaluated/s, funnel
// transitions/s, the 2-worker speed-up and the process's peak memory.
func BenchmarkBench1M(b *testing.B) {
	benchScale(b, "bench-1m", 2)
}

// BenchmarkBench100M runs bench-100m (100,000,000 users, ≈ 20 GB, several
// minutes) with all cores, only when STARTREND_BENCH_100M=1.
func BenchmarkBench100M(b *testing.B) {
	if os.Getenv("STARTREND_BENCH_100M") != "1" {
		b.Skip("set STARTREND_BENCH_100M=1 to run (needs about 20 GB and several minutes)")
	}
	benchScale(b, "bench-100m", 0)
}

func benchScale(b *testing.B, name string, speedupWorkers int) {
	sc, err := scenarios.LoadLibrary(name, "replications=1")
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: estimated memory %.2f GB per replication", name, float64(EstimateMemory(sc))/1e9)
	var cpu1 time.Duration
	one := func(workers int) (time.Duration, *Result) {
		return runOnce(b, sc, workers, &cpu1, workers == 1 || speedupWorkers == 0)
	}
	var t1, t2, tReps time.Duration
	var res *Result
	var peak1 uint64
	for b.Loop() {
		if speedupWorkers > 0 {
			t1, res = one(1)
			var r2 *Result
			t2, r2 = one(speedupWorkers)
			if r2.Variants[0].Reps[0].Totals["gmv"] != res.Variants[0].Reps[0].Totals["gmv"] {
				b.Fatal("results differ between 1 and 2 workers")
			}
			peak1 = machine.PeakRSS()
			// By replications: 2 replications on 2 workers (two worlds at once).
			sc2 := *sc
			sc2.Replications = speedupWorkers
			var nocpu time.Duration
			tReps, _ = runOnce(b, &sc2, speedupWorkers, &nocpu, false)
		} else {
			t2, res = one(0)
			t1 = t2 * time.Duration(res.Work.Workers)
			peak1 = machine.PeakRSS()
		}
	}
	report(b, name, sc, res, t1, t2, tReps, cpu1, peak1, speedupWorkers)
}

// runOnce runs sc with the given workers and returns the wall time (and
// the process CPU time in *cpu when measureCPU).
func runOnce(b *testing.B, sc *scenarios.Scenario, workers int, cpu *time.Duration, measureCPU bool) (time.Duration, *Result) {
	debug.FreeOSMemory()
	start, c0 := time.Now(), machine.CPUTime()
	res, err := Run(context.Background(), sc, Options{Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	if measureCPU {
		*cpu = machine.CPUTime() - c0
	}
	return time.Since(start), res
}

// report prints the summary line and reports the metrics.
func report(b *testing.B, name string, sc *scenarios.Scenario, res *Result, t1, t2, tReps, cpu1 time.Duration, peak1 uint64, speedupWorkers int) {
	sec := t1.Seconds()
	ud := res.Work.UserDays / sec
	imp := res.Work.Impressions / sec
	tr := res.Work.Transitions / sec
	peak := peak1
	b.ReportMetric(ud, "user-days/s/core")
	b.ReportMetric(imp, "impressions/s")
	b.ReportMetric(tr, "transitions/s")
	b.ReportMetric(float64(peak)/1e6, "peak-MB")
	line := fmt.Sprintf("%s: %d users × %d days, 1 worker %.2fs: %.2fM user-days/s/core, %.2fM impressions/s, %.3fM funnel transitions/s",
		name, sc.Population.Users, sc.WarmupDays+sc.HorizonDays, sec, ud/1e6, imp/1e6, tr/1e6)
	if cpu1 > 0 {
		// Per CPU-second of this process: robust when other work shares the cores.
		b.ReportMetric(res.Work.UserDays/cpu1.Seconds(), "user-days/cpu-s")
		line += fmt.Sprintf(" (%.2fM user-days per CPU-second)", res.Work.UserDays/cpu1.Seconds()/1e6)
	}
	if speedupWorkers > 0 {
		sp := t1.Seconds() / t2.Seconds()
		b.ReportMetric(sp, "speedup")
		line += fmt.Sprintf("; %d workers %.2fs: speed-up %.2f× by chunks of users", speedupWorkers, t2.Seconds(), sp)
		// What the machine gives a trivially parallel loop right now: the
		// ceiling for any speed-up measured in the same minute.
		ms := machine.SpinSpeedup(speedupWorkers)
		b.ReportMetric(ms, "machine-speedup")
		line += fmt.Sprintf(" (a trivially parallel loop gets %.2f× right now)", ms)
		if tReps > 0 {
			spr := float64(speedupWorkers) * t1.Seconds() / tReps.Seconds()
			b.ReportMetric(spr, "speedup-reps")
			line += fmt.Sprintf(", %.2f× by replications (%d in %.2fs, peak %.0f MB)", spr, speedupWorkers, tReps.Seconds(), float64(machine.PeakRSS())/1e6)
		}
	} else {
		line += fmt.Sprintf(" (%d workers, wall %.2fs)", res.Work.Workers, t2.Seconds())
	}
	line += fmt.Sprintf("; peak memory %.0f MB (%.0f B/user); GOMAXPROCS %d", float64(peak)/1e6, float64(peak)/float64(sc.Population.Users), runtime.GOMAXPROCS(0))
	fmt.Println(line)
}
