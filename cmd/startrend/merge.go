package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/startrend/startrend/experiments"
	"github.com/startrend/startrend/internal/outdir"
	"github.com/startrend/startrend/internal/safeio"
	"github.com/startrend/startrend/reports"
	"github.com/startrend/startrend/scenarios"
)

const mergeHelp = `Merge combines the shard directories of one sweep (written by
'startrend sweep --shard i/n', i = 0 … n−1, each given exactly once, in any
order) into OUT: the files are byte for byte those one process running
the whole sweep writes (run.json aside), report included. A missing,
duplicated or unfinished shard, or one of another scenario, design or
shard count, is an error naming it. OUT is written in a temporary sibling
and moved into place only when complete.`

func cmdMerge(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("merge")
	out := fs.String("o", "", "output `DIR` (required)")
	force := fs.Bool("force", false, "replace a sweep already in OUT")
	font := fs.String("font", "", "TTF/OTF/TTC `FILE` for plot text (CJK names)")
	dirs, code, ok := parseCommandLine(fs, args, 1, -1, stdout, stderr)
	if !ok {
		return code
	}
	if *out == "" {
		fmt.Fprintln(stderr, "startrend merge: -o OUT is required")
		return exitUsage
	}
	for _, d := range dirs {
		if !experiments.IsStore(d) {
			fmt.Fprintf(stderr, "startrend merge: %s is not a sweep shard directory (no %s)\n", d, experiments.FileManifest)
			return exitUsage
		}
	}
	start := time.Now()
	// The merged directory is a sweep directory (resumable, reportable),
	// written whole in a staging sibling and swapped into place.
	st, err := outdir.Begin(*out, outdir.Sweep, *force)
	if err != nil {
		fmt.Fprintf(stderr, "startrend merge: %v\n", err)
		return exitFailure
	}
	defer st.Abort()
	if err := experiments.Merge(st.Dir, dirs); err != nil {
		fmt.Fprintf(stderr, "startrend %v\n", err)
		return exitFailure
	}
	first := experiments.ShardDirs(dirs)[0]
	yamlBytes, err := safeio.ReadRegular(filepath.Join(first, "scenario.yaml"), safeio.ScenarioLimit, "sweep scenario")
	if err != nil {
		fmt.Fprintf(stderr, "startrend merge: %v\n", err)
		return exitFailure
	}
	for _, d := range dirs {
		b, err := safeio.ReadRegular(filepath.Join(d, "scenario.yaml"), safeio.ScenarioLimit, "sweep scenario")
		if err != nil || string(b) != string(yamlBytes) {
			fmt.Fprintf(stderr, "startrend merge: %s/scenario.yaml differs from %s/scenario.yaml\n", d, first)
			return exitFailure
		}
	}
	if err := os.WriteFile(filepath.Join(st.Dir, "scenario.yaml"), yamlBytes, 0o644); err != nil {
		fmt.Fprintf(stderr, "startrend merge: %v\n", err)
		return exitFailure
	}
	currency := "CNY"
	if sc, err := scenarios.LoadBytes(filepath.Join(first, "scenario.yaml"), yamlBytes); err == nil {
		currency = sc.Currency
	}
	if err := reports.WriteSweepReport(st.Dir, reports.SweepOptions{Currency: currency, Font: *font, Warn: stderr}); err != nil {
		fmt.Fprintf(stderr, "startrend merge: report: %v\n", err)
		return exitFailure
	}
	meta := map[string]any{"command": "merge", "version": buildVersion(), "go_version": runtime.Version(),
		"shards": dirs, "wall_seconds": time.Since(start).Seconds(), "started_at_unix": start.Unix()}
	if err := writeRunMeta(st.Dir, meta); err != nil {
		fmt.Fprintf(stderr, "startrend merge: %v\n", err)
		return exitFailure
	}
	if err := st.Commit(); err != nil {
		fmt.Fprintf(stderr, "startrend merge: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(stdout, *out)
	return exitOK
}
