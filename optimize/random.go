package optimize

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Random is the random-search baseline: batches of points drawn uniformly
// in the box (integers uniformly among the integers in range) and repaired
// onto the budget. It never converges; the driver's budget stops it. It
// needs a bounded space.
type Random struct {
	space Space
	rng   rng
	st    randomState
}

type randomState struct {
	Method      string      `json:"method"`
	Fingerprint string      `json:"fingerprint"`
	RNG         []byte      `json:"rng"`
	Batch       int         `json:"batch"`
	Pending     []Floats    `json:"pending"`
	Best        bestTracker `json:"best"`
}

// NewRandom constructs random search. It reads Seed and PopSize (the batch,
// default 16).
func NewRandom(space Space, cfg Config) (*Random, error) {
	if err := space.Validate(); err != nil {
		return nil, err
	}
	if !space.Bounded() {
		return nil, errors.New("optimize: random search needs finite bounds on every dimension")
	}
	if cfg.PopSize < 0 {
		return nil, fmt.Errorf("optimize: PopSize must be ≥ 0 (0 = default), got %d", cfg.PopSize)
	}
	b := cfg.PopSize
	if b == 0 {
		b = 16
	}
	return &Random{space: space, rng: newRNG(cfg.Seed), st: randomState{
		Method: NameRandom, Fingerprint: space.fingerprint(), Batch: b,
	}}, nil
}

// Name implements Method.
func (r *Random) Name() string { return NameRandom }

// Done implements Method: random search never converges.
func (r *Random) Done() bool { return false }

// Best implements Method.
func (r *Random) Best() ([]float64, float64) { return r.st.Best.get() }

// Recommend returns the best point.
func (r *Random) Recommend() []float64 { x, _ := r.Best(); return x }

// Ask implements Method.
func (r *Random) Ask() ([][]float64, error) {
	if len(r.st.Pending) == 0 {
		for range r.st.Batch {
			r.st.Pending = append(r.st.Pending, r.space.Sample(r.rng.Rand))
		}
	}
	out := make([][]float64, len(r.st.Pending))
	for i, x := range r.st.Pending {
		out[i] = append([]float64(nil), x...)
	}
	return out, nil
}

// Tell implements Method.
func (r *Random) Tell(values []float64) error {
	if err := checkTell(len(r.st.Pending), values); err != nil {
		return err
	}
	for i, v := range values {
		r.st.Best.update(r.st.Pending[i], v)
	}
	r.st.Pending = nil
	return nil
}

// State implements Method.
func (r *Random) State() ([]byte, error) {
	r.st.RNG = r.rng.marshal()
	return json.Marshal(&r.st)
}

func (r *Random) restore(space Space, state []byte) error {
	r.space = space
	if err := json.Unmarshal(state, &r.st); err != nil {
		return err
	}
	var err error
	r.rng, err = restoreRNG(r.st.RNG)
	return err
}
