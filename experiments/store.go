package experiments

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/startrend/startrend/internal/outdir"
	"github.com/startrend/startrend/internal/safeio"
)

// Files of a run store directory.
const (
	// FileManifest is the store's marker and description (Spec, shard,
	// state). A directory is a run store only if it holds this file.
	FileManifest = "store.json"
	// FilePoints journals the batches and their points (append-only).
	FilePoints = "points.journal"
	// FileRuns journals finished runs (append-only while running, rewritten
	// in run_id order by Finalize).
	FileRuns = "runs.journal"
	// FileRowsCSV and FileRowsParquet hold the tidy rows, one per run and
	// output, in run_id order.
	FileRowsCSV     = "rows.csv"
	FileRowsParquet = "rows.parquet"
	// FilePointsCSV holds the per-point summaries (mean and 95% CI per
	// output), written for a whole store (not for a shard).
	FilePointsCSV = "points.csv"
)

const storeFormat = "startrend-run-store/1"

// maxReps bounds the replications per point of one batch.
const maxReps = 1_000_000

// Spec says what a store's runs are: it is written to store.json when the
// store is created and must be equal when a store is resumed or shards
// are merged.
type Spec struct {
	// Kind names the method: sweep, sensitivity, calibrate, optimize.
	Kind string `json:"kind"`
	// Scenario is the scenario's name and ScenarioHash its hash
	// (scenarios.Hash): runs of another scenario cannot be mixed in.
	Scenario     string `json:"scenario"`
	ScenarioHash string `json:"scenario_hash"`
	// Design describes how the points are chosen (e.g. the sweep block,
	// as canonical text); a resumed store or a shard must have the same.
	Design string `json:"design"`
	// Columns are the coordinates of a point (one per parameter).
	Columns []Column `json:"columns"`
	// Outputs are the values recorded for each run, in order.
	Outputs []Output `json:"outputs"`
}

// Column is one coordinate of a point.
type Column struct {
	// Name heads the column in rows.csv and rows.parquet (the field path).
	Name string `json:"name"`
	// Kind is real, whole or categorical. A categorical coordinate holds
	// the index of one of Categories, which the files show instead.
	Kind       string   `json:"kind"`
	Categories []string `json:"categories,omitempty"`
}

// Column kinds.
const (
	KindReal        = "real"
	KindWhole       = "whole"
	KindCategorical = "categorical"
)

// Output is one value recorded per run: a metric of a variant.
type Output struct {
	Variant string `json:"variant"`
	Metric  string `json:"metric"`
}

type manifest struct {
	Format string `json:"format"`
	Spec
	// Shard is the part of the runs this store runs ("i/n"); empty for all.
	Shard string `json:"shard,omitempty"`
	// State is running until Finalize writes the final files (complete).
	State string `json:"state"`
}

// Run is one simulation of a point with one replication index. Run ids
// are numbered 0, 1, … in the order runs are submitted, so they are
// stable: the same batches give the same ids on every machine.
type Run struct {
	ID          uint64
	Point       int
	Replication int
}

// Batch is a set of runs submitted together: new points, each with
// replications RepFrom … RepFrom+Reps−1 (Submit), or more replications of
// existing points (Replicate). Its runs have ids FirstRun … FirstRun+Runs−1,
// point-major.
type Batch struct {
	Index      int    // 0-based number of the batch in the store
	FirstRun   uint64 // id of the batch's first run
	Runs       int    // number of runs
	FirstPoint int    // first new point (Submit); -1 for Replicate
	Points     int    // number of points
	RepFrom    int    // first replication index
	Reps       int    // replications per point
	// Diagonal batches (SubmitDiagonal) run each new point once, point i
	// with replication RepFrom+i (Reps is 1).
	Diagonal bool
	again    []int // Replicate: the points
}

// Run returns the batch's k-th run (0 ≤ k < b.Runs).
func (b Batch) Run(k int) Run {
	if b.Diagonal {
		return Run{ID: b.FirstRun + uint64(k), Point: b.FirstPoint + k, Replication: b.RepFrom + k}
	}
	i, r := k/b.Reps, k%b.Reps
	p := b.FirstPoint + i
	if b.again != nil {
		p = b.again[i]
	}
	return Run{ID: b.FirstRun + uint64(k), Point: p, Replication: b.RepFrom + r}
}

