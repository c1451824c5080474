// Package reports writes and reads run directories (DESIGN.md §3): the
// resolved scenario, summary.json, the tidy CSVs, run.json, the HTML and
// Markdown reports and their plots; and compares two runs.
//
// Reports are rendered from the files of the run directory (ReadRun), never
// from a simulation, so what a report shows is what summary.json says.
package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/startrend/startrend/sim"
)

// File names of a run directory.
const (
	ScenarioFile     = "scenario.yaml"
	SummaryFile      = "summary.json"
	TimeseriesFile   = "timeseries.csv"
	ReplicationsFile = "replications.csv"
	BreakdownFile    = "breakdown.csv"
	RunFile          = "run.json"
	ReportHTMLFile   = "report.html"
	ReportMDFile     = "report.md"
	PlotsDir         = "plots"
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
	Font         string       // optional TTF/OTF/TTC path for plots (CJK); "" = search the system
	Warn         io.Writer    // where the warning about a missing CJK font goes; nil = os.Stderr
	Version      string       // startrend version, recorded in summary.json and the reports
	Warnings     []RunWarning // fields that cannot act (summary.json "warnings" and the reports)
}

// RunJSON is run.json: the run's machine-dependent metadata. Complete is
// written true as the last step of a run; a directory without it is not a
// finished run.
type RunJSON struct {
	Complete          bool   `json:"complete"`
	FormatVersion     int    `json:"format_version"`
	WallSeconds       Num    `json:"wall_seconds"`
	Workers           int    `json:"workers"`
	Chunks            int    `json:"chunks"`
	GoVersion         string `json:"go_version"`
	UserDays          Num    `json:"user_days"`
	UserDaysPerSecond Num    `json:"user_days_per_second"`
	PeakMemBytes      uint64 `json:"peak_mem_bytes"`
	StartedAtUnix     int64  `json:"started_at_unix"`
}

// Run is a run directory loaded from its files.
type Run struct {
	Dir          string
	ScenarioYAML []byte
	Summary      *Summary
	Meta         RunJSON
	// Timeseries[variant][series] from timeseries.csv; SeriesOrder[variant]
	// lists the series in file order.
	Timeseries  map[string]map[string]*Series
	SeriesOrder map[string][]string
	// Replications[variant][metric][r] from replications.csv (NaN = undefined).
	Replications map[string]map[string][]float64
	// Breakdown[variant] from breakdown.csv, in file order.
	Breakdown map[string][]BreakdownStat
}

// ErrNotFinished is wrapped by ReadRun's error for a directory without a
// complete run.json.
var ErrNotFinished = errors.New("not a finished run (run.json missing/incomplete)")

// ReadRun loads a finished run directory. A directory without a complete
// run.json is reported as "DIR is not a finished run (run.json
// missing/incomplete)" (errors.Is(err, ErrNotFinished)).
func ReadRun(dir string) (*Run, error) {
	b, err := os.ReadFile(filepath.Join(dir, RunFile))
	if err != nil {
		if st, err2 := os.Stat(dir); err2 != nil || !st.IsDir() {
			return nil, fmt.Errorf("%s: no such run directory", dir)
		}
		return nil, fmt.Errorf("%s is %w", dir, ErrNotFinished)
	}
	var meta RunJSON
	if err := json.Unmarshal(b, &meta); err != nil || !meta.Complete {
		return nil, fmt.Errorf("%s is %w", dir, ErrNotFinished)
	}
	run, err := readRunFiles(dir)
	if err != nil {
		return nil, err
	}
	run.Meta = meta
	return run, nil
}

