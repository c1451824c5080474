// Package reports writes and reads run directories (docs/run-directory.md): the
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
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/startrend/startrend/internal/outdir"
	"github.com/startrend/startrend/internal/safeio"
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
	Version      string       // the build's version (see RunJSON.Version), recorded in run.json and the reports
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
	// Version is the build that wrote the run: module version, Go version,
	// platform and VCS revision. It is here, not in summary.json or the
	// CSVs, which stay byte-identical across builds.
	Version string `json:"version,omitempty"`
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
	b, err := safeio.ReadRegular(filepath.Join(dir, RunFile), safeio.RunFileLimit, "")
	if err != nil {
		if st, err2 := os.Stat(dir); err2 != nil || !st.IsDir() {
			return nil, fmt.Errorf("%s: no such run directory", dir)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s is %w", dir, ErrNotFinished)
		}
		return nil, err
	}
	var meta RunJSON
	if err := json.Unmarshal(b, &meta); err != nil || !meta.Complete {
		return nil, fmt.Errorf("%s is %w", dir, ErrNotFinished)
	}
	if meta.FormatVersion < OldestFormatVersion || meta.FormatVersion > FormatVersion {
		return nil, fmt.Errorf("%s: format_version %d, this startrend reads %d to %d (rerun the scenario with this startrend)", filepath.Join(dir, RunFile), meta.FormatVersion, OldestFormatVersion, FormatVersion)
	}
	run, err := readRunFiles(dir)
	if err != nil {
		return nil, err
	}
	if err := checkScenarioYAML(filepath.Join(dir, ScenarioFile), run.ScenarioYAML, run.Summary.Scenario); err != nil {
		return nil, err
	}
	run.Meta = meta
	return run, nil
}

// maxReplicationCells bounds the values replications.csv may make a reader
// hold (variants × metrics × replications).
const maxReplicationCells = 1 << 25

// maxSeries bounds the distinct daily series per variant in timeseries.csv.
const maxSeries = 100_000

