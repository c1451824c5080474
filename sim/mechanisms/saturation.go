package mechanisms

// Saturation is the audience overlap of one merchant's creator content in
// the platform's recommendation: pieces of one merchant's products are
// served to the same interest audience (the users the recommender predicts
// will care for the product) and the feed diversifies what one user sees,
// so each extra piece adds less reach than the one before. The merchant's
// combined recommendation weight W (in the same units as the rest of the
// feed) counts as W / (1 + W/Half) — a Michaelis–Menten reach curve: linear
// for small W, saturating at Half. Half ≤ 0 (or +Inf) disables it.
//
// Source: reach curves of advertising schedules are concave in the
// number of insertions because audiences of vehicles aimed at one target
// overlap (Danaher 1992, "Some statistical modeling problems in the
// advertising industry", American Statistician 46(4); the saturating
// W/(W+H) form is the usual approximation of the reach curve), and
// recommender systems limit one item's or brand's share of a user's feed
// (diversification; Ziegler et al. 2005, "Improving recommendation lists
// through topic diversification", WWW). The value of Half is an assumption
// (docs/model.md, "Response to exposure").
type Saturation struct {
	Half float64
}

// Factor is the multiplier of each piece's weight when the merchant's
// combined weight is W: 1/(1 + W/Half), in (0, 1].
func (s Saturation) Factor(W float64) float64 {
	if !(s.Half > 0) || !(W > 0) {
		return 1
	}
	return 1 / (1 + W/s.Half)
}
