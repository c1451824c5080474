// Command startrend simulates a short-video and live-streaming marketplace
// (creators, merchants, consumers, campaigns and trends), compares what-if
// variants, optimises a merchant's strategy and writes run directories of
// tidy CSV, JSON and reports. See `startrend help`.
//
// Every subcommand is a function of (ctx, args, stdout, stderr) returning an
// exit status, registered in the commands table below:
//
//	0   success
//	1   failure (or, for compare, a regression past a threshold)
//	2   bad input or usage
//	130 interrupted (SIGINT / SIGTERM)
//
// stdout carries results and the paths of what was written; stderr carries
// progress and errors.
package main

import (
	"context"
	"fmt"
	"github.com/startrend/startrend/scenarios"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// commandFunc runs one subcommand. args excludes the program and command
// names. It returns the process exit status.
type commandFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// command is one entry of the subcommand table.
type command struct {
	Name    string
	Usage   string // synopsis after "startrend", e.g. "run [SCENARIO.yaml] [flags]"
	Summary string // one line for `startrend help`
	Help    string // paragraphs for `startrend help NAME` and `NAME -h`
	Run     commandFunc
	Hidden  bool // not listed by `startrend help` (still runnable)
}

// commands is the subcommand table, in the order `startrend help` lists
// them. It is filled in init to break the initialisation cycle with the help
// command, which reads it.
var commands []*command

func init() {
	commands = []*command{
		{Name: "run", Usage: "run [SCENARIO.yaml] [-o DIR] [--seed N] [--reps N] [--workers N] [--set PATH=VALUE ...] [--force] [--quiet] [--font FILE]",
			Summary: "simulate a scenario and write a run directory", Help: runHelp, Run: cmdRun},
		{Name: "validate", Usage: "validate [--resolved] SCENARIO.yaml [--set PATH=VALUE ...]",
			Summary: "check a scenario and report every problem with its position", Help: validateHelp, Run: cmdValidate},
		{Name: "schema", Usage: "schema",
			Summary: "print the JSON Schema of the scenario language", Help: schemaHelp, Run: cmdSchema},
		{Name: "optimize", Usage: "optimize SCENARIO.yaml [flags]",
			Summary: "search a merchant's strategy for the scenario's optimize block", Help: optimizeCmdHelp, Run: cmdOptimize},
		{Name: "sweep", Usage: "sweep SCENARIO.yaml [-o DIR] [--resume] [--shard i/n] [--workers N] [--max-runs N] [--reps N] [--set PATH=VALUE ...]", Summary: "run the scenario's sweep design and write tidy rows, summaries and a report", Help: sweepHelp, Run: cmdSweep},
		{Name: "merge", Usage: "merge SHARD_DIR... -o OUT [--force]", Summary: "combine sweep shard directories into one sweep directory", Help: mergeHelp, Run: cmdMerge},
		{Name: "sensitivity", Usage: sensitivityUsage, Summary: "find which parameters drive the KPIs (Morris, Sobol, one at a time)", Help: sensitivityHelp, Run: cmdSensitivity},
		{Name: "calibrate", Usage: calibrateUsage, Summary: "fit the calibrate block's parameters to observed KPIs", Help: calibrateHelp, Run: cmdCalibrate},
		{Name: "compare", Usage: "compare BASE CANDIDATE [-o DIR] [--force] [--fail-on RULE ...]",
			Summary: "compare two run directories and flag KPI regressions", Help: compareCmdHelp, Run: cmdCompare},
		{Name: "version", Usage: "version",
			Summary: "print the version of startrend and Go", Help: versionHelp, Run: cmdVersion},
		{Name: "help", Usage: "help [COMMAND]",
			Summary: "explain startrend or one command", Help: helpHelp, Run: cmdHelp},
	}
}

func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func main() {
	os.Exit(mainWithSignals(os.Args[1:], os.Stdout, os.Stderr))
}

// mainWithSignals runs dispatch with a context cancelled by the first
// SIGINT or SIGTERM; a second signal kills the process at once. An
// interrupted command exits with 130 whatever it returned.
func mainWithSignals(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // restore default handling: a second Ctrl-C ends the process
	}()
	code := dispatch(ctx, args, stdout, stderr)
	if ctx.Err() != nil && code != exitOK {
		fmt.Fprintln(stderr, "startrend: interrupted")
		return exitInterrupted
	}
	return code
}

