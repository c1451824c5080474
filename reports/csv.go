package reports

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"

	"github.com/startrend/startrend/internal/safeio"
	"github.com/startrend/startrend/sim"
)

// CSV headers of the run directory's tidy files (docs/run-directory.md).
var (
	timeseriesHeader   = []string{"variant", "day", "metric", "mean", "ci_lo", "ci_hi"}
	replicationsHeader = []string{"variant", "replication", "metric", "value"}
	breakdownHeader    = []string{"variant", "dimension", "key", "metric", "mean", "ci_lo", "ci_hi"}
)

func writeCSVFile(path string, fill func(w *csv.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(bw)
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// dailyKeys lists the daily series of a variant: declared metrics first (in
// declaration order; a ratio is included when its numerator and denominator
// have daily series), then every other series by name.
func dailyKeys(res *sim.Result, v *sim.VariantResult) []string {
	have := map[string]bool{}
	for _, r := range v.Reps {
		for k := range r.Daily {
			have[k] = true
		}
	}
	var keys []string
	done := map[string]bool{}
	for _, m := range res.Metrics {
		if have[m.Name] || (m.Kind == sim.Ratio && have[m.Num] && have[m.Den]) {
			keys = append(keys, m.Name)
			done[m.Name] = true
		}
	}
	rest := make([]string, 0, len(have))
	for k := range have {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

// dailyValue is series key on day index d of one replication; ratios
// without their own series are formed from numerator and denominator.
func dailyValue(ratio map[string]sim.Metric, r *sim.RepResult, key string, d int) float64 {
	if s, ok := r.Daily[key]; ok {
		if d < len(s) {
			return s[d]
		}
		return math.NaN()
	}
	if m, ok := ratio[key]; ok {
		n, d0 := r.Daily[m.Num], r.Daily[m.Den]
		if d < len(n) && d < len(d0) && d0[d] != 0 {
			return n[d] / d0[d]
		}
	}
	return math.NaN()
}

func writeTimeseries(path string, res *sim.Result) error {
	ratio := map[string]sim.Metric{}
	for _, m := range res.Metrics {
		if m.Kind == sim.Ratio {
			ratio[m.Name] = m
		}
	}
	return writeCSVFile(path, func(w *csv.Writer) error {
		if err := w.Write(timeseriesHeader); err != nil {
			return err
		}
		rec := make([]string, 6)
		for vi := range res.Variants {
			v := &res.Variants[vi]
			xs := make([]float64, len(v.Reps))
			for _, key := range dailyKeys(res, v) {
				days := 0
				for _, r := range v.Reps {
					if s, ok := r.Daily[key]; ok {
						days = max(days, len(s))
					} else if m, ok := ratio[key]; ok {
						days = max(days, min(len(r.Daily[m.Num]), len(r.Daily[m.Den])))
					}
				}
				for d := range days {
					for ri := range v.Reps {
						xs[ri] = dailyValue(ratio, &v.Reps[ri], key, d)
						if math.IsInf(xs[ri], 0) {
							xs[ri] = math.NaN()
						}
					}
					e := sim.MeanCI(xs)
					rec[0], rec[1], rec[2] = TextCell(v.Name), strconv.Itoa(d+1), TextCell(key)
					if e.N == 0 {
						rec[3], rec[4], rec[5] = "", "", ""
					} else {
						rec[3], rec[4], rec[5] = formatFloat(e.Mean), formatFloat(e.Lo), formatFloat(e.Hi)
					}
					if err := w.Write(rec); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

func writeReplications(path string, res *sim.Result) error {
	return writeCSVFile(path, func(w *csv.Writer) error {
		if err := w.Write(replicationsHeader); err != nil {
			return err
		}
		rec := make([]string, 4)
		for vi := range res.Variants {
			v := &res.Variants[vi]
			for ri := range v.Reps {
				for _, m := range res.Metrics {
					rec[0], rec[1], rec[2] = TextCell(v.Name), strconv.Itoa(ri), TextCell(m.Name)
					rec[3] = formatFloat(repValue(m, &v.Reps[ri])) // "" = undefined
					if err := w.Write(rec); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

func writeBreakdown(path string, s *Summary) error {
	return writeCSVFile(path, func(w *csv.Writer) error {
		if err := w.Write(breakdownHeader); err != nil {
			return err
		}
		rec := make([]string, 7)
		put := func(variant string, rows []BreakdownStat) error {
			for _, b := range rows {
				rec[0], rec[1], rec[2], rec[3] = TextCell(variant), TextCell(b.Dimension), TextCell(b.Key), TextCell(b.Metric)
				rec[4], rec[5], rec[6] = formatFloat(float64(b.Mean)), formatFloat(float64(b.CI95[0])), formatFloat(float64(b.CI95[1]))
				if err := w.Write(rec); err != nil {
					return err
				}
			}
			return nil
		}
		if err := put(s.Baseline, s.Breakdowns); err != nil {
			return err
		}
		for _, v := range s.Variants {
			if err := put(v.Name, v.Breakdowns); err != nil {
				return err
			}
		}
		return nil
	})
}

// Series is one daily series of one variant, read from timeseries.csv.
type Series struct {
	Day          []int
	Mean, Lo, Hi []float64 // NaN where undefined
}

// readCSV reads a tidy CSV of at most safeio.RunFileLimit bytes, checking
// its header, calling row for each record with the text cells made raw
// again (see TextCell).
func readCSV(path string, header []string, row func(line int, rec []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", path)
	}
	r := csv.NewReader(bufio.NewReaderSize(safeio.LimitedReader(f, safeio.RunFileLimit, path, "run-directory file"), 1<<16))
	r.FieldsPerRecord = len(header)
	r.ReuseRecord = true
	first, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for i := range header {
		if first[i] != header[i] {
			return fmt.Errorf("%s: header column %d is %s, want %q", path, i+1, QuoteValue(first[i]), header[i])
		}
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for i, c := range rec {
			rec[i] = RawCell(c)
		}
		if err := row(line, rec); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
}

// TextCell makes a CSV text cell safe to open in a spreadsheet: a cell
// that a spreadsheet would run as a formula — one starting with =, +, -, @,
// a tab or a carriage return — and that is not a number gets a leading
// apostrophe, which spreadsheets show as text and hide; a cell starting
// with an apostrophe gets one more, so that RawCell undoes TextCell
// exactly. Numbers (negative ones included) are unchanged. Every text cell
// of the run directory's CSVs goes through it; numeric columns are written
// as numbers, and Parquet outputs keep the raw text.
func TextCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '\'':
		return "'" + s
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err == nil && s[0] != '\t' && s[0] != '\r' {
			return s
		}
		return "'" + s
	}
	return s
}

// RawCell undoes TextCell.
func RawCell(s string) string {
	if len(s) > 1 && s[0] == '\'' {
		return s[1:]
	}
	return s
}

func parseFloats(rec []string) ([]float64, error) {
	out := make([]float64, len(rec))
	for i, s := range rec {
		f, err := parseFloat(s)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", s)
		}
		out[i] = f
	}
	return out, nil
}
