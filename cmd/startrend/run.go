package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/startrend/startrend/reports"
	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim"
)

const runHelp = `Run simulates a scenario — its baseline and every variant, each for the
scenario's replications — and writes a run directory (scenario.yaml,
summary.json, timeseries.csv, replications.csv, breakdown.csv, run.json,
report.html, report.md, plots/). Without a scenario file it runs the
embedded default scenario.

The output directory defaults to out/<scenario name>/. An existing run
directory is replaced only with --force. The path of the directory is
printed on stdout; progress and errors go to stderr.

--set PATH=VALUE overrides any field (repeatable), with the path syntax of
the scenario language, e.g.
  --set horizon_days=30 --set population.users=5000
  --set merchants.brand_a.budget.paid_traffic=0
  --set 'campaigns.super_value.eligible.merchants=[brand_a]'`

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run")
	out := fs.String("o", "", "output `DIR` (default out/<scenario name>)")
	seed := fs.Uint64("seed", 0, "override the scenario's seed")
	reps := fs.Int("reps", 0, "override the number of replications")
	workers := fs.Int("workers", 0, "parallel workers (default: all CPUs)")
	var sets stringsFlag
	fs.Var(&sets, "set", "override a field: `PATH=VALUE` (repeatable)")
	force := fs.Bool("force", false, "replace an existing run directory")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	font := fs.String("font", "", "TTF/OTF/TTC `FILE` for plot text (CJK names); default: search the system")
	pos, code, ok := parseCommandLine(fs, args, 0, 1, stdout, stderr)
	if !ok {
		return code
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	var extra []string
	if given["seed"] {
		extra = append(extra, "seed="+strconv.FormatUint(*seed, 10))
	}
	if given["reps"] {
		extra = append(extra, "replications="+strconv.Itoa(*reps))
	}
	sc, ok := loadScenario(pos, append(extra, sets...), stderr)
	if !ok {
		return exitUsage
	}
	if *workers < 0 {
		fmt.Fprintln(stderr, "startrend run: --workers must be ≥ 0")
		return exitUsage
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", safeDirName(sc.Name))
	}
	if !*force {
		if _, err := os.Stat(filepath.Join(dir, "run.json")); err == nil {
			fmt.Fprintf(stderr, "startrend run: %s holds a run already; use --force to replace it or -o for another directory\n", dir)
			return exitFailure
		}
	}
	resolved, err := scenarios.Marshal(sc)
	if err != nil {
		fmt.Fprintf(stderr, "startrend run: %v\n", err)
		return exitFailure
	}

	warnings := printWarnings(stderr, sc, scenarios.CommandRun)
	nw := *workers
	if nw == 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	prog := newProgress(stderr, "simulating "+sc.Name, *quiet)
	start := time.Now()
	res, err := sim.Run(ctx, sc, sim.Options{Workers: nw, Progress: prog.Update})
	prog.Finish()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "startrend run: interrupted; nothing written")
			return exitInterrupted
		}
		fmt.Fprintf(stderr, "startrend run: %v\n", err)
		return exitFailure
	}
	wall := time.Since(start).Seconds()
	meta := reports.RunMeta{
		WallSeconds:   wall,
		Workers:       res.Work.Workers,
		Chunks:        res.Work.Chunks,
		GoVersion:     runtime.Version(),
		UserDays:      res.Work.UserDays,
		PeakMemBytes:  peakMemory(),
		StartedAtUnix: start.Unix(),
	}
	if meta.Workers == 0 {
		meta.Workers = nw
	}
	if err := reports.WriteRunDir(dir, reports.RunInput{ScenarioYAML: resolved, Result: res, Meta: meta, Font: *font, Warn: stderr, Version: versionString(), Warnings: warnings}, *force); err != nil {
		fmt.Fprintf(stderr, "startrend run: writing %s: %v\n", dir, err)
		return exitFailure
	}
	if !*quiet {
		fmt.Fprintf(stderr, "done in %.1fs (%.3g user-days/s)\n", wall, res.Work.UserDays/max(wall, 1e-9))
	}
	fmt.Fprintln(stdout, dir)
	return exitOK
}

// loadScenario loads pos[0] (or the embedded default when pos is empty)
// with the overrides, printing every problem on stderr.
func loadScenario(pos []string, sets []string, stderr io.Writer) (*scenarios.Scenario, bool) {
	var sc *scenarios.Scenario
	var err error
	if len(pos) == 0 {
		sc, err = scenarios.Default(sets...)
	} else {
		sc, err = scenarios.Load(pos[0], sets...)
	}
	if err != nil {
		printLoadError(stderr, err)
		return nil, false
	}
	return sc, true
}

func printLoadError(w io.Writer, err error) {
	var es scenarios.Errors
	if errors.As(err, &es) {
		for _, e := range es {
			fmt.Fprintln(w, e.Error())
		}
		if len(es) > 1 {
			fmt.Fprintf(w, "%d problems\n", len(es))
		}
		return
	}
	fmt.Fprintln(w, err)
}

// printWarnings prints on stderr every field of sc that cannot act for
// command (scenarios.Warnings) and returns them for the run directory.
func printWarnings(stderr io.Writer, sc *scenarios.Scenario, command string) []reports.RunWarning {
	ws := scenarios.Warnings(sc, command)
	out := make([]reports.RunWarning, 0, len(ws))
	for _, w := range ws {
		fmt.Fprintln(stderr, w.String())
		pos := ""
		if w.Pos.File != "" && w.Pos.Line > 0 {
			pos = fmt.Sprintf("%s:%d:%d", w.Pos.File, w.Pos.Line, w.Pos.Col)
		}
		out = append(out, reports.RunWarning{Path: w.Path, Message: w.Message, Position: pos})
	}
	return out
}

// safeDirName keeps a scenario name usable as a directory name.
func safeDirName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == ':' {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" || name == "." || name == ".." {
		name = "scenario"
	}
	return name
}

// peakMemory is the process's peak resident set (VmHWM) on Linux, or the
// memory obtained from the OS by the Go runtime elsewhere.
func peakMemory() uint64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
				fields := strings.Fields(rest)
				if len(fields) >= 1 {
					if kb, err := strconv.ParseUint(fields[0], 10, 64); err == nil {
						return kb * 1024
					}
				}
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Sys
}
