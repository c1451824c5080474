package experiments

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/startrend/startrend/internal/safeio"
	"github.com/startrend/startrend/stats"
)

// Finalize checks that every run of the store's shard is finished,
// rewrites runs.journal in run_id order and writes the tidy rows
// (rows.csv, rows.parquet) and, for a whole store, the per-point
// summaries (points.csv); then it marks the store complete and closes it.
// The files depend only on the runs, not on the order they finished in,
// the number of workers or interruptions.
func (s *Store) Finalize() error {
	sh := s.Shard()
	missing, first := 0, uint64(0)
	for id := uint64(0); id < s.nruns; id++ {
		if sh.Contains(id) && s.done[id] == 0 {
			if missing == 0 {
				first = id
			}
			missing++
		}
	}
	if missing > 0 {
		r := s.runByID(first)
		return fmt.Errorf("%s: %d runs of shard %s are not finished (the first: run %d, point %d, replication %d)", s.dir, missing, sh, first, r.Point, r.Replication)
	}
	if s.next < len(s.batches) {
		return fmt.Errorf("%s: %d recorded batches were not submitted again by this resume", s.dir, len(s.batches)-s.next)
	}
	if err := s.canonicalRuns(); err != nil {
		return err
	}
	if err := s.writeRows(); err != nil {
		return err
	}
	if sh.Whole() {
		if err := s.writeSummaries(); err != nil {
			return err
		}
	}
	if err := s.Close(); err != nil {
		return err
	}
	s.m.State = "complete"
	return s.writeManifest()
}

