package reports

import "github.com/startrend/startrend/internal/outdir"

// Staging is a hidden sibling of an output directory being written (see
// package outdir, which holds the one rule every command follows for its
// output directories): files go into Dir, Commit swaps it into place, Abort
// removes it.
type Staging = outdir.Staging

// Stage begins writing the optimisation output dir: it refuses a
// directory startrend did not write (never replaced, whatever it holds)
// and replaces startrend's own output. It is outdir.Begin(dir,
// outdir.Optimize, true); new code calls outdir.Begin with its own kind and
// --force.
func Stage(dir string) (*Staging, error) {
	return outdir.Begin(dir, outdir.Optimize, true)
}