// Design is a list of points: Len points of Dims coordinates each, point
// i written into dst (len Dims) by Point. Designs are deterministic.
type Design interface {
	Len() int
	Dims() int
	Point(i int, dst []float64)
}

// Points is a Design held in memory: one slice of coordinates per point.
type Points [][]float64

// Len returns the number of points.
func (p Points) Len() int { return len(p) }

// Dims returns the number of coordinates of the first point (0 when empty).
func (p Points) Dims() int {
	if len(p) == 0 {
		return 0
	}
	return len(p[0])
}

// Point copies point i into dst.
func (p Points) Point(i int, dst []float64) { copy(dst, p[i]) }

// Evaluator computes one run: it writes the run's outputs (Spec.Outputs,
// in order; NaN for an undefined value) into out. x is the point's
// coordinates. It is called from several goroutines at once.
type Evaluator func(ctx context.Context, r Run, x []float64, out []float64) error

// Options open a store.
type Options struct {
	// Shard selects the part of the runs this process runs (zero: all).
	Shard Shard
	// Resume continues a store found in the directory (its Spec and shard
	// must match); without it an existing store is an error.
	Resume bool
}

// Store is a directory of runs: batches and points journaled when they are
// submitted, finished runs journaled as they finish, final tidy files
// written by Finalize. Its memory is 8 bytes per run and 8 bytes per
// coordinate of a point; run outputs are on disk only.
type Store struct {
	dir    string
	m      manifest
	dims   int
	points []float64 // flat, dims per point
	// batches recorded; next is the number of Submit/Replicate calls made
	// by this process (on resume, calls are checked against the record).
	batches []Batch
	next    int
	nruns   uint64
	// done[id] is 1 + the byte offset of run id's record in runs.journal,
	// 0 while the run is not finished.
	done      []int64
	runs      *os.File
	runsSize  int64
	pts       *os.File
	mu        sync.Mutex
	lastSync  time.Time
	Discarded int // torn records discarded when the store was opened
}

// ErrExists is returned by Open when the directory holds a store and
// Options.Resume is not set.
var ErrExists = errors.New("holds a run store already")

// Open creates a store in dir (which must not exist or be empty), or with
// Options.Resume continues the store found there: finished runs are read
// from its journal (a torn last record is discarded) and are skipped by
// Execute.
func Open(dir string, spec Spec, opt Options) (*Store, error) {
	if err := opt.Shard.check(); err != nil {
		return nil, err
	}
	if len(spec.Columns) == 0 {
		return nil, fmt.Errorf("run store %s: a spec needs at least one column", dir)
	}
	s := &Store{dir: dir, dims: len(spec.Columns)}
	s.m = manifest{Format: storeFormat, Spec: spec, State: "running"}
	if !opt.Shard.Whole() {
		s.m.Shard = opt.Shard.String()
	}
	b, err := safeio.ReadRegular(filepath.Join(dir, FileManifest), safeio.StoreFileLimit, "run store manifest")
	switch {
	case err == nil:
		if !opt.Resume {
			return nil, fmt.Errorf("%s %w; resume it or choose another directory", dir, ErrExists)
		}
		var old manifest
		if err := json.Unmarshal(b, &old); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(dir, FileManifest), err)
		}
		if err := sameStore(&old, &s.m); err != nil {
			return nil, fmt.Errorf("%s: cannot resume: %v", dir, err)
		}
		if err := s.load(); err != nil {
			return nil, err
		}
		return s, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			if e.Name() != outdir.MarkerFile && !startLeftover(dir, e) { // the output-directory marker of a claimed directory
				return nil, fmt.Errorf("%s exists and is not a run store (no %s); not writing into it", dir, FileManifest)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, name := range []string{FilePoints, FileRuns} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			return nil, err
		}
	}
	if err := s.writeManifest(); err != nil {
		return nil, err
	}
	if err := s.openFiles(); err != nil {
		return nil, err
	}
	return s, nil
}

// startLeftover reports whether entry e of a directory without store.json
// is what an Open killed before it wrote store.json leaves: an empty
// points or run journal, or the manifest's temporary file. They hold no
// run, and a new store is begun over them.
func startLeftover(dir string, e os.DirEntry) bool {
	switch e.Name() {
	case FilePoints, FileRuns:
		fi, err := e.Info()
		return err == nil && fi.Mode().IsRegular() && fi.Size() == 0
	case FileManifest + ".tmp":
		return !e.IsDir()
	}
	return false
}

