package optimize

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
)

// NelderMead is the Nelder–Mead simplex baseline, with the
// dimension-adapted coefficients of Gao and Han (2012): reflection 1,
// expansion 1 + 2/n, contraction 0.75 − 1/(2n), shrink 1 − 1/n. Every
// vertex is projected onto the feasible set (Space.Project) and evaluated
// at its repaired point. It is done when the simplex values spread by at
// most TolFun (default 1e-12) and its vertices lie within TolX (default
// 1e-12, in scaled units) of the best.
//
// It is a compact implementation of our own rather than an adapter over
// gonum's optimize.NelderMead: gonum's Minimize owns the loop, so an
// ask/tell adapter would need a goroutine whose state cannot be saved, and
// exact checkpoint/resume is a requirement of every method here. Most
// iterations ask for one point, so it gains nothing from parallel workers.
type NelderMead struct {
	space Space
	st    nmState
}

type nmState struct {
	Method      string      `json:"method"`
	Fingerprint string      `json:"fingerprint"`
	N           int         `json:"n"`
	Scale       Floats      `json:"scale"`
	TolFun      float64     `json:"tolfun"`
	TolX        float64     `json:"tolx"`
	Simplex     []Floats    `json:"simplex"`
	F           Floats      `json:"f"`
	Phase       string      `json:"phase"` // init, reflect, expand, outside, inside, shrink
	Centroid    Floats      `json:"centroid"`
	Xr          Floats      `json:"xr"`
	Fr          Float       `json:"fr"`
	Pending     []Floats    `json:"pending"`
	PendingX    []Floats    `json:"pending_x"`
	Best        bestTracker `json:"best"`
	IsDone      bool        `json:"done"`
}

// NewNelderMead constructs Nelder–Mead. It reads X0, Sigma0 (initial edge in
// units of Scales; default 0.1 when bounded, else 1), Scales, TolFun and
// TolX.
func NewNelderMead(space Space, cfg Config) (*NelderMead, error) {
	if err := space.Validate(); err != nil {
		return nil, err
	}
	n := space.N()
	if err := space.checkX(cfg.X0, "X0"); err != nil {
		return nil, err
	}
	bounded := space.Bounded()
	if cfg.X0 == nil && !bounded {
		return nil, errors.New("optimize: Nelder–Mead on an unbounded space needs X0")
	}
	if cfg.Scales != nil && len(cfg.Scales) != n {
		return nil, fmt.Errorf("optimize: Scales has %d values for %d dimensions", len(cfg.Scales), n)
	}
	if cfg.Sigma0 < 0 || math.IsNaN(cfg.Sigma0) || math.IsInf(cfg.Sigma0, 0) {
		return nil, fmt.Errorf("optimize: Sigma0 must be finite and > 0, got %g", cfg.Sigma0)
	}
	st := nmState{Method: NameNelderMead, Fingerprint: space.fingerprint(), N: n,
		Scale: make(Floats, n), TolFun: cfg.TolFun, TolX: cfg.TolX, Phase: "init"}
	x0 := make([]float64, n)
	for i := range n {
		lo, hi := space.lohi(i)
		st.Scale[i] = 1
		if cfg.Scales != nil {
			st.Scale[i] = cfg.Scales[i]
		} else if bounded && hi > lo {
			st.Scale[i] = hi - lo
		}
		if cfg.X0 != nil {
			x0[i] = cfg.X0[i]
		} else {
			x0[i] = (lo + hi) / 2
		}
	}
	sigma := cfg.Sigma0
	if sigma == 0 {
		sigma = 1
		if bounded && cfg.Scales == nil {
			sigma = 0.1
		}
	}
	if st.TolFun == 0 {
		st.TolFun = 1e-12
	}
	if st.TolX == 0 {
		st.TolX = 1e-12
	}
	nm := &NelderMead{space: space, st: st}
	nm.st.Pending = append(nm.st.Pending, nm.project(x0))
	for i := range n {
		v := append([]float64(nil), x0...)
		// step away from the nearer bound so that projection keeps the
		// simplex non-degenerate
		lo, hi := space.lohi(i)
		d := sigma * st.Scale[i]
		if v[i]+d > hi && v[i]-d >= lo {
			d = -d
		}
		v[i] += d
		nm.st.Pending = append(nm.st.Pending, nm.project(v))
	}
	return nm, nil
}

func (nm *NelderMead) project(x []float64) Floats { return nm.space.Project(nil, x) }

// Name implements Method.
func (nm *NelderMead) Name() string { return NameNelderMead }

// Done implements Method.
func (nm *NelderMead) Done() bool { return nm.st.IsDone }

// Best implements Method.
func (nm *NelderMead) Best() ([]float64, float64) { return nm.st.Best.get() }

