package strategy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/startrend/startrend/optimize"
	"strconv"
	"strings"

	"github.com/startrend/startrend/scenarios"
)

// solveProducer identifies what writes a SolveState.
const solveProducer = "startrend optimize"

// MarshalSolveState encodes st as checkpoint JSON: its producer and format
// version, and a SHA-256 checksum of the whole content, which
// UnmarshalSolveState verifies.
func MarshalSolveState(st *SolveState) ([]byte, error) {
	c := *st
	c.Producer, c.Checksum = solveProducer, ""
	body, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	c.Checksum = checksum(body)
	return json.MarshalIndent(&c, "", " ")
}

func checksum(body []byte) string {
	h := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(h[:])
}

// UnmarshalSolveState decodes a checkpoint written by MarshalSolveState and
// checks it before anything uses it: its checksum, its identity (producer,
// format version, scenario hash, method, budget and options, against p
// and opts as Solve would resolve them), and every field of every phase
// (each search state is restored and validated on its phase's space; see
// Restore). A bad checkpoint is an error naming what is wrong, never a
// panic.
func UnmarshalSolveState(data []byte, p *Problem, opts SolveOptions) (*SolveState, error) {
	var st SolveState
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("not a startrend optimize checkpoint (JSON: %v)", err)
	}
	if st.Producer != solveProducer {
		return nil, fmt.Errorf("not a startrend optimize checkpoint (producer %q)", truncate(st.Producer))
	}
	sum := st.Checksum
	st.Checksum = ""
	body, err := json.Marshal(&st)
	if err != nil {
		return nil, err
	}
	if sum != checksum(body) {
		return nil, errors.New("checksum mismatch: the checkpoint was changed or damaged after it was written")
	}
	if err := st.validate(p, opts); err != nil {
		return nil, err
	}
	return &st, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return strconv.Quote(s)[1 : len(strconv.Quote(s))-1]
}

// resolve returns the method and budget Solve uses for p and opts.
func resolve(p *Problem, opts SolveOptions) (string, int) {
	o := p.Base.Optimize
	method := opts.Method
	if method == "" {
		method = o.Method
	}
	if method == "" {
		method = optimize.NameCMAES
	}
	evals := opts.Evals
	if evals == 0 {
		evals = o.Evals
	}
	return method, evals
}

// validate checks a state's identity against what Solve would run and
// every phase's content.
func (st *SolveState) validate(p *Problem, opts SolveOptions) error {
	method, evals := resolve(p, opts)
	if st.FormatVersion != solveFormat {
		return fmt.Errorf("format_version is %d, this build reads %d", st.FormatVersion, solveFormat)
	}
	if h := scenarios.Hash(p.Base); st.ScenarioHash != h {
		return fmt.Errorf("written for another scenario (scenario_hash %s, this one %s); start again without --resume", truncate(st.ScenarioHash), h)
	}
	if st.Evals != evals || st.RandomArm != opts.RandomArm || st.Method != method || st.ReportRuns != opts.ReportRuns {
		return fmt.Errorf("written with other settings (evals %d, random arm %t, method %s, report runs %d; now %d, %t, %s, %d); start again without --resume",
			st.Evals, st.RandomArm, truncate(st.Method), st.ReportRuns, evals, opts.RandomArm, method, opts.ReportRuns)
	}
	var errs []error
	total := 0
	for name, ph := range st.Phases {
		if ph == nil {
			errs = append(errs, fmt.Errorf("phase %q is null", truncate(name)))
			continue
		}
		q, err := st.phaseProblem(p, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := ph.validate(q, name, evals); err != nil {
			errs = append(errs, fmt.Errorf("phase %s: %w", name, err))
		}
		total += ph.Runs
	}
	if total > evals {
		errs = append(errs, fmt.Errorf("the phases record %d runs, more than the budget %d", total, evals))
	}
	return errors.Join(errs...)
}

// phaseProblem returns the problem a phase name searches.
func (st *SolveState) phaseProblem(p *Problem, name string) (*Problem, error) {
	switch {
	case name == "search":
		return p, nil
	case name == "random" && st.RandomArm:
		return p, nil
	case strings.HasPrefix(name, "frontier."):
		i, err := strconv.Atoi(strings.TrimPrefix(name, "frontier."))
		if err != nil || i < 0 || i >= len(p.Base.Optimize.Frontier) || strconv.Itoa(i) != strings.TrimPrefix(name, "frontier.") {
			break
		}
		lv := p.Base.Optimize.Frontier[i]
		q, err := NewProblem(p.Base, ProblemOptions{BudgetTotal: &lv})
		if err != nil {
			return nil, fmt.Errorf("phase %s: %v", name, err)
		}
		return q, nil
	}
	return nil, fmt.Errorf("unknown phase %q (want search, random with the random arm, or frontier.0…%d)", truncate(name), len(p.Base.Optimize.Frontier)-1)
}

func (ph *PhaseState) validate(q *Problem, name string, evals int) error {
	c := &optimize.StateCheck{What: "state"}
	c.IntIn("runs", ph.Runs, 0, evals)
	if ph.Search != nil {
		if ph.Search.Maximize != q.Maximize {
			c.Failf("search.maximize is %t, the objective %t", ph.Search.Maximize, q.Maximize)
		}
		if _, err := optimize.ResumeMethod(q.Space, ph.Search); err != nil {
			c.Add(fmt.Errorf("search: %w", err))
		}
	}
	if r := ph.Result; r != nil {
		n := q.Space.N()
		if r.Name != name {
			c.Failf("result.name is %q", truncate(r.Name))
		}
		c.IntIn("result.search_evals", r.SearchEvals, 0, evals)
		c.IntIn("result.search_runs", r.SearchRuns, 0, evals)
		c.IntIn("result.race_runs", r.RaceRuns, 0, evals)
		if len(r.Candidates) > 0 {
			c.IntIn("result.winner", r.Winner, 0, len(r.Candidates)-1)
		}
		for k, cd := range r.Candidates {
			c.Vec(fmt.Sprintf("result.candidates[%d].x", k), cd.X, n)
		}
		if r.BestX != nil {
			c.Vec("result.best_x", r.BestX, n)
		}
		for k, e := range r.History {
			if !c.Vec(fmt.Sprintf("result.history[%d].x", k), e.X, n) {
				break
			}
		}
	}
	return c.Err()
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