// dispatch runs the command named by args[0]. It is main without the
// process: tests call it in-process.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printOverview(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		printOverview(stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	c := lookupCommand(name)
	if c == nil {
		fmt.Fprintf(stderr, "startrend: unknown command %q%s\nRun 'startrend help' for the list of commands.\n", name, suggestCommand(name))
		return exitUsage
	}
	return c.Run(ctx, args[1:], stdout, stderr)
}

func suggestCommand(name string) string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.Name
	}
	return scenarios.DidYouMean(name, names)
}

func printOverview(w io.Writer) {
	fmt.Fprint(w, `startrend simulates a short-video and live-streaming marketplace — creators,
merchants, consumers, campaigns and trends — and reports KPIs with 95%
confidence intervals, what-if variants as paired differences, and optimised
merchant strategies.

Usage:
  startrend COMMAND [arguments]

Commands:
`)
	width := 0
	for _, c := range commands {
		width = max(width, len(c.Name))
	}
	for _, c := range commands {
		if !c.Hidden {
			fmt.Fprintf(w, "  %-*s  %s\n", width, c.Name, c.Summary)
		}
	}
	fmt.Fprint(w, `
Flags may come before or after positional arguments.
Exit status: 0 success, 1 failure (or a regression found by compare),
2 bad input or usage, 130 interrupted.

Run 'startrend help COMMAND' or 'startrend COMMAND -h' for details.
`)
}

const helpHelp = `Help prints the list of commands, or the help of one command (the same as
'startrend COMMAND -h').`

func cmdHelp(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		printOverview(stdout)
		return exitOK
	case 1:
		if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			printCommandHelp(stdout, lookupCommand("help"), nil)
			return exitOK
		}
		c := lookupCommand(args[0])
		if c == nil {
			fmt.Fprintf(stderr, "startrend help: unknown command %q%s\n", args[0], suggestCommand(args[0]))
			return exitUsage
		}
		if c.Name == "help" {
			printCommandHelp(stdout, c, nil)
			return exitOK
		}
		// The command's own -h prints its help with its flags.
		return c.Run(ctx, []string{"-h"}, stdout, stderr)
	default:
		fmt.Fprintln(stderr, "usage: startrend help [COMMAND]")
		return exitUsage
	}
}

// commandNames lists the registered command names, sorted (for tests and
// messages).
func commandNames() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.Name)
	}
	sort.Strings(names)
	return names
}

// Help of the commands whose code lives in compare.go and optimize.go
// (their flags are listed by their own FlagSet under this text).
const (
	compareCmdHelp = `Compare reads two run directories (see docs/run-directory.md) — BASE, such
as the last accepted run, and CANDIDATE, the new one — and compares each
run's baseline variant KPI by KPI: paired replication by replication when
both used the same seed and replication count, Welch otherwise. It says
whether the scenarios are the same, differ only in seed or replications
("seeds differ": the same scenario, unpaired noise), or differ (naming the
fields). It writes compare.md, compare.json and plots/ into DIR (default
BASE-vs-CANDIDATE next to CANDIDATE; neither run directory is written into);
an existing comparison there is replaced only with --force. It exits with
status 1 when a KPI moves past a threshold given with --fail-on, 2 on bad
input.`
	optimizeCmdHelp = `Optimize searches the decision variables of the scenario's optimize block
(a merchant's creator matrix and budget split) under its budget constraint,
evaluating candidates with the simulator, and writes optimize.json and a
report into the output directory. It can be interrupted and resumed.`
)
