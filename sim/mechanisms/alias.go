package mechanisms

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// Alias is a Vose alias table: after an O(n) build, Draw returns index i with
// probability weights[i] / Σ weights in O(1) from a single Uint64.
//
// The zero value is an empty table (Draw panics on it); Reset rebuilds a
// table in place and allocates only when the new length exceeds the
// capacity of earlier builds.
//
// Exactness: Draw maps one 64-bit word u to the column hi = ⌊u·n / 2^64⌋ and
// uses the low word of u·n (uniform on a grid of spacing n / 2^64) to choose
// between the column and its alias against a 64-bit threshold. Column
// probabilities deviate from 1/n by at most n / 2^64 and thresholds are
// rounded to 2^-64, so drawn probabilities match the weights to about 1e-16
// relative to the largest weight (plus float64 rounding of the build, about
// n × 1e-16).
type Alias struct {
	thresh []uint64 // accept column i when low word < thresh[i]
	alias  []int32  // a column with probability 1 is its own alias
	// scratch for the build
	scaled []float64
	small  []int32
	large  []int32
}

// NewAlias builds an alias table over weights; see Reset for the rules.
func NewAlias(weights []float64) (*Alias, error) {
	a := &Alias{}
	if err := a.Reset(weights); err != nil {
		return nil, err
	}
	return a, nil
}

// Len returns the number of outcomes.
func (a *Alias) Len() int { return len(a.thresh) }

// Reset rebuilds the table for weights. Weights must be finite and ≥ 0 with
// a positive sum, and len(weights) < 2^31; otherwise Reset returns an error
// and leaves the table empty. Outcomes with weight 0 are never drawn.
func (a *Alias) Reset(weights []float64) error {
	n := len(weights)
	a.thresh, a.alias = a.thresh[:0], a.alias[:0]
	if n == 0 {
		return errors.New("mechanisms: alias table needs at least one weight")
	}
	if n > math.MaxInt32 {
		return fmt.Errorf("mechanisms: alias table too large (%d weights)", n)
	}
	sum := 0.0
	for i, w := range weights {
		if !(w >= 0) || math.IsInf(w, 1) {
			return fmt.Errorf("mechanisms: alias weight %d is %v; weights must be finite and ≥ 0", i, w)
		}
		sum += w
	}
	if !(sum > 0) || math.IsInf(sum, 1) {
		return fmt.Errorf("mechanisms: alias weights sum to %v; need a finite positive sum", sum)
	}
	a.thresh = grow(a.thresh, n)
	a.alias = grow(a.alias, n)
	a.scaled = grow(a.scaled, n)
	small, large := a.small[:0], a.large[:0]
	scale := float64(n) / sum
	for i, w := range weights {
		s := w * scale
		a.scaled[i] = s
		if s < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		a.setColumn(int(s), a.scaled[s], l)
		a.scaled[l] = (a.scaled[l] + a.scaled[s]) - 1
		if a.scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// What remains is 1 up to rounding.
	for _, i := range large {
		a.setColumn(int(i), 1, i)
	}
	for _, i := range small {
		a.setColumn(int(i), 1, i)
	}
	a.small, a.large = small[:0], large[:0]
	return nil
}

func (a *Alias) setColumn(i int, prob float64, alias int32) {
	a.alias[i] = alias
	switch {
	case prob >= 1:
		a.alias[i] = int32(i)
		a.thresh[i] = math.MaxUint64
	case prob <= 0:
		a.thresh[i] = 0
	default:
		a.thresh[i] = uint64(prob * 0x1p64) // prob < 1 ⇒ fits
	}
}

// Draw returns an index with probability proportional to its weight, using
// exactly one r.Uint64. It panics on an empty table.
func (a *Alias) Draw(r *rand.PCG) int {
	hi, lo := bits.Mul64(r.Uint64(), uint64(len(a.thresh)))
	if lo < a.thresh[hi] {
		return int(hi)
	}
	return int(a.alias[hi])
}

// grow returns s resized to n, reusing its array when the capacity suffices.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