// sameStore explains how two manifests differ, or returns nil.
func sameStore(old, cur *manifest) error {
	switch {
	case old.Format != cur.Format:
		return fmt.Errorf("format %q, expected %q", old.Format, cur.Format)
	case old.Kind != cur.Kind:
		return fmt.Errorf("it holds a %s, not a %s", old.Kind, cur.Kind)
	case old.ScenarioHash != cur.ScenarioHash:
		return fmt.Errorf("it holds runs of another scenario (%s, hash %.12s; this one is %s, hash %.12s)", old.Scenario, old.ScenarioHash, cur.Scenario, cur.ScenarioHash)
	case old.Design != cur.Design:
		return fmt.Errorf("it holds another design")
	case old.Shard != cur.Shard:
		return fmt.Errorf("it holds shard %q, not %q", orAll(old.Shard), orAll(cur.Shard))
	}
	a, _ := json.Marshal(old.Spec)
	b, _ := json.Marshal(cur.Spec)
	if !bytes.Equal(a, b) {
		return fmt.Errorf("its columns or outputs differ")
	}
	return nil
}

func orAll(s string) string {
	if s == "" {
		return "all runs"
	}
	return s
}

func (s *Store) writeManifest() error {
	b, err := json.MarshalIndent(s.m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(s.dir, FileManifest), append(b, '\n'))
}

// writeFileAtomic writes a file under a temporary name and renames it.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (s *Store) openFiles() error {
	var err error
	if s.pts, err = os.OpenFile(filepath.Join(s.dir, FilePoints), os.O_WRONLY|os.O_APPEND, 0); err != nil {
		return err
	}
	if s.runs, err = os.OpenFile(filepath.Join(s.dir, FileRuns), os.O_RDWR|os.O_APPEND, 0); err != nil {
		return err
	}
	st, err := s.runs.Stat()
	if err != nil {
		return err
	}
	s.runsSize = st.Size()
	return nil
}

// load reads the journals of a resumed store, truncating torn tails.
func (s *Store) load() error {
	pp := filepath.Join(s.dir, FilePoints)
	f, err := safeio.Open(pp, safeio.StoreFileLimit, "points journal")
	if err != nil {
		return err
	}
	batches, points, good, torn, err := readPoints(FilePoints, f, s.dims)
	f.Close()
	if err != nil {
		return err
	}
	if torn {
		s.Discarded++
		if err := os.Truncate(pp, good); err != nil {
			return err
		}
	}
	s.batches, s.points = batches, points
	for _, b := range batches {
		s.nruns = b.FirstRun + uint64(b.Runs)
	}
	s.done = make([]int64, s.nruns)
	rp := filepath.Join(s.dir, FileRuns)
	f, err = safeio.Open(rp, 0, "run journal")
	if err != nil {
		return err
	}
	jr := newJournalReader(FileRuns, f)
	for {
		rec, err := jr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			f.Close()
			return err
		}
		id, err := s.checkRun(jr, rec)
		if err != nil {
			f.Close()
			return err
		}
		if s.done[id] == 0 {
			s.done[id] = rec.offset + 1
		}
	}
	f.Close()
	if jr.torn {
		s.Discarded++
		if err := os.Truncate(rp, jr.good); err != nil {
			return err
		}
	}
	return s.openFiles()
}

// checkRun validates a run record against the batches and returns its id.
func (s *Store) checkRun(jr *journalReader, rec record) (uint64, error) {
	if len(rec.fields) != 4+len(s.m.Outputs) || string(rec.fields[0]) != "R" {
		return 0, jr.errAt(rec, "not a run record of this store (%d fields, expected %d)", len(rec.fields), 4+len(s.m.Outputs))
	}
	id, ok1 := atoi(rec.fields[1])
	p, ok2 := atoi(rec.fields[2])
	r, ok3 := atoi(rec.fields[3])
	if !ok1 || !ok2 || !ok3 || id < 0 || uint64(id) >= s.nruns {
		return 0, jr.errAt(rec, "run %q is not one of the store's %d runs", rec.fields[1], s.nruns)
	}
	want := s.runByID(uint64(id))
	if int64(want.Point) != p || int64(want.Replication) != r {
		return 0, jr.errAt(rec, "run %d is point %d replication %d, recorded as point %d replication %d", id, want.Point, want.Replication, p, r)
	}
	return uint64(id), nil
}

