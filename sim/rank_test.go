package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRankCreatorsLazyOrder: the heap's order is the stable sort's by
// descending value (ties in pool order) on pools with many ties, and a
// NaN value falls back to the sort.
func TestRankCreatorsLazyOrder(t *testing.T) {
	sc := testScenario(t, "population.users=200", "replications=1")
	w := testWorld(t, sc)
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		pool := make([]int32, 0, w.C)
		for c := 0; c < w.C; c++ {
			if r.IntN(3) == 0 {
				pool = append(pool, int32(c))
			}
		}
		r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		for _, c := range pool { // few distinct values: many ties
			w.cQuality[c] = float64(r.IntN(4))
			w.cSkill[c] = w.cQuality[c]
		}
		if trial == 49 {
			w.cQuality[pool[0]] = math.NaN()
		}
		got := slices.Collect(w.rankCreators(pool, fShortVideo, kCPS))
		want := slices.Clone(pool)
		slices.SortStableFunc(want, func(a, b int32) int { return higherFirst(w.rankScore[a], w.rankScore[b]) })
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d: lazy order differs from the stable sort's\n got %v\nwant %v", trial, got[:min(20, len(got))], want[:min(20, len(want))])
		}
	}
}