// canonicalRuns rewrites runs.journal with the records in run_id order
// (identical bytes for any finishing order) and updates the offsets.
func (s *Store) canonicalRuns() error {
	path := filepath.Join(s.dir, FileRuns)
	src, err := safeio.Open(path, 0, "run journal")
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(tmp, 1<<16)
	var off int64
	buf := make([]byte, 0, 4096)
	line := make([]byte, 0, 4096)
	sh := s.Shard()
	for id := uint64(0); id < s.nruns; id++ {
		if !sh.Contains(id) {
			continue
		}
		line, buf, err = rawRecordAt(src, s.done[id]-1, buf, line[:0])
		if err != nil {
			tmp.Close()
			return err
		}
		w.Write(line)
		s.done[id] = off + 1
		off += int64(len(line))
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runs != nil {
		s.runs.Close()
		s.runs = nil
	}
	return os.Rename(path+".tmp", path)
}

// rawRecordAt appends the whole line (newline included) at off to line.
func rawRecordAt(f *os.File, off int64, buf, line []byte) ([]byte, []byte, error) {
	for {
		n, err := f.ReadAt(buf[:cap(buf)], off)
		b := buf[:n]
		for i, c := range b {
			if c == '\n' {
				return append(line, b[:i+1]...), buf, nil
			}
		}
		if err != nil {
			return line, buf, fmt.Errorf("%s: record at byte %d: %v", f.Name(), off, err)
		}
		if cap(buf) >= safeio.RecordLimit {
			return line, buf, recordTooLong(f.Name(), off)
		}
		buf = make([]byte, 0, 2*cap(buf))
	}
}

// rowWriter writes tidy rows to CSV and Parquet at once.
type rowWriter struct {
	cols    []Column
	csvF    *os.File
	csvB    *bufio.Writer
	csv     *csv.Writer
	pqF     *os.File
	pq      *parquet.Writer
	pqBuf   *bufio.Writer
	rowType reflect.Type
	row     reflect.Value
	rec     []string
}

// parquetOptions are the fixed writer settings: the same rows always give
// the same bytes (Snappy pages, row groups of 16,384 rows, no time or
// library version in the footer).
func parquetOptions(schema *parquet.Schema) []parquet.WriterOption {
	return []parquet.WriterOption{
		schema,
		parquet.Compression(&snappy.Codec{}),
		parquet.MaxRowsPerRowGroup(1 << 14),
		parquet.PageBufferSize(256 << 10),
		parquet.DataPageVersion(2),
		parquet.CreatedBy("startrend", "", ""),
	}
}

func newRowWriter(dir string, cols []Column) (*rowWriter, error) {
	rw := &rowWriter{cols: cols}
	fields := []reflect.StructField{
		{Name: "Point", Type: reflect.TypeOf(int64(0)), Tag: `parquet:"point"`},
		{Name: "Replication", Type: reflect.TypeOf(int64(0)), Tag: `parquet:"replication"`},
		{Name: "RunID", Type: reflect.TypeOf(int64(0)), Tag: `parquet:"run_id"`},
	}
	header := []string{"point", "replication", "run_id"}
	for i, c := range cols {
		var t reflect.Type
		tag := `parquet:"` + c.Name + `"`
		switch c.Kind {
		case KindCategorical:
			t = reflect.TypeOf("")
			tag = `parquet:"` + c.Name + `,dict"`
		case KindWhole:
			t = reflect.TypeOf(int64(0))
		default:
			t = reflect.TypeOf(0.0)
		}
		fields = append(fields, reflect.StructField{Name: "C" + strconv.Itoa(i), Type: t, Tag: reflect.StructTag(tag)})
		header = append(header, c.Name)
	}
	fields = append(fields,
		reflect.StructField{Name: "Variant", Type: reflect.TypeOf(""), Tag: `parquet:"variant,dict"`},
		reflect.StructField{Name: "Metric", Type: reflect.TypeOf(""), Tag: `parquet:"metric,dict"`},
		reflect.StructField{Name: "Value", Type: reflect.TypeOf((*float64)(nil)), Tag: `parquet:"value,optional"`},
	)
	header = append(header, "variant", "metric", "value")
	rw.rowType = reflect.StructOf(fields)
	rw.row = reflect.New(rw.rowType)
	schema := parquet.SchemaOf(rw.row.Interface())
	var err error
	if rw.csvF, err = os.Create(filepath.Join(dir, FileRowsCSV+".tmp")); err != nil {
		return nil, err
	}
	if rw.pqF, err = os.Create(filepath.Join(dir, FileRowsParquet+".tmp")); err != nil {
		rw.csvF.Close()
		return nil, err
	}
	rw.csvB = bufio.NewWriterSize(rw.csvF, 1<<16)
	rw.csv = csv.NewWriter(rw.csvB)
	rw.pqBuf = bufio.NewWriterSize(rw.pqF, 1<<16)
	rw.pq = parquet.NewWriter(rw.pqBuf, parquetOptions(schema)...)
	rw.rec = make([]string, len(header))
	return rw, rw.csv.Write(header)
}

// write writes the rows of one run: one per output.
func (rw *rowWriter) write(r Run, x []float64, outputs []Output, vals []float64) error {
	v := rw.row.Elem()
	v.Field(0).SetInt(int64(r.Point))
	v.Field(1).SetInt(int64(r.Replication))
	v.Field(2).SetInt(int64(r.ID))
	rw.rec[0] = strconv.Itoa(r.Point)
	rw.rec[1] = strconv.Itoa(r.Replication)
	rw.rec[2] = strconv.FormatUint(r.ID, 10)
	for j, c := range rw.cols {
		f := v.Field(3 + j)
		switch c.Kind {
		case KindCategorical:
			f.SetString(columnLabel(c, x[j]))
		case KindWhole:
			f.SetInt(int64(x[j]))
		default:
			f.SetFloat(x[j])
		}
		rw.rec[3+j] = columnLabel(c, x[j])
	}
	n := 3 + len(rw.cols)
	for i, o := range outputs {
		v.Field(n).SetString(o.Variant)
		v.Field(n + 1).SetString(o.Metric)
		rw.rec[n] = o.Variant
		rw.rec[n+1] = o.Metric
		if math.IsNaN(vals[i]) {
			v.Field(n + 2).SetZero()
			rw.rec[n+2] = ""
		} else {
			x := vals[i]
			v.Field(n + 2).Set(reflect.ValueOf(&x))
			rw.rec[n+2] = formatValue(x)
		}
		if err := rw.pq.Write(rw.row.Interface()); err != nil {
			return err
		}
		if err := rw.csv.Write(rw.rec); err != nil {
			return err
		}
	}
	return nil
}

func (rw *rowWriter) close(dir string, ok bool) error {
	var err error
	if ok {
		err = rw.pq.Close()
	}
	if ok && err == nil {
		err = rw.pqBuf.Flush()
	}
	rw.csv.Flush()
	if ok && err == nil {
		err = rw.csv.Error()
	}
	if ok && err == nil {
		err = rw.csvB.Flush()
	}
	for _, f := range []*os.File{rw.csvF, rw.pqF} {
		if ok && err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if !ok || err != nil {
		os.Remove(rw.csvF.Name())
		os.Remove(rw.pqF.Name())
		return err
	}
	for _, name := range []string{FileRowsCSV, FileRowsParquet} {
		if err := os.Rename(filepath.Join(dir, name+".tmp"), filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// writeRows writes rows.csv and rows.parquet from the canonical journal.
func (s *Store) writeRows() error {
	f, err := safeio.Open(filepath.Join(s.dir, FileRuns), 0, "run journal")
	if err != nil {
		return err
	}
	defer f.Close()
	rw, err := newRowWriter(s.dir, s.m.Columns)
	if err != nil {
		return err
	}
	jr := newJournalReader(FileRuns, f)
	out := make([]float64, len(s.m.Outputs))
	for {
		rec, err := jr.next()
		if err == io.EOF {
			break
		}
		if err == nil {
			var id uint64
			if id, err = s.checkRun(jr, rec); err == nil {
				if err = parseOutputs(rec.fields, out); err == nil {
					r := s.runByID(id)
					err = rw.write(r, s.Point(r.Point), s.m.Outputs, out)
				}
			}
		}
		if err != nil {
			rw.close(s.dir, false)
			return err
		}
	}
	if jr.torn {
		rw.close(s.dir, false)
		return fmt.Errorf("%s: torn record in the canonical journal", FileRuns)
	}
	return rw.close(s.dir, true)
}

// csvNumber writes x exactly, or an empty cell for an undefined value
// (NaN: no observation, or an interval with fewer than two).
func csvNumber(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return formatValue(x)
}

// writeSummaries writes points.csv: per point and output, the number of
// replications with a value, the mean, the SD and the 95% Student-t CI
// (stats.MeanCI; empty cells where undefined, as with one replication).
func (s *Store) writeSummaries() error {
	np := s.NumPoints()
	// Runs of each point (CSR): most batches give contiguous runs, but
	// Replicate adds runs of old points later.
	start := make([]int, np+1)
	for _, b := range s.batches {
		for i := 0; i < b.Points; i++ {
			p := b.FirstPoint + i
			if b.again != nil {
				p = b.again[i]
			}
			start[p+1] += b.Reps
		}
	}
	for p := 0; p < np; p++ {
		start[p+1] += start[p]
	}
	ids := make([]uint64, start[np])
	fill := append([]int(nil), start[:np]...)
	for _, b := range s.batches {
		for k := 0; k < b.Runs; k++ {
			r := b.Run(k)
			ids[fill[r.Point]] = r.ID
			fill[r.Point]++
		}
	}
	src, err := safeio.Open(filepath.Join(s.dir, FileRuns), 0, "run journal")
	if err != nil {
		return err
	}
	defer src.Close()
	path := filepath.Join(s.dir, FilePointsCSV)
	tmp, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(tmp, 1<<16)
	cw := csv.NewWriter(bw)
	header := []string{"point"}
	for _, c := range s.m.Columns {
		header = append(header, c.Name)
	}
	header = append(header, "variant", "metric", "n", "mean", "sd", "ci95_lo", "ci95_hi")
	cw.Write(header)
	nout := len(s.m.Outputs)
	vals := make([][]float64, nout)
	out := make([]float64, nout)
	buf := make([]byte, 0, 4096)
	rec := make([]string, len(header))
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	for p := 0; p < np; p++ {
		for i := range vals {
			vals[i] = vals[i][:0]
		}
		for _, id := range ids[start[p]:start[p+1]] {
			var fields [][]byte
			fields, buf, err = readRecordAt(src, s.done[id]-1, buf)
			if err == nil {
				err = parseOutputs(fields, out)
			}
			if err != nil {
				return fail(err)
			}
			for i, v := range out {
				vals[i] = append(vals[i], v)
			}
		}
		rec[0] = strconv.Itoa(p)
		x := s.Point(p)
		for j, c := range s.m.Columns {
			rec[1+j] = columnLabel(c, x[j])
		}
		n := 1 + len(s.m.Columns)
		for i, o := range s.m.Outputs {
			e := stats.MeanCI(vals[i], 0.95)
			rec[n], rec[n+1] = o.Variant, o.Metric
			rec[n+2] = strconv.Itoa(e.N)
			rec[n+3], rec[n+4], rec[n+5], rec[n+6] = csvNumber(e.Mean), csvNumber(e.SD), csvNumber(e.Lo), csvNumber(e.Hi)
			if err := cw.Write(rec); err != nil {
				return fail(err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}