// readPoints parses a points journal: P records (point, coordinates) and
// B/Q records committing a batch. Records after the last committed batch
// (an interrupted Submit) are discarded like a torn record.
func readPoints(name string, r io.Reader, dims int) (batches []Batch, points []float64, good int64, torn bool, err error) {
	jr := newJournalReader(name, r)
	var pending []float64
	var again []int
	committed := int64(0)
	for {
		rec, err := jr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, 0, false, err
		}
		f := rec.fields
		switch {
		case string(f[0]) == "P" && len(f) == 2+dims:
			p, ok := atoi(f[1])
			if !ok || int(p) != len(points)/dims+len(pending)/dims {
				return nil, nil, 0, false, jr.errAt(rec, "point %q out of order", f[1])
			}
			for _, v := range f[2:] {
				x, err := parseValue(string(v))
				if err != nil {
					return nil, nil, 0, false, jr.errAt(rec, "bad coordinate %q", v)
				}
				pending = append(pending, x)
			}
		case string(f[0]) == "Q" && len(f) == 2:
			p, ok := atoi(f[1])
			if !ok || p < 0 || int(p) >= len(points)/dims {
				return nil, nil, 0, false, jr.errAt(rec, "point %q does not exist", f[1])
			}
			again = append(again, int(p))
		case string(f[0]) == "B" && len(f) == 8:
			var n [7]int64
			for i := range n {
				var ok bool
				if n[i], ok = atoi(f[i+1]); !ok && i < 6 {
					return nil, nil, 0, false, jr.errAt(rec, "bad batch record")
				}
			}
			if n[3] < 0 || n[4] < 0 || n[4] > 1e9 || n[5] < 1 || n[5] > maxReps {
				return nil, nil, 0, false, jr.errAt(rec, "bad batch record (points %d, replications from %d, %d replications)", n[3], n[4], n[5])
			}
			b := Batch{Index: int(n[0]), FirstRun: uint64(n[1]), FirstPoint: int(n[2]), Points: int(n[3]), RepFrom: int(n[4]), Reps: int(n[5])}
			b.Runs = b.Points * b.Reps
			var next uint64
			if len(batches) > 0 {
				l := batches[len(batches)-1]
				next = l.FirstRun + uint64(l.Runs)
			}
			switch string(f[7]) {
			case "new":
				if b.FirstPoint != len(points)/dims || len(pending)/dims != b.Points {
					return nil, nil, 0, false, jr.errAt(rec, "batch %d commits %d points, %d were recorded", b.Index, b.Points, len(pending)/dims)
				}
				points = append(points, pending...)
			case "diag":
				if b.FirstPoint != len(points)/dims || len(pending)/dims != b.Points || b.Reps != 1 {
					return nil, nil, 0, false, jr.errAt(rec, "batch %d commits %d points, %d were recorded", b.Index, b.Points, len(pending)/dims)
				}
				b.Diagonal = true
				points = append(points, pending...)
			case "again":
				if len(again) != b.Points || len(pending) > 0 {
					return nil, nil, 0, false, jr.errAt(rec, "batch %d lists %d points, %d were recorded", b.Index, b.Points, len(again))
				}
				b.again = again
			default:
				return nil, nil, 0, false, jr.errAt(rec, "unknown batch kind %q", f[7])
			}
			if b.Index != len(batches) || b.FirstRun != next {
				return nil, nil, 0, false, jr.errAt(rec, "batch %d out of order", b.Index)
			}
			batches = append(batches, b)
			pending, again = nil, nil
			committed = jr.good
		default:
			return nil, nil, 0, false, jr.errAt(rec, "not a record of a points journal with %d coordinates", dims)
		}
	}
	torn = jr.torn || committed != jr.good
	return batches, points, committed, torn, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// Spec returns the store's spec.
func (s *Store) Spec() Spec { return s.m.Spec }

// Shard returns the part of the runs this store runs.
func (s *Store) Shard() Shard {
	sh, _ := ParseShard(s.m.Shard)
	return sh
}

// Batches returns the batches submitted so far (recorded ones included).
func (s *Store) Batches() []Batch { return append([]Batch(nil), s.batches...) }

// NumPoints returns the number of points submitted so far.
func (s *Store) NumPoints() int {
	return len(s.points) / s.dims
}