// readRunFiles loads the data files of a run directory (everything but
// run.json).
func readRunFiles(dir string) (*Run, error) {
	run := &Run{
		Dir:          dir,
		Timeseries:   map[string]map[string]*Series{},
		SeriesOrder:  map[string][]string{},
		Replications: map[string]map[string][]float64{},
		Breakdown:    map[string][]BreakdownStat{},
	}
	var err error
	if run.ScenarioYAML, err = os.ReadFile(filepath.Join(dir, ScenarioFile)); err != nil {
		return nil, fmt.Errorf("reading run directory: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		return nil, fmt.Errorf("reading run directory: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, SummaryFile), err)
	}
	if s.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s: format_version %d, this startrend reads %d", filepath.Join(dir, SummaryFile), s.FormatVersion, FormatVersion)
	}
	run.Summary = &s

	err = readCSV(filepath.Join(dir, TimeseriesFile), timeseriesHeader, func(_ int, rec []string) error {
		day, err := strconv.Atoi(rec[1])
		if err != nil {
			return fmt.Errorf("bad day %q", rec[1])
		}
		f, err := parseFloats(rec[3:6])
		if err != nil {
			return err
		}
		byName := run.Timeseries[rec[0]]
		if byName == nil {
			byName = map[string]*Series{}
			run.Timeseries[rec[0]] = byName
		}
		se := byName[rec[2]]
		if se == nil {
			se = &Series{}
			byName[rec[2]] = se
			run.SeriesOrder[rec[0]] = append(run.SeriesOrder[rec[0]], rec[2])
		}
		se.Day = append(se.Day, day)
		se.Mean = append(se.Mean, f[0])
		se.Lo = append(se.Lo, f[1])
		se.Hi = append(se.Hi, f[2])
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readCSV(filepath.Join(dir, ReplicationsFile), replicationsHeader, func(_ int, rec []string) error {
		r, err := strconv.Atoi(rec[1])
		if err != nil || r < 0 || r > 1<<20 {
			return fmt.Errorf("bad replication %q", rec[1])
		}
		v, err := parseFloat(rec[3])
		if err != nil {
			return fmt.Errorf("bad value %q", rec[3])
		}
		byMetric := run.Replications[rec[0]]
		if byMetric == nil {
			byMetric = map[string][]float64{}
			run.Replications[rec[0]] = byMetric
		}
		xs := byMetric[rec[2]]
		for len(xs) <= r {
			xs = append(xs, math.NaN())
		}
		xs[r] = v
		byMetric[rec[2]] = xs
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readCSV(filepath.Join(dir, BreakdownFile), breakdownHeader, func(_ int, rec []string) error {
		f, err := parseFloats(rec[4:7])
		if err != nil {
			return err
		}
		run.Breakdown[rec[0]] = append(run.Breakdown[rec[0]], BreakdownStat{
			Dimension: rec[1], Key: rec[2], Metric: rec[3],
			Mean: Num(f[0]), CI95: [2]Num{Num(f[1]), Num(f[2])},
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return run, nil
}

// isRunDir reports whether dir looks like a run directory (it holds
// run.json or summary.json).
func isRunDir(dir string) bool {
	for _, f := range []string{RunFile, SummaryFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// checkTarget says whether dir may be (re)placed.
func checkTarget(dir string, force bool) (exists bool, err error) {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !st.IsDir() {
		return false, fmt.Errorf("%s exists and is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	if len(entries) == 0 {
		return true, nil
	}
	if !isRunDir(dir) {
		return false, fmt.Errorf("%s is not empty and is not a run directory; refusing to overwrite it", dir)
	}
	if !force {
		return false, fmt.Errorf("%s already holds a run; use --force to replace it", dir)
	}
	return true, nil
}

func writeJSONFile(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// WriteRunDir writes the whole run directory atomically: into a temporary
// sibling directory, renamed into place at the end. An existing run
// directory is replaced only when force is set; a non-empty directory that is
// not a run directory is never replaced.
//
// The reports (report.html, report.md, plots/) are rendered from the data
// files just written. run.json, written last, is the only file that differs
// between identical runs.
func WriteRunDir(dir string, in RunInput, force bool) error {
	if dir == "" {
		return errors.New("reports: empty run directory name")
	}
	if in.Result == nil {
		return errors.New("reports: no result to write")
	}
	dir = filepath.Clean(dir)
	if _, err := checkTarget(dir, force); err != nil {
		return err
	}
	st, err := Stage(dir)
	if err != nil {
		return err
	}
	defer st.Abort()
	tmp := st.Dir
	if err := writeData(tmp, in); err != nil {
		return err
	}
	run, err := readRunFiles(tmp)
	if err != nil {
		return fmt.Errorf("reports: re-reading what was written: %w", err)
	}
	if err := RenderReports(run, tmp, ReportOptions{Font: in.Font, Warn: in.Warn}); err != nil {
		return err
	}
	if err := writeRunJSON(tmp, in); err != nil {
		return err
	}
	// Swap into place; re-check the target in case it changed meanwhile.
	if _, err := checkTarget(dir, force); err != nil {
		return err
	}
	return st.Commit()
}

// writeData writes scenario.yaml, summary.json and the CSVs.
func writeData(dir string, in RunInput) error {
	res := in.Result
	if err := os.WriteFile(filepath.Join(dir, ScenarioFile), in.ScenarioYAML, 0o644); err != nil {
		return err
	}
	s, err := BuildSummary(res, in.ScenarioYAML, in.Version)
	if err != nil {
		return err
	}
	s.Warnings = append(s.Warnings, in.Warnings...)
	if err := writeJSONFile(filepath.Join(dir, SummaryFile), s); err != nil {
		return err
	}
	if err := writeTimeseries(filepath.Join(dir, TimeseriesFile), res); err != nil {
		return err
	}
	if err := writeReplications(filepath.Join(dir, ReplicationsFile), res); err != nil {
		return err
	}
	return writeBreakdown(filepath.Join(dir, BreakdownFile), s)
}

func writeRunJSON(dir string, in RunInput) error {
	m := in.Meta
	if m.Workers == 0 && m.Chunks == 0 && m.UserDays == 0 {
		w := in.Result.Work
		m.Workers, m.Chunks, m.UserDays = w.Workers, w.Chunks, w.UserDays
	}
	rj := RunJSON{
		Complete: true, FormatVersion: FormatVersion,
		WallSeconds: Num(m.WallSeconds), Workers: m.Workers, Chunks: m.Chunks,
		GoVersion: m.GoVersion, UserDays: Num(m.UserDays), PeakMemBytes: m.PeakMemBytes,
		StartedAtUnix: m.StartedAtUnix, UserDaysPerSecond: nan(),
	}
	if m.WallSeconds > 0 {
		rj.UserDaysPerSecond = Num(m.UserDays / m.WallSeconds)
	}
	return writeJSONFile(filepath.Join(dir, RunFile), rj)
}
