package main

import (
	"io"

	"github.com/startrend/startrend/internal/progress"
	"github.com/startrend/startrend/internal/textsafe"
)

// newProgress returns the progress reporter of a long command, on stderr:
// a bar redrawn in place that fits the terminal's width, or one plain line
// per 10% in a log; quiet silences it. It is safe for concurrent use, so
// its Update can be passed to sim.Options.Progress. Call Finish when the
// work is complete (it draws 100%) and Abort when it was interrupted.
//
// The title (which holds scenario names) is shown with its control
// characters escaped.
func newProgress(w io.Writer, title string, quiet bool) *progress.Bar {
	return progress.New(w, textsafe.Terminal(title)).Quiet(quiet)
}