// Point returns the coordinates of point p.
func (s *Store) Point(p int) []float64 {
	return s.points[p*s.dims : (p+1)*s.dims : (p+1)*s.dims]
}

// Submit adds a batch of new points, each to be run with replications
// 0 … reps−1, and returns it. On a resumed store, the calls repeat the
// recorded batches in order: each must match (same points and
// replications) and returns the recorded batch.
func (s *Store) Submit(d Design, reps int) (Batch, error) {
	if reps < 1 || reps > maxReps {
		return Batch{}, fmt.Errorf("submit: %d replications; allowed 1 … %d", reps, maxReps)
	}
	return s.submit(d, 0, reps, false)
}

// SubmitFrom is Submit with replications repFrom … repFrom+reps−1 of each
// point (a calibration asks for replications it has not run yet).
func (s *Store) SubmitFrom(d Design, repFrom, reps int) (Batch, error) {
	if reps < 1 || reps > maxReps || repFrom < 0 || repFrom > 1e9 {
		return Batch{}, fmt.Errorf("submit: replications %d … %d; allowed 0 … 10⁹, at most %d per point", repFrom, repFrom+reps-1, maxReps)
	}
	return s.submit(d, repFrom, reps, false)
}

// SubmitDiagonal adds a batch of new points run once each, point i with
// replication repFrom+i: independent random numbers for every point (an
// ABC population's particles). Resumed stores check the calls as for
// Submit.
func (s *Store) SubmitDiagonal(d Design, repFrom int) (Batch, error) {
	if repFrom < 0 || int64(repFrom)+int64(d.Len()) > 1e9 {
		return Batch{}, fmt.Errorf("submit: replications %d … %d; allowed 0 … 10⁹", repFrom, int64(repFrom)+int64(d.Len())-1)
	}
	return s.submit(d, repFrom, 1, true)
}

func (s *Store) submit(d Design, repFrom, reps int, diag bool) (Batch, error) {
	if d.Dims() != s.dims && d.Len() > 0 {
		return Batch{}, fmt.Errorf("submit: points have %d coordinates, the store's columns are %d", d.Dims(), s.dims)
	}
	x := make([]float64, s.dims)
	if s.next < len(s.batches) {
		b := s.batches[s.next]
		if b.again != nil || b.Points != d.Len() || b.Reps != reps || b.RepFrom != repFrom || b.Diagonal != diag {
			return Batch{}, fmt.Errorf("batch %d differs from the recorded one (%d points × %d replications from %d recorded, %d × %d from %d now)", b.Index, b.Points, b.Reps, b.RepFrom, d.Len(), reps, repFrom)
		}
		for i := 0; i < d.Len(); i++ {
			d.Point(i, x)
			for j, v := range s.Point(b.FirstPoint + i) {
				if math.Float64bits(v) != math.Float64bits(x[j]) {
					return Batch{}, fmt.Errorf("batch %d differs from the recorded one at point %d, %s: %s recorded, %s now", b.Index, b.FirstPoint+i, s.m.Columns[j].Name, formatValue(v), formatValue(x[j]))
				}
			}
		}
		s.next++
		return b, nil
	}
	b := Batch{Index: len(s.batches), FirstRun: s.nruns, FirstPoint: s.NumPoints(), Points: d.Len(), RepFrom: repFrom, Reps: reps, Runs: d.Len() * reps, Diagonal: diag}
	w := bufio.NewWriterSize(s.pts, 1<<16)
	var buf []byte
	fields := make([]string, 2+s.dims)
	fields[0] = "P"
	for i := 0; i < d.Len(); i++ {
		d.Point(i, x)
		fields[1] = strconv.Itoa(b.FirstPoint + i)
		for j, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				s.points = s.points[:b.FirstPoint*s.dims]
				return Batch{}, fmt.Errorf("submit: point %d, %s: %v is not a coordinate", i, s.m.Columns[j].Name, v)
			}
			fields[2+j] = formatValue(v)
		}
		buf = appendRecord(buf[:0], fields...)
		w.Write(buf)
		s.points = append(s.points, x...)
	}
	kind := "new"
	if diag {
		kind = "diag"
	}
	buf = appendRecord(buf[:0], "B", strconv.Itoa(b.Index), strconv.FormatUint(b.FirstRun, 10), strconv.Itoa(b.FirstPoint),
		strconv.Itoa(b.Points), strconv.Itoa(repFrom), strconv.Itoa(reps), kind)
	w.Write(buf)
	if err := w.Flush(); err != nil {
		return Batch{}, err
	}
	if err := s.pts.Sync(); err != nil {
		return Batch{}, err
	}
	if err := s.commitBatch(b); err != nil {
		return Batch{}, err
	}
	return b, nil
}

