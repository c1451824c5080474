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

	"github.com/startrend/startrend/internal/humannum"
	"github.com/startrend/startrend/internal/textsafe"
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
  --set merchants.spring_jacket.budget.paid_traffic=60000
  --set 'campaigns.super_value.eligible.merchants=[spring_jacket]'

--seed and --reps are shorthands for --set seed=N and --set replications=N;
giving both a flag and a --set for the same field is an error.
--baseline-only simulates the baseline alone (no variants).`

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
	baselineOnly := fs.Bool("baseline-only", false, "simulate the baseline alone, without the scenario's variants")
	pos, code, ok := parseCommandLine(fs, args, 0, 1, stdout, stderr)
	if !ok {
		return code
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	if given["reps"] && *reps < 1 {
		fmt.Fprintf(stderr, "startrend run: --reps: %d is not allowed (allowed: 1 or more replications)\n", *reps)
		return exitUsage
	}
	extra, err := flagOverrides(sets, []flagField{
		{Flag: "seed", Path: "seed", Given: given["seed"], Value: strconv.FormatUint(*seed, 10)},
		{Flag: "reps", Path: "replications", Given: given["reps"], Value: strconv.Itoa(*reps)},
	})
	if err != nil {
		fmt.Fprintf(stderr, "startrend run: %s\n", textsafe.Terminal(err.Error()))
		return exitUsage
	}
	sc, ok := loadScenario(ctx, pos, append(extra, sets...), stderr)
	if !ok {
		return exitUsage
	}
	if *baselineOnly {
		// The study blocks `run` does not read may name variants (a
		// calibration target measured on one): they go with them.
		sc.Variants, sc.Calibrate = nil, nil
	}
	if *workers < 0 {
		fmt.Fprintln(stderr, "startrend run: --workers must be ≥ 0")
		return exitUsage
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("out", safeDirName(sc.Name))
	}
	// Everything that can fail before writing is checked before simulating:
	// the output directory (the outdir rule) and the font.
	if err := reports.CheckRunDir(dir, *force); err != nil {
		fmt.Fprintf(stderr, "startrend run: %s\n", textsafe.Terminal(err.Error()))
		return exitFailure
	}
	if err := reports.CheckFont(*font); err != nil {
		fmt.Fprintf(stderr, "startrend run: --font: %s\n", textsafe.Terminal(err.Error()))
		return exitUsage
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
	if err := reports.WriteRunDir(dir, reports.RunInput{ScenarioYAML: resolved, Result: res, Meta: meta, Font: *font, Warn: stderr, Version: buildVersion(), Warnings: warnings}, *force); err != nil {
		fmt.Fprintf(stderr, "startrend run: writing %s: %s\n", dir, textsafe.Terminal(err.Error()))
		return exitFailure
	}
	if !*quiet {
		fmt.Fprintf(stderr, "done in %.1fs (%s user-days/s)\n", wall, humannum.Plain(res.Work.UserDays/max(wall, 1e-9)))
	}
	fmt.Fprintln(stdout, dir)
	return exitOK
}

// loadScenario loads pos[0] (or the embedded default when pos is empty)
// with the overrides, printing the problems on stderr (at most
// maxPrintedErrors, then their count). Loading is abandoned when ctx is
// cancelled (a signal): loadScenario then returns at once.
func loadScenario(ctx context.Context, pos []string, sets []string, stderr io.Writer) (*scenarios.Scenario, bool) {
	type loaded struct {
		sc  *scenarios.Scenario
		err error
	}
	done := make(chan loaded, 1)
	go func() {
		var l loaded
		if len(pos) == 0 {
			l.sc, l.err = scenarios.Default(sets...)
		} else {
			l.sc, l.err = scenarios.Load(pos[0], sets...)
		}
		done <- l
	}()
	var l loaded
	select {
	case l = <-done:
	case <-ctx.Done():
		fmt.Fprintln(stderr, "startrend: interrupted while loading the scenario")
		return nil, false
	}
	if l.err != nil {
		printLoadError(stderr, l.err)
		return nil, false
	}
	return l.sc, true
}

// maxPrintedErrors bounds the problems printed for one scenario.
const maxPrintedErrors = 100

func printLoadError(w io.Writer, err error) {
	var es scenarios.Errors
	if errors.As(err, &es) {
		total := len(es)
		if n := len(es); n > 0 && strings.HasSuffix(es[n-1].Msg, fmt.Sprintf("(stopped after %d)", scenarios.MaxErrors)) {
			var more int
			fmt.Sscanf(es[n-1].Msg, "%d more", &more)
			es, total = es[:n-1], n-1+more
		}
		for i, e := range es {
			if i == maxPrintedErrors {
				fmt.Fprintf(w, "... %d more problems not shown\n", total-maxPrintedErrors)
				break
			}
			fmt.Fprintln(w, e.Error())
		}
		if total > 1 {
			fmt.Fprintf(w, "%d problems\n", total)
		}
		return
	}
	fmt.Fprintln(w, textsafe.Terminal(err.Error()))
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
		if r == '/' || r == '\\' || r == ':' || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" || name == "." || name == ".." {
		name = "scenario"
	}
	if len(name) > 120 {
		name = strings.ToValidUTF8(name[:120], "")
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