// readRunFiles loads the data files of a run directory (everything but
// run.json). Every file is read with the safeio.RunFileLimit size limit;
// what the files may make it allocate is bounded by what summary.json
// declares (variants, metrics, replications).
func readRunFiles(dir string) (*Run, error) {
	run := &Run{
		Dir:          dir,
		Timeseries:   map[string]map[string]*Series{},
		SeriesOrder:  map[string][]string{},
		Replications: map[string]map[string][]float64{},
		Breakdown:    map[string][]BreakdownStat{},
	}
	var err error
	if run.ScenarioYAML, err = safeio.ReadRegular(filepath.Join(dir, ScenarioFile), safeio.ScenarioLimit, "run-directory file"); err != nil {
		return nil, fmt.Errorf("reading run directory: %w", err)
	}
	summaryPath := filepath.Join(dir, SummaryFile)
	b, err := safeio.ReadRegular(summaryPath, safeio.RunFileLimit, "run-directory file")
	if err != nil {
		return nil, fmt.Errorf("reading run directory: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: not a summary.json: %w", summaryPath, err)
	}
	if err := s.Upgrade(); err != nil {
		return nil, fmt.Errorf("%s: %w", summaryPath, err)
	}
	if s.Replications < 1 || s.Replications > 100_000 {
		return nil, fmt.Errorf("%s: replications %d (allowed 1 to 100000)", summaryPath, s.Replications)
	}
	run.Summary = &s
	variants := map[string]bool{s.Baseline: true}
	for _, v := range s.Variants {
		variants[v.Name] = true
	}
	metrics := map[string]bool{}
	for _, m := range s.Metrics {
		metrics[m.Name] = true
	}
	knownVariant := func(v string) error {
		if !variants[v] {
			return fmt.Errorf("variant %s is not one of summary.json", QuoteValue(v))
		}
		return nil
	}

	err = readCSV(filepath.Join(dir, TimeseriesFile), timeseriesHeader, func(_ int, rec []string) error {
		if err := knownVariant(rec[0]); err != nil {
			return err
		}
		day, err := strconv.Atoi(rec[1])
		if err != nil || day < 0 || day > 1_000_000 {
			return fmt.Errorf("bad day %s", QuoteValue(rec[1]))
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
			if len(byName) >= maxSeries {
				return fmt.Errorf("more than %d series for variant %s", maxSeries, QuoteValue(rec[0]))
			}
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
	cells := 0
	err = readCSV(filepath.Join(dir, ReplicationsFile), replicationsHeader, func(_ int, rec []string) error {
		if err := knownVariant(rec[0]); err != nil {
			return err
		}
		if !metrics[rec[2]] {
			return fmt.Errorf("metric %s is not declared in summary.json", QuoteValue(rec[2]))
		}
		r, err := strconv.Atoi(rec[1])
		if err != nil || r < 0 {
			return fmt.Errorf("bad replication %s (allowed 0 to %d)", QuoteValue(rec[1]), s.Replications-1)
		}
		if r >= s.Replications {
			return fmt.Errorf("replication %d, but summary.json declares %d replications (allowed 0 to %d)", r, s.Replications, s.Replications-1)
		}
		v, err := parseFloat(rec[3])
		if err != nil {
			return fmt.Errorf("bad value %s", QuoteValue(rec[3]))
		}
		byMetric := run.Replications[rec[0]]
		if byMetric == nil {
			byMetric = map[string][]float64{}
			run.Replications[rec[0]] = byMetric
		}
		xs := byMetric[rec[2]]
		if len(xs) <= r {
			cells += r + 1 - len(xs)
			if cells > maxReplicationCells {
				return fmt.Errorf("more than %d values (variants × metrics × replications)", maxReplicationCells)
			}
		}
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
		if err := knownVariant(rec[0]); err != nil {
			return err
		}
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

// WriteRunDir writes the whole run directory atomically, following the
// output-directory rule of package outdir: into a hidden staging sibling,
// swapped into place at the end. An existing startrend output is replaced
// only when force is set; a non-empty directory startrend did not write is
// never replaced, force or not (errors.Is(err, outdir.ErrNotOurs)).
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
	st, err := outdir.Begin(dir, outdir.Run, force)
	if err != nil {
		return err
	}
	defer st.Abort()
	if err := WriteRunFiles(st.Dir, in); err != nil {
		return err
	}
	// The swap re-checks the target in case it changed meanwhile.
	return st.Commit()
}

// CheckRunDir says, before any work, whether WriteRunDir(dir, ..., force)
// would be allowed to write dir.
func CheckRunDir(dir string, force bool) error {
	return outdir.Prepare(dir, outdir.Run, force)
}

// WriteRunFiles writes the files of a run directory into dir, an empty
// directory being staged by the caller (a command whose output holds a run
// directory and more, such as optimize). run.json, marking the run
// complete, is written last.
func WriteRunFiles(dir string, in RunInput) error {
	if in.Result == nil {
		return errors.New("reports: no result to write")
	}
	if err := writeData(dir, in); err != nil {
		return err
	}
	run, err := readRunFiles(dir)
	if err != nil {
		return fmt.Errorf("reports: re-reading what was written: %w", err)
	}
	run.Meta.Version = in.Version // run.json, written last, will say the same
	if err := RenderReports(run, dir, ReportOptions{Font: in.Font, Warn: in.Warn}); err != nil {
		return err
	}
	return writeRunJSON(dir, in)
}

// writeData writes scenario.yaml, summary.json and the CSVs.
func writeData(dir string, in RunInput) error {
	res := in.Result
	if err := os.WriteFile(filepath.Join(dir, ScenarioFile), in.ScenarioYAML, 0o644); err != nil {
		return err
	}
	s, err := BuildSummary(res, in.ScenarioYAML, "")
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
		StartedAtUnix: m.StartedAtUnix, UserDaysPerSecond: nan(), Version: in.Version,
	}
	if m.WallSeconds > 0 {
		rj.UserDaysPerSecond = Num(m.UserDays / m.WallSeconds)
	}
	return writeJSONFile(filepath.Join(dir, RunFile), rj)
}

// checkScenarioYAML checks that a run directory's scenario.yaml is a YAML
// mapping naming the scenario of summary.json; its content is never quoted.
func checkScenarioYAML(path string, data []byte, name string) error {
	var doc struct {
		Name string `yaml:"name"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: not a scenario (not a YAML mapping)", path)
	}
	if doc.Name != name {
		return fmt.Errorf("%s: not the scenario of summary.json (name %s, summary.json says %s)", path, QuoteValue(doc.Name), QuoteValue(name))
	}
	return nil
}