// Replicate adds a batch of more replications of existing points:
// replications repFrom … repFrom+reps−1 of each listed point (as racing
// does). Resumed stores check the calls as for Submit.
func (s *Store) Replicate(points []int, repFrom, reps int) (Batch, error) {
	if reps < 1 || reps > maxReps || repFrom < 0 {
		return Batch{}, fmt.Errorf("replicate: replications %d … %d", repFrom, repFrom+reps-1)
	}
	for _, p := range points {
		if p < 0 || p >= s.NumPoints() {
			return Batch{}, fmt.Errorf("replicate: point %d does not exist (%d points)", p, s.NumPoints())
		}
	}
	if s.next < len(s.batches) {
		b := s.batches[s.next]
		if b.again == nil || b.RepFrom != repFrom || b.Reps != reps || !equalInts(b.again, points) {
			return Batch{}, fmt.Errorf("batch %d differs from the recorded one", b.Index)
		}
		s.next++
		return b, nil
	}
	b := Batch{Index: len(s.batches), FirstRun: s.nruns, FirstPoint: -1, Points: len(points), RepFrom: repFrom, Reps: reps,
		Runs: len(points) * reps, again: append([]int(nil), points...)}
	var buf []byte
	for _, p := range points {
		buf = appendRecord(buf, "Q", strconv.Itoa(p))
	}
	buf = appendRecord(buf, "B", strconv.Itoa(b.Index), strconv.FormatUint(b.FirstRun, 10), "-1",
		strconv.Itoa(b.Points), strconv.Itoa(repFrom), strconv.Itoa(reps), "again")
	if _, err := s.pts.Write(buf); err != nil {
		return Batch{}, err
	}
	if err := s.pts.Sync(); err != nil {
		return Batch{}, err
	}
	if err := s.commitBatch(b); err != nil {
		return Batch{}, err
	}
	return b, nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (s *Store) commitBatch(b Batch) error {
	if s.m.State == "complete" { // a finished store continued with a new batch
		s.m.State = "running"
		if err := s.writeManifest(); err != nil {
			return err
		}
	}
	s.batches = append(s.batches, b)
	s.next++
	s.nruns += uint64(b.Runs)
	s.done = append(s.done, make([]int64, b.Runs)...)
	return nil
}

// runByID returns the run with the given id.
func (s *Store) runByID(id uint64) Run {
	lo, hi := 0, len(s.batches)
	for lo+1 < hi {
		m := (lo + hi) / 2
		if s.batches[m].FirstRun <= id {
			lo = m
		} else {
			hi = m
		}
	}
	b := s.batches[lo]
	return b.Run(int(id - b.FirstRun))
}

// Count says how many runs of a batch this process is responsible for.
type Count struct {
	Batch int // runs in the batch
	Share int // of them, runs of this shard
	Done  int // of the share, runs finished before Execute
	Ran   int // of the share, runs finished by Execute
}

// ExecuteOptions control Execute; none changes the results.
type ExecuteOptions struct {
	// Workers runs that many runs at once (0 = GOMAXPROCS).
	Workers int
	// Progress, when set, is called after each finished run with the runs
	// of the share finished and the share's size (from several goroutines).
	Progress func(done, total int)
}

// Execute runs the batch's runs that belong to this store's shard and are
// not finished yet, with up to opt.Workers at once, journaling each as it
// finishes. It returns how many runs it ran and skipped, and the first
// error (the finished runs stay journaled: resume continues from them).
func (s *Store) Execute(ctx context.Context, b Batch, eval Evaluator, opt ExecuteOptions) (Count, error) {
	sh := s.Shard()
	c := Count{Batch: b.Runs}
	for k := 0; k < b.Runs; k++ {
		id := b.FirstRun + uint64(k)
		if sh.Contains(id) {
			c.Share++
			if s.done[id] != 0 {
				c.Done++
			}
		}
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var finished atomic.Int64
	finished.Store(int64(c.Done))
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make([]float64, len(s.m.Outputs))
			fields := make([]string, 4+len(out))
			var buf []byte
			for ctx.Err() == nil {
				k := int(next.Add(1)) - 1
				if k >= b.Runs {
					return
				}
				r := b.Run(k)
				if !sh.Contains(r.ID) || s.done[r.ID] != 0 {
					continue
				}
				for i := range out {
					out[i] = math.NaN()
				}
				if err := eval(ctx, r, s.Point(r.Point), out); err != nil {
					errOnce.Do(func() {
						if ctx.Err() != nil && errors.Is(err, context.Canceled) {
							firstErr = err
						} else {
							firstErr = fmt.Errorf("run %d (point %d, replication %d): %w", r.ID, r.Point, r.Replication, err)
						}
						cancel()
					})
					return
				}
				fields[0] = "R"
				fields[1] = strconv.FormatUint(r.ID, 10)
				fields[2] = strconv.Itoa(r.Point)
				fields[3] = strconv.Itoa(r.Replication)
				for i, v := range out {
					fields[4+i] = formatValue(v)
				}
				buf = appendRecord(buf[:0], fields...)
				if err := s.appendRun(r.ID, buf); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				n := finished.Add(1)
				if opt.Progress != nil {
					opt.Progress(int(n), c.Share)
				}
			}
		}()
	}
	wg.Wait()
	c.Ran = int(finished.Load()) - c.Done
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if err := s.sync(); err != nil && firstErr == nil {
		firstErr = err
	}
	return c, firstErr
}

