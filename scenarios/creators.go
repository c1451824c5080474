package scenarios

import "math"

// This file holds the creator model's formulas that the scenario language
// defines and the engine (package sim) compiles: the tiers by followers and
// the rate card. Validation warnings and the engine use these one copies.

// TierIndex is the tier of a creator with the given real followers, as an
// index into [Tiers]: head from Head followers, waist from Waist, tail from
// Tail, koc below.
func (th TierThresholds) TierIndex(followers float64) int {
	switch {
	case followers >= th.Head:
		return 0
	case followers >= th.Waist:
		return 1
	case followers >= th.Tail:
		return 2
	}
	return 3
}

// FollowerRange is the range [lo, hi) of real followers a generated creator
// of tier t (an index into [Tiers]) draws from (truncated Pareto): head
// [Head, 100·Head), waist [Waist, Head), tail [Tail, Waist), koc
// [Tail/100, Tail), each bound at least 1.
func (th TierThresholds) FollowerRange(t int) (lo, hi float64) {
	l := [...]float64{th.Head, th.Waist, th.Tail, th.Tail / 100}
	h := [...]float64{th.Head * 100, th.Head, th.Waist, th.Tail}
	return math.Max(l[t], 1), math.Max(h[t], 1)
}

// Fee is the rate card's fee per cooperation of a generated creator with
// the given real followers: K × followers^B.
func (r RateCard) Fee(followers float64) float64 { return r.K * math.Pow(followers, r.B) }
