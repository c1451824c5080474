package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Issue 16 (messages): `optimize --evals 10` — a budget too small to work —
// is bad input: exit 2 before any run, one clear message naming the
// smallest budget that works (it exited 1).
func TestOptimizeEvals10IsBadInput(t *testing.T) {
	lib := filepath.Join("..", "..", "scenarios", "apparel-launch.yaml")
	code, _, e := run(t, "optimize", lib, "--quiet", "--evals", "10", "-o", filepath.Join(t.TempDir(), "o"))
	var errs []string
	for _, l := range strings.Split(strings.TrimSpace(e), "\n") {
		if !strings.Contains(l, ": warning: ") { // the scenario's own warnings
			errs = append(errs, l)
		}
	}
	if code != exitUsage || len(errs) != 1 || !strings.HasPrefix(errs[0], "startrend optimize: --evals 10 is too small: ") || !strings.Contains(errs[0], "give --evals ≥ ") {
		t.Errorf("exit %d, errors %q; want 2 and one line 'startrend optimize: --evals 10 is too small: …; give --evals ≥ N'", code, errs)
	}
}