// appendRun writes one run record with a single write and marks it done;
// the journal is synced to disk at most every two seconds.
func (s *Store) appendRun(id uint64, rec []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.runs.Write(rec); err != nil {
		return fmt.Errorf("%s: %v", filepath.Join(s.dir, FileRuns), err)
	}
	s.done[id] = s.runsSize + 1
	s.runsSize += int64(len(rec))
	if time.Since(s.lastSync) > 2*time.Second {
		s.lastSync = time.Now()
		return s.runs.Sync()
	}
	return nil
}

func (s *Store) sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runs == nil {
		return nil
	}
	return s.runs.Sync()
}

// Finished reports whether run id is finished.
func (s *Store) Finished(id uint64) bool { return id < uint64(len(s.done)) && s.done[id] != 0 }

// Results calls fn for each finished run of the batch in run_id order
// with the point's coordinates and the run's outputs (fn must not keep the
// slices). Runs of other shards are skipped; an unfinished run of this
// shard is an error.
func (s *Store) Results(b Batch, fn func(r Run, x, out []float64) error) error {
	sh := s.Shard()
	f, err := safeio.Open(filepath.Join(s.dir, FileRuns), 0, "run journal")
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 0, 4096)
	out := make([]float64, len(s.m.Outputs))
	for k := 0; k < b.Runs; k++ {
		r := b.Run(k)
		if !sh.Contains(r.ID) {
			continue
		}
		if s.done[r.ID] == 0 {
			return fmt.Errorf("run %d (point %d, replication %d) is not finished", r.ID, r.Point, r.Replication)
		}
		var fields [][]byte
		fields, buf, err = readRecordAt(f, s.done[r.ID]-1, buf)
		if err != nil {
			return err
		}
		if err := parseOutputs(fields, out); err != nil {
			return fmt.Errorf("%s: run %d: %v", FileRuns, r.ID, err)
		}
		if err := fn(r, s.Point(r.Point), out); err != nil {
			return err
		}
	}
	return nil
}

func parseOutputs(fields [][]byte, out []float64) error {
	if len(fields) != 4+len(out) {
		return fmt.Errorf("%d fields, expected %d", len(fields), 4+len(out))
	}
	for i := range out {
		x, err := parseValue(string(fields[4+i]))
		if err != nil {
			return err
		}
		out[i] = x
	}
	return nil
}

// Available calls fn for each run of the batch that is finished in this
// store, of any shard, in run_id order (fn must not keep the slices); the
// runs that are not finished are skipped. A shard of a calibration reads
// its own runs and those of the other shards' stores (OpenReadOnly) this
// way.
func (s *Store) Available(b Batch, fn func(r Run, x, out []float64) error) error {
	f, err := safeio.Open(filepath.Join(s.dir, FileRuns), 0, "run journal")
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 0, 4096)
	out := make([]float64, len(s.m.Outputs))
	for k := 0; k < b.Runs; k++ {
		r := b.Run(k)
		if r.ID >= uint64(len(s.done)) || s.done[r.ID] == 0 {
			continue
		}
		var fields [][]byte
		fields, buf, err = readRecordAt(f, s.done[r.ID]-1, buf)
		if err != nil {
			return err
		}
		if err := parseOutputs(fields, out); err != nil {
			return fmt.Errorf("%s: run %d: %v", filepath.Join(s.dir, FileRuns), r.ID, err)
		}
		if err := fn(r, s.Point(r.Point), out); err != nil {
			return err
		}
	}
	return nil
}

