package main

import (
	"context"
	"io"

	"github.com/startrend/startrend/internal/textsafe"
	"github.com/startrend/startrend/reports"
)

// cmdCompare compares two run directories: `startrend compare BASE CANDIDATE
// [-o DIR] [--force] [--fail-on RULE]... [--font FILE]`. The work is
// reports.CompareDirs; its exit statuses are 0 (every rule passed), 1 (a
// rule violated), 2 (bad arguments, unreadable or unfinished runs, a KPI one
// run lacks).
func cmdCompare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("compare")
	out := fs.String("o", "", "output `DIR` for compare.md, compare.json and plots/ (default: BASE-vs-CANDIDATE, next to CANDIDATE)")
	force := fs.Bool("force", false, "replace a comparison already in DIR (nothing but a comparison is ever replaced)")
	var rules stringsFlag
	fs.Var(&rules, "fail-on", "a rule KPI:CHANGE on the means, repeatable: gmv:-2% fails when the candidate is more than 2% below the base,\nspend:+5% when more than 5% above, roi:-0.1 is absolute; add @95 (gmv:-2%@95) to fail only when the\nwhole paired 95% CI of the change lies past the threshold")
	font := fs.String("font", "", "TTF/OTF/TTC font for plot text (default: a CJK-capable system font)")
	pos, code, ok := parseCommandLine(fs, args, 2, 2, stdout, stderr)
	if !ok {
		return code
	}
	// Names from the run directories reach the terminal escaped.
	stdout, stderr = textsafe.Writer(stdout), textsafe.Writer(stderr)
	return reports.CompareDirs(pos[0], pos[1], *out, rules, reports.CompareOptions{Font: *font, Warn: stderr, Force: *force}, stdout, stderr)
}
