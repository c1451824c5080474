package mechanisms

import (
	"math"
)

// Linked reports whether a user who last engaged with a merchant's seeding
// content on lastSeedDay is linked to the merchant's harvesting live rooms
// on today: 0 ≤ today − lastSeedDay < window. The engagement day itself
// counts, so window 7 covers the engagement day and the six after it;
// window ≤ 0 disables linkage.
func Linked(lastSeedDay, today, window int) bool {
	d := today - lastSeedDay
	return d >= 0 && d < window
}

// LinkageRules are the Xingque seeding→harvest parameters.
type LinkageRules struct {
	// WindowDays: see Linked.
	WindowDays int
	// ExposureBoost multiplies the chance a linked user is shown the
	// merchant's linked live content.
	ExposureBoost float64
	// ConversionUplift: a linked user converts with probability ×
	// (1 + ConversionUplift) in the linked live room.
	ConversionUplift float64
	// SeedingCredit is the share of a linked order's value attributed to the
	// seeding content, in [0, 1]; the rest goes to the harvesting content.
	SeedingCredit float64
}

// ExposureMultiplier is ExposureBoost for a linked user, 1 otherwise.
func (r LinkageRules) ExposureMultiplier(linked bool) float64 {
	if linked {
		return r.ExposureBoost
	}
	return 1
}

// ConversionMultiplier is 1 + ConversionUplift for a linked user, 1
// otherwise.
func (r LinkageRules) ConversionMultiplier(linked bool) float64 {
	if linked {
		return 1 + r.ConversionUplift
	}
	return 1
}

// Split divides a linked order's value between seeding and harvesting
// content with r.SeedingCredit; see SplitCredit.
func (r LinkageRules) Split(value float64) (seeding, harvest float64) {
	return SplitCredit(value, r.SeedingCredit)
}

// SplitCredit splits value into a seeding part ≈ value × seedingShare and a
// harvest part such that seeding + harvest == value exactly in float64
// arithmetic (for finite value; seedingShare is clamped to [0, 1]). Both
// parts have the sign of value.
//
// How: a = value·share and b = value − a are computed; the part with the
// larger magnitude (≥ |value|/2) is kept and the other is recomputed as
// value minus it, which is exact by Sterbenz's lemma, so the float sum of
// the two is exactly value.
func SplitCredit(value, seedingShare float64) (seeding, harvest float64) {
	s := min(max(seedingShare, 0), 1)
	if math.IsNaN(seedingShare) {
		s = 0
	}
	a := value * s
	b := value - a
	if math.Abs(a) >= math.Abs(b) {
		return a, value - a
	}
	return value - b, b
}
