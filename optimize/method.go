package optimize

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Method is a search method in ask/tell form. It minimises: lower values are
// better (the driver negates the objective when maximising).
//
// A round is Ask, then Tell with one value per asked candidate, in the
// order asked. Every candidate returned by Ask is feasible in the method's
// Space (repaired). Ask after Done, or Tell without a pending Ask or with the
// wrong number of values, is an error. State, called between rounds, returns
// the method's complete state (including its random number generator) as
// JSON; Restore of that state gives a method that continues exactly as the
// original would have.
type Method interface {
	// Name is the name Restore and New know the method by.
	Name() string
	// Ask proposes the next batch (generation) of candidates. The caller
	// must not modify them.
	Ask() ([][]float64, error)
	// Tell reports the values of the last batch, in order.
	Tell(values []float64) error
	// Done reports whether the method has converged or stopped.
	Done() bool
	// Best returns the best candidate told so far and its value
	// (nil, +Inf before any Tell).
	Best() ([]float64, float64)
	// Recommend returns the method's current recommendation: for noisy
	// objectives a better final answer than Best (for example CMA-ES's
	// repaired distribution mean, or the discrete method's incumbent).
	Recommend() []float64
	// State returns the complete state as JSON.
	State() ([]byte, error)
}

// Method names known to New and Restore.
const (
	NameCMAES      = "cmaes"
	NameDiscrete   = "discrete"
	NameRandom     = "random"
	NameNelderMead = "neldermead"
)

// MethodNames lists the method names New knows, for help texts (a new
// slice on each call).
func MethodNames() []string {
	return []string{NameCMAES, NameDiscrete, NameRandom, NameNelderMead}
}

// Config holds the settings of every method; each method reads the fields
// it documents and ignores the others. The zero value (plus a Seed) gives
// every method its defaults.
type Config struct {
	// Seed seeds the method's random number generator (PCG).
	Seed uint64

	// X0 is the starting point (CMA-ES mean, Nelder–Mead first vertex,
	// discrete start). Default: the centre of a bounded space for CMA-ES
	// and Nelder–Mead; the lower bounds for the discrete method.
	X0 []float64
	// Sigma0 is CMA-ES's initial step size, and Nelder–Mead's initial
	// simplex edge, in the coordinates of Scales. Default 0.3 when every
	// variable is bounded (Scales = ranges), otherwise 1.
	Sigma0 float64
	// Scales (CMA-ES, Nelder–Mead) are per-variable units: the method
	// works on (x − lo)/scale. Default: the ranges hi − lo when every
	// variable is bounded, otherwise 1 for every variable.
	Scales []float64
	// PopSize is CMA-ES's λ for the first run (default 4 + ⌊3 ln n⌋), the
	// random search batch (default 16), or the discrete method's batch
	// (default: n for the first greedy round, then 8).
	PopSize int
	// Noise is CMA-ES's treatment of noisy objectives (default NoiseAuto).
	Noise NoiseHandling
	// MaxEvalsPerCandidate caps the evaluations CMA-ES's noise handling
	// gives one candidate (default 100).
	MaxEvalsPerCandidate int
	// Restarts is CMA-ES's number of IPOP restarts (population doubled at
	// each); 0 is a single run.
	Restarts int
	// TolFun and TolX are CMA-ES's stopping tolerances (defaults 1e-12, and
	// 1e-12·Sigma0); TolFun is also Nelder–Mead's tolerance on the spread of
	// the simplex values, TolX on its size.
	TolFun, TolX float64
	// MaxGenerations caps the generations of one CMA-ES run (default
	// 100 + 150(n+3)²/√λ).
	MaxGenerations int

	// Step is the discrete method's initial increment (default 1 when every
	// integer range is at most 4, else about a quarter of the per-variable
	// share of the budget); it is halved down to 1 during refinement.
	Step int
	// Patience is the number of refinement batches without improvement
	// before the discrete method halves its step or stops (default: enough
	// batches to cover the whole neighbourhood once, at most 512).
	Patience int
	// Kicks is the number of perturbations in a row without improvement
	// after which the discrete method stops (default 10; −1: none).
	Kicks int
}

// New constructs a method by name on a validated space.
func New(name string, space Space, cfg Config) (Method, error) {
	switch name {
	case NameCMAES:
		return NewCMAES(space, cfg)
	case NameDiscrete, "greedy":
		return NewDiscrete(space, cfg)
	case NameRandom:
		return NewRandom(space, cfg)
	case NameNelderMead, "nelder-mead", "nm":
		return NewNelderMead(space, cfg)
	}
	return nil, fmt.Errorf("optimize: unknown method %q (known: %v)", name, MethodNames())
}

// Restore rebuilds a method from its State on the same space.
func Restore(space Space, state []byte) (Method, error) {
	var head struct {
		Method      string `json:"method"`
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.Unmarshal(state, &head); err != nil {
		return nil, fmt.Errorf("optimize: reading method state: %w", err)
	}
	if err := space.Validate(); err != nil {
		return nil, err
	}
	if head.Fingerprint != space.fingerprint() {
		return nil, errors.New("optimize: method state was saved for a different space")
	}
	var m interface {
		Method
		restore(space Space, state []byte) error
		validate() error
	}
	switch head.Method {
	case NameCMAES:
		m = &CMAES{}
	case NameDiscrete:
		m = &Discrete{}
	case NameRandom:
		m = &Random{}
	case NameNelderMead:
		m = &NelderMead{}
	default:
		return nil, fmt.Errorf("optimize: unknown method %q in state", head.Method)
	}
	if err := m.restore(space, state); err != nil {
		return nil, fmt.Errorf("optimize: restoring %s: %w", head.Method, err)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("optimize: restoring %s: %w", head.Method, err)
	}
	return m, nil
}

// rng is a PCG-backed generator whose state serialises.
type rng struct {
	pcg *rand.PCG
	*rand.Rand
}

func newRNG(seed uint64) rng {
	p := rand.NewPCG(seed, 0x9e3779b97f4a7c15)
	return rng{p, rand.New(p)}
}

func (r rng) marshal() []byte {
	b, _ := r.pcg.MarshalBinary()
	return b
}

func restoreRNG(b []byte) (rng, error) {
	r := newRNG(0)
	if err := r.pcg.UnmarshalBinary(b); err != nil {
		return r, err
	}
	return r, nil
}

// bestTracker keeps the best told candidate.
type bestTracker struct {
	X     Floats `json:"x"`
	Value Float  `json:"value"`
	Has   bool   `json:"has"`
}

func (b *bestTracker) update(x []float64, v float64) {
	if !b.Has || v < float64(b.Value) {
		b.X = append(Floats(nil), x...)
		b.Value = Float(v)
		b.Has = true
	}
}

func (b *bestTracker) get() ([]float64, float64) {
	if !b.Has {
		return nil, inf
	}
	return append([]float64(nil), b.X...), float64(b.Value)
}

// checkTell refuses a Tell that answers no pending Ask, has the wrong
// number of values or a NaN among them, before any state changes.
func checkTell(pending int, values []float64) error {
	if pending == 0 {
		return errors.New("optimize: Tell without a pending Ask")
	}
	if len(values) != pending {
		return fmt.Errorf("optimize: Tell got %d values for %d candidates", len(values), pending)
	}
	for i, v := range values {
		if math.IsNaN(v) {
			return fmt.Errorf("optimize: value %d is NaN", i)
		}
	}
	return nil
}

var errDone = errors.New("optimize: Ask after the method is done")
