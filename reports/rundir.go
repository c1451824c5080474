// Package reports writes and reads run directories (DESIGN.md §3): the
// resolved scenario, summary.json, the tidy CSVs, run.json, the HTML and
// Markdown reports and their plots; and compares two runs.
package reports

import (
	"errors"

	"github.com/startrend/startrend/sim"
)

// RunMeta is what may differ between identical runs; it goes to run.json.
type RunMeta struct {
	WallSeconds   float64
	Workers       int
	Chunks        int
	GoVersion     string
	UserDays      float64
	PeakMemBytes  uint64
	StartedAtUnix int64
}

// RunInput is everything a run directory is made from.
type RunInput struct {
	ScenarioYAML []byte // the resolved scenario, written as scenario.yaml
	Result       *sim.Result
	Meta         RunMeta
	Font         string // optional TTF/OTF/TTC path for plots (CJK); "" = search the system
}

// WriteRunDir writes the whole run directory atomically: into a temporary
// sibling directory, renamed into place at the end. An existing run
// directory is replaced only when force is set; a non-empty directory that is
// not a run directory is never replaced.
// TEMPORARY: replaced by the reports issue (issue 5).
func WriteRunDir(dir string, in RunInput, force bool) error {
	return errors.New("reports: not built yet")
}