// SameBatch reports whether batch b of this store is batch b.Index of o
// too, with the same points (another shard's store of the same study).
func (s *Store) SameBatch(o *Store, b Batch) bool {
	if b.Index >= len(o.batches) || o.dims != s.dims {
		return false
	}
	c := o.batches[b.Index]
	if c.FirstRun != b.FirstRun || c.FirstPoint != b.FirstPoint || c.Points != b.Points || c.RepFrom != b.RepFrom ||
		c.Reps != b.Reps || c.Diagonal != b.Diagonal || !equalInts(c.again, b.again) || (c.again == nil) != (b.again == nil) {
		return false
	}
	if b.again != nil {
		return true
	}
	for p := b.FirstPoint; p < b.FirstPoint+b.Points; p++ {
		x, y := s.Point(p), o.Point(p)
		for j := range x {
			if math.Float64bits(x[j]) != math.Float64bits(y[j]) {
				return false
			}
		}
	}
	return true
}

// OpenReadOnly opens the store in dir to read its finished runs (with
// Available) without writing anything: a torn tail is ignored, not
// truncated. spec must equal the store's.
func OpenReadOnly(dir string, spec Spec) (*Store, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	cur := manifest{Format: storeFormat, Spec: spec, Shard: m.Shard, State: m.State}
	if err := sameStore(m, &cur); err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	s := &Store{dir: dir, m: *m, dims: len(spec.Columns)}
	f, err := safeio.Open(filepath.Join(dir, FilePoints), safeio.StoreFileLimit, "points journal")
	if err != nil {
		return nil, err
	}
	s.batches, s.points, _, _, err = readPoints(FilePoints, f, s.dims)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	for _, b := range s.batches {
		s.nruns = b.FirstRun + uint64(b.Runs)
	}
	s.done = make([]int64, s.nruns)
	f, err = safeio.Open(filepath.Join(dir, FileRuns), 0, "run journal")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	jr := newJournalReader(filepath.Join(dir, FileRuns), f)
	for {
		rec, err := jr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		id, err := s.checkRun(jr, rec)
		if err != nil {
			return nil, err
		}
		if s.done[id] == 0 {
			s.done[id] = rec.offset + 1
		}
	}
	return s, nil
}

// Close closes the store's files (Finalize closes them too).
func (s *Store) Close() error {
	var err error
	if s.runs != nil {
		err = errors.Join(s.runs.Sync(), s.runs.Close())
		s.runs = nil
	}
	if s.pts != nil {
		err = errors.Join(err, s.pts.Close())
		s.pts = nil
	}
	return err
}

// Label formats coordinate j of a point as the files show it: a number,
// or a categorical column's category.
func (s *Store) Label(j int, x float64) string { return columnLabel(s.m.Columns[j], x) }

func columnLabel(c Column, x float64) string {
	switch c.Kind {
	case KindCategorical:
		i := int(x)
		if i >= 0 && i < len(c.Categories) {
			return c.Categories[i]
		}
		return "?"
	case KindWhole:
		return strconv.FormatInt(int64(x), 10)
	}
	return formatValue(x)
}

// Complete reports whether the store in dir was finalised, and reads its
// shard.
func Complete(dir string) (bool, error) {
	m, err := readManifest(dir)
	if err != nil {
		return false, err
	}
	return m.State == "complete", nil
}

func readManifest(dir string) (*manifest, error) {
	b, err := safeio.ReadRegular(filepath.Join(dir, FileManifest), safeio.StoreFileLimit, "run store manifest")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is not a run store (no %s)", dir, FileManifest)
		}
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, FileManifest), err)
	}
	if m.Format != storeFormat {
		return nil, fmt.Errorf("%s: format %q, expected %q", filepath.Join(dir, FileManifest), m.Format, storeFormat)
	}
	return &m, nil
}

// IsStore reports whether dir carries a run store's marker.
func IsStore(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, FileManifest))
	return err == nil
}
