package sensitivity

import (
	"fmt"
	"math"
)

// Factor is one uncertain input of a model: its name and the interval
// [Lo, Hi] it is varied over (uniformly). Designs work in the unit cube and
// map coordinate u to Lo + u·(Hi−Lo).
type Factor struct {
	Name   string
	Lo, Hi float64
}

// Scale maps a unit-cube coordinate into the factor's interval.
func (f Factor) Scale(u float64) float64 { return f.Lo + u*(f.Hi-f.Lo) }

// validateFactors checks a factor list: at least one factor, finite bounds
// with Lo < Hi, distinct names.
func validateFactors(fs []Factor) error {
	if len(fs) == 0 {
		return fmt.Errorf("sensitivity: no factors (need at least one)")
	}
	seen := make(map[string]int, len(fs))
	for i, f := range fs {
		name := f.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i)
		}
		if math.IsNaN(f.Lo) || math.IsNaN(f.Hi) || math.IsInf(f.Lo, 0) || math.IsInf(f.Hi, 0) {
			return fmt.Errorf("sensitivity: factor %s: bounds [%g, %g] must be finite", name, f.Lo, f.Hi)
		}
		if !(f.Lo < f.Hi) {
			return fmt.Errorf("sensitivity: factor %s: lower bound %g is not below upper bound %g", name, f.Lo, f.Hi)
		}
		if j, dup := seen[f.Name]; dup && f.Name != "" {
			return fmt.Errorf("sensitivity: factors %d and %d are both named %q", j, i, f.Name)
		}
		seen[f.Name] = i
	}
	return nil
}

// scalePoint writes the factor-unit image of unit-cube point u into dst.
func scalePoint(fs []Factor, u, dst []float64) []float64 {
	if cap(dst) < len(fs) {
		dst = make([]float64, len(fs))
	}
	dst = dst[:len(fs)]
	for j, f := range fs {
		dst[j] = f.Scale(u[j])
	}
	return dst
}

// RunSeed is the simulation seed of replication rep of design run run in a
// study seeded with seed. Every (run, rep) gets its own stream (independent
// seeds, not common random numbers), which is what the noise correction of
// [SobolIndices] assumes; the value depends on nothing else, so a run can be
// computed by any worker, shard or resumed process.
func RunSeed(seed uint64, run, rep int) uint64 {
	return splitmix(splitmix(splitmix(seed^0x5eed5eed5eed5eed)+uint64(run)) + uint64(rep))
}

func splitmix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// isPow2 reports whether n is a positive power of two.
func isPow2(n int) bool { return n > 0 && n&(n-1) == 0 }
