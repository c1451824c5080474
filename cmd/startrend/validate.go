package main

import (
	"context"
	"fmt"
	"io"

	"github.com/startrend/startrend/scenarios"
)

const validateHelp = `Validate loads scenario files strictly — extends, defaults, roster CSV and
--set overrides included — and reports every problem at once, each as
FILE:LINE:COL: field.path: message (got X, allowed Y). It prints
"ok: NAME (hash …)" for each valid file and exits with status 2 when any
file is invalid. Without a file it validates the embedded default scenario.
Fields of a valid scenario that cannot act in it (a campaign an eligible
merchant cannot afford, linkage without seeding content, a matrix cell
whose pool is empty or unaffordable, a block run does not read, ...) are
printed on stderr as FILE:LINE:COL: warning: field.path: message; they do
not change the exit status.

With --resolved it prints the scenario as a run uses it (after extends,
defaults and --set) — the scenario.yaml of the run directory.`

func cmdValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate")
	resolved := fs.Bool("resolved", false, "print the resolved scenario YAML instead of ok")
	var sets stringsFlag
	fs.Var(&sets, "set", "override a field: `PATH=VALUE` (repeatable)")
	pos, code, ok := parseCommandLine(fs, args, 0, -1, stdout, stderr)
	if !ok {
		return code
	}
	if *resolved && len(pos) > 1 {
		fmt.Fprintln(stderr, "startrend validate: --resolved takes one file")
		return exitUsage
	}
	files := pos
	if len(files) == 0 {
		files = []string{""}
	}
	status := exitOK
	for _, f := range files {
		if ctx.Err() != nil {
			return exitInterrupted
		}
		var args []string
		if f != "" {
			args = []string{f}
		}
		sc, ok := loadScenario(ctx, args, sets, stderr)
		if !ok {
			status = exitUsage
			continue
		}
		if *resolved {
			data, err := scenarios.Marshal(sc)
			if err != nil {
				fmt.Fprintf(stderr, "startrend validate: %v\n", err)
				return exitFailure
			}
			stdout.Write(data)
			continue
		}
		if ws := printWarnings(stderr, sc, scenarios.CommandValidate); len(ws) > 0 {
			fmt.Fprintf(stdout, "ok: %s (hash %s), %d warnings\n", sc.Name, scenarios.Hash(sc)[:12], len(ws))
			continue
		}
		fmt.Fprintf(stdout, "ok: %s (hash %s)\n", sc.Name, scenarios.Hash(sc)[:12])
	}
	return status
}