// Recommend returns the repaired best vertex.
func (nm *NelderMead) Recommend() []float64 {
	if len(nm.st.Simplex) == 0 {
		return nm.space.Repair(nil, nm.st.Pending[0])
	}
	return nm.space.Repair(nil, nm.st.Simplex[0])
}

// Ask implements Method.
func (nm *NelderMead) Ask() ([][]float64, error) {
	if nm.st.IsDone {
		return nil, errDone
	}
	nm.st.PendingX = nm.st.PendingX[:0]
	out := make([][]float64, len(nm.st.Pending))
	for i, p := range nm.st.Pending {
		x := nm.space.Repair(nil, p)
		nm.st.PendingX = append(nm.st.PendingX, x)
		out[i] = append([]float64(nil), x...)
	}
	return out, nil
}

func (nm *NelderMead) sortSimplex() {
	idx := make([]int, len(nm.st.F))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return nm.st.F[idx[a]] < nm.st.F[idx[b]] })
	s := make([]Floats, len(idx))
	f := make(Floats, len(idx))
	for k, i := range idx {
		s[k], f[k] = nm.st.Simplex[i], nm.st.F[i]
	}
	nm.st.Simplex, nm.st.F = s, f
}

// along returns c + t·(p − c), projected.
func (nm *NelderMead) along(c, p []float64, t float64) Floats {
	x := make([]float64, len(c))
	for i := range c {
		x[i] = c[i] + t*(p[i]-c[i])
	}
	return nm.project(x)
}

// Tell implements Method.
func (nm *NelderMead) Tell(values []float64) error {
	if err := checkTell(len(nm.st.Pending), values); err != nil {
		return err
	}
	for i, v := range values {
		nm.st.Best.update(nm.st.PendingX[i], v)
	}
	n := nm.st.N
	nf := float64(n)
	alpha, beta, gamma, delta := 1.0, 1+2/nf, 0.75-1/(2*nf), 1-1/nf
	if n == 1 {
		beta, gamma, delta = 2, 0.5, 0.5
	}
	s := &nm.st
	pending := s.Pending
	s.Pending = nil
	worst := n
	replace := func(x Floats, f float64) {
		s.Simplex[worst], s.F[worst] = x, f
	}
	switch s.Phase {
	case "init":
		s.Simplex, s.F = pending, append(Floats(nil), values...)
	case "shrink":
		for k := range n {
			s.Simplex[k+1], s.F[k+1] = pending[k], values[k]
		}
	case "reflect":
		fr := values[0]
		switch {
		case fr < s.F[0]:
			s.Xr, s.Fr = pending[0], Float(fr)
			s.Phase = "expand"
			s.Pending = []Floats{nm.along(s.Centroid, pending[0], beta)}
			return nil
		case fr < s.F[n-1]:
			replace(pending[0], fr)
		case fr < s.F[n]:
			s.Xr, s.Fr = pending[0], Float(fr)
			s.Phase = "outside"
			s.Pending = []Floats{nm.along(s.Centroid, pending[0], gamma)}
			return nil
		default:
			s.Phase = "inside"
			s.Pending = []Floats{nm.along(s.Centroid, s.Simplex[n], gamma)}
			return nil
		}
	case "expand":
		if values[0] < float64(s.Fr) {
			replace(pending[0], values[0])
		} else {
			replace(s.Xr, float64(s.Fr))
		}
	case "outside", "inside":
		lim := s.F[n]
		if s.Phase == "outside" {
			lim = float64(s.Fr)
		}
		if values[0] <= lim && !(s.Phase == "inside" && values[0] >= s.F[n]) {
			replace(pending[0], values[0])
		} else {
			s.Phase = "shrink"
			for k := 1; k <= n; k++ {
				s.Pending = append(s.Pending, nm.along(s.Simplex[0], s.Simplex[k], delta))
			}
			return nil
		}
	}
	nm.sortSimplex()
	if nm.converged() {
		s.IsDone = true
		return nil
	}
	c := make(Floats, n)
	for k := range n {
		for i := range n {
			c[i] += s.Simplex[k][i] / nf
		}
	}
	s.Centroid = c
	s.Phase = "reflect"
	s.Pending = []Floats{nm.along(c, s.Simplex[n], -alpha)}
	return nil
}

func (nm *NelderMead) converged() bool {
	s := &nm.st
	if s.F[len(s.F)-1]-s.F[0] > s.TolFun {
		return false
	}
	for _, v := range s.Simplex[1:] {
		for i := range v {
			if math.Abs(v[i]-s.Simplex[0][i])/s.Scale[i] > s.TolX {
				return false
			}
		}
	}
	return true
}

// State implements Method.
func (nm *NelderMead) State() ([]byte, error) { return json.Marshal(&nm.st) }

func (nm *NelderMead) restore(space Space, state []byte) error {
	nm.space = space
	return json.Unmarshal(state, &nm.st)
}
