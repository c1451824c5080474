package mechanisms

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Alias is a Vose alias table: after an O(n) build, a draw returns index i
// with probability weights[i] / Σ weights in O(1) from a single 64-bit
// number. It is the one weighted sampler of the project: the engine's
// recommendation, paid-traffic, harvest and follow-graph draws all use it.
//
// The zero value is an empty table (drawing from it panics); Reset and Build
// rebuild a table in place and allocate only when the new length exceeds the
// capacity of earlier builds.
//
// Exactness: a draw maps one 64-bit word u to the column ⌊(u>>32)·n / 2^32⌋
// and accepts the column when the low 32 bits of u are below its threshold
// (otherwise it takes the column's alias). Column probabilities deviate from
// 1/n by at most n / 2^32 and thresholds are rounded to 2^-32, so drawn
// probabilities match the weights to about 1e-9 relative for the table sizes
// the engine builds (n ≤ a few hundred thousand).
type Alias struct {
	prob  []uint32 // accept column i when the low word < prob[i]; MaxUint32 = always
	alias []int32  // a column that is always accepted is its own alias
	total float64  // Σ of the positive weights the table was built from
	// scratch for the build
	scaled []float64
	small  []int32
	large  []int32
}

// always is the threshold of a column that never yields its alias.
const always = math.MaxUint32

// NewAlias builds an alias table over weights; see Reset for the rules.
func NewAlias(weights []float64) (*Alias, error) {
	a := &Alias{}
	if err := a.Reset(weights); err != nil {
		return nil, err
	}
	return a, nil
}

// Len returns the number of outcomes (0 for an empty table).
func (a *Alias) Len() int { return len(a.prob) }

// Total returns the sum of the positive weights of the last build.
func (a *Alias) Total() float64 { return a.total }

// Reset rebuilds the table for weights, strictly: weights must be finite and
// ≥ 0 with a positive sum, and len(weights) < 2^31; otherwise Reset returns
// an error and leaves the table empty. Outcomes with weight 0 are never
// drawn.
func (a *Alias) Reset(weights []float64) error {
	n := len(weights)
	if n == 0 {
		a.empty()
		return errors.New("mechanisms: alias table needs at least one weight")
	}
	if n > math.MaxInt32 {
		a.empty()
		return fmt.Errorf("mechanisms: alias table too large (%d weights)", n)
	}
	sum := 0.0
	for i, w := range weights {
		if !(w >= 0) || math.IsInf(w, 1) {
			a.empty()
			return fmt.Errorf("mechanisms: alias weight %d is %v; weights must be finite and ≥ 0", i, w)
		}
		sum += w
	}
	if !(sum > 0) || math.IsInf(sum, 1) {
		a.empty()
		return fmt.Errorf("mechanisms: alias weights sum to %v; need a finite positive sum", sum)
	}
	a.Build(weights)
	return nil
}

// Build rebuilds the table for weights, leniently, for callers whose
// weights may legitimately all be zero on a given day: negative and NaN
// weights count as zero, and a zero total leaves the table empty (Len 0,
// Total 0), which the caller checks before drawing.
func (a *Alias) Build(weights []float64) {
	n := len(weights)
	var total float64
	for _, x := range weights {
		if x > 0 {
			total += x
		}
	}
	a.total = total
	if total <= 0 || n == 0 {
		a.empty()
		return
	}
	a.prob = grow(a.prob, n)
	a.alias = grow(a.alias, n)
	a.scaled = grow(a.scaled, n)
	small, large := a.small[:0], a.large[:0]
	for i, x := range weights {
		if !(x > 0) {
			x = 0
		}
		a.scaled[i] = x * float64(n) / total
		if a.scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		a.prob[s] = uint32(math.Min(a.scaled[s], 1) * always)
		a.alias[s] = l
		a.scaled[l] = a.scaled[l] + a.scaled[s] - 1
		if a.scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// What remains has probability 1 up to rounding.
	for _, l := range large {
		a.prob[l], a.alias[l] = always, l
	}
	for _, s := range small {
		a.prob[s], a.alias[s] = always, s
	}
	a.small, a.large = small[:0], large[:0]
}

func (a *Alias) empty() {
	a.prob, a.alias, a.total = a.prob[:0], a.alias[:0], 0
}

// Draw returns an index with probability proportional to its weight, using
// exactly one r.Uint64. It panics on an empty table.
func (a *Alias) Draw(r *rand.PCG) int { return int(a.DrawBits(r.Uint64())) }

// DrawBits is Draw from a given 64-bit number (a hash, or a stream's
// output), so that a caller can key a draw to (replication, agent, slot).
func (a *Alias) DrawBits(u uint64) int32 { return a.Pick(a.Column(u), u) }

// Column returns the column u selects (its high 32 bits); Pick completes
// the draw. Split so that callers can test a cheap per-column property
// before touching the table.
func (a *Alias) Column(u uint64) int {
	return int(((u >> 32) * uint64(len(a.prob))) >> 32)
}

// Pick returns col or its alias, as the low 32 bits of u decide.
func (a *Alias) Pick(col int, u uint64) int32 {
	if uint32(u) < a.prob[col] {
		return int32(col)
	}
	return a.alias[col]
}

// AliasOf returns the alias of col and whether col can yield it at all.
func (a *Alias) AliasOf(col int) (alias int32, possible bool) {
	return a.alias[col], a.prob[col] != always
}

// grow returns s resized to n, reusing its array when the capacity suffices.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
