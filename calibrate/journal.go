package calibrate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/sourcegraph/conc/iter"
	"github.com/startrend/startrend/internal/safeio"
)

// Journal is a Simulator that records every completed run as one JSON line
// and serves runs it already holds without simulating them. A calibration
// that was interrupted is resumed by loading its journal and running the
// same calibration again: it asks for the same runs, the journal answers
// those already done, and the Result is identical to an uninterrupted fit.
//
// Lines look like {"rep":3,"theta":[0.5,2],"out":[1.25,null]} (null: NaN),
// with floats written so that they read back bit for bit.
type Journal struct {
	sim     Simulator
	fn      SimulatorFunc // per-run simulation (NewRunJournal), or nil
	workers int
	mu      sync.Mutex
	w       io.Writer
	runs    map[string][]float64
	// Hits and Misses count runs served from the journal and simulated.
	Hits, Misses int
}

// NewJournal wraps sim; completed runs are appended to w (nil: kept in
// memory only).
func NewJournal(sim Simulator, w io.Writer) *Journal {
	return &Journal{sim: sim, w: w, runs: map[string][]float64{}}
}

// NewRunJournal is NewJournal for a per-run simulator run on up to workers
// goroutines: each run is appended to w as soon as it finishes, so an
// interruption loses only the runs in flight, not the whole batch. The
// order of the lines then depends on timing; what they hold does not.
func NewRunJournal(f SimulatorFunc, workers int, w io.Writer) *Journal {
	return &Journal{fn: f, workers: workers, w: w, runs: map[string][]float64{}}
}

// Len is the number of runs the journal holds.
func (j *Journal) Len() int { return len(j.runs) }

type journalLine struct {
	Rep   int        `json:"rep"`
	Theta []jsonNum  `json:"theta"`
	Out   []*jsonNum `json:"out"`
}

// jsonNum is a float written with the shortest exact representation.
type jsonNum float64

func (f jsonNum) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(f), 'g', -1, 64), nil
}

func runKey(theta []float64, rep int) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(rep))
	for _, x := range theta {
		b.WriteByte(' ')
		b.WriteString(strconv.FormatUint(math.Float64bits(x), 16))
	}
	return b.String()
}

// maxJournalLine bounds one line of a journal (a run's parameters and
// targets take a few hundred bytes).
const maxJournalLine = 1 << 20

// Load reads a journal written earlier (name is used in error messages).
// A last line without its newline — a write cut short — is ignored;
// any other malformed line is an error naming its line number.
func (j *Journal) Load(name string, r io.Reader) error { return j.load(name, r, false) }

// Import is Load for another process's journal (a shard's): the runs this
// journal lacks are also appended to its writer, so that it holds them for
// the next resume.
func (j *Journal) Import(name string, r io.Reader) error { return j.load(name, r, true) }

// Has reports whether the journal holds the run.
func (j *Journal) Has(r Run) bool {
	_, ok := j.runs[runKey(r.Theta, r.Rep)]
	return ok
}

func (j *Journal) load(name string, r io.Reader, write bool) error {
	// The whole journal is held (a map of its runs): bounded like every
	// run-store file.
	br := bufio.NewReaderSize(safeio.LimitedReader(r, safeio.StoreFileLimit, name, "calibration journal"), 64<<10)
	var b []byte
	for line := 1; ; line++ {
		b = b[:0]
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			b = append(b, chunk...)
			if len(b) > maxJournalLine {
				return fmt.Errorf("%s:%d: line longer than %d bytes: not a journal", name, line, maxJournalLine)
			}
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if err == io.EOF {
			return nil // a partial last line is dropped
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		var jl struct {
			Rep   *int       `json:"rep"`
			Theta []float64  `json:"theta"`
			Out   []*float64 `json:"out"`
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&jl); err != nil {
			return fmt.Errorf("%s:%d: not a journal line: %v", name, line, err)
		}
		if jl.Rep == nil || jl.Theta == nil || jl.Out == nil {
			return fmt.Errorf("%s:%d: a journal line needs rep, theta and out", name, line)
		}
		out := make([]float64, len(jl.Out))
		for i, v := range jl.Out {
			out[i] = math.NaN()
			if v != nil {
				out[i] = *v
			}
		}
		key := runKey(jl.Theta, *jl.Rep)
		if _, have := j.runs[key]; write && !have {
			if err := j.record(Run{Theta: jl.Theta, Rep: *jl.Rep}, out); err != nil {
				return err
			}
			j.Misses--
			continue
		}
		j.runs[key] = out
	}
}

// Simulate implements Simulator.
func (j *Journal) Simulate(ctx context.Context, runs []Run) ([][]float64, error) {
	out := make([][]float64, len(runs))
	var todo []Run
	var at []int
	for i, r := range runs {
		if o, ok := j.runs[runKey(r.Theta, r.Rep)]; ok {
			out[i] = append([]float64(nil), o...)
			j.Hits++
			continue
		}
		todo = append(todo, r)
		at = append(at, i)
	}
	if len(todo) == 0 {
		return out, nil
	}
	if j.fn != nil {
		errs := make([]error, len(todo))
		it := iter.Iterator[Run]{MaxGoroutines: j.workers}
		it.ForEachIdx(todo, func(k int, r *Run) {
			if err := ctx.Err(); err != nil {
				errs[k] = err
				return
			}
			o, err := j.fn(ctx, r.Theta, r.Rep)
			if err != nil {
				errs[k] = fmt.Errorf("calibrate: run (rep %d): %w", r.Rep, err)
				return
			}
			out[at[k]] = o
			j.mu.Lock()
			defer j.mu.Unlock()
			errs[k] = j.record(*r, o)
		})
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	got, err := j.sim.Simulate(ctx, todo)
	if err != nil {
		return nil, err
	}
	if len(got) != len(todo) {
		return nil, fmt.Errorf("calibrate: simulator returned %d outputs for %d runs", len(got), len(todo))
	}
	for k, o := range got {
		out[at[k]] = o
		if err := j.record(todo[k], o); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// record keeps a completed run and appends its line to the journal.
func (j *Journal) record(r Run, o []float64) error {
	j.runs[runKey(r.Theta, r.Rep)] = append([]float64(nil), o...)
	j.Misses++
	if j.w == nil {
		return nil
	}
	jl := journalLine{Rep: r.Rep, Theta: make([]jsonNum, len(r.Theta)), Out: make([]*jsonNum, len(o))}
	for i, x := range r.Theta {
		jl.Theta[i] = jsonNum(x)
	}
	for i, v := range o {
		if !math.IsNaN(v) {
			n := jsonNum(v)
			jl.Out[i] = &n
		}
	}
	b, err := json.Marshal(jl)
	if err != nil {
		return err
	}
	if _, err := j.w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("calibrate: writing the journal: %w", err)
	}
	return nil
}
