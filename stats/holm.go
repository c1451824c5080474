package stats

import (
	"math"
	"sort"
)

// Holm returns Holm's step-down adjusted p-values (R: p.adjust(p,
// "holm")), in the order of p: with m defined p-values sorted ascending,
// the i-th smallest (from 0) is multiplied by m − i, made non-decreasing
// and capped at 1. Rejecting where the adjusted p-value is below α
// controls the family-wise error rate at α. NaN p-values stay NaN and do
// not count towards m.
func Holm(p []float64) []float64 {
	out := make([]float64, len(p))
	idx := make([]int, 0, len(p))
	for i, v := range p {
		out[i] = math.NaN()
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	m := len(idx)
	run := 0.0
	for k, i := range idx {
		run = max(run, min(1, float64(m-k)*p[i]))
		out[i] = run
	}
	return out
}
