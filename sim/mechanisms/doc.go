// Package mechanisms provides the platform's levers as pure, deterministic
// building blocks over plain slices: trends (Bass adoption among creators),
// the Magpie Bridge task board, campaign effects, Xingque seeding→harvest
// linkage, alias tables for weighted choice, and product lifecycles from a
// Bass curve. It knows nothing of the engine's or the scenario language's
// types: the engine (package sim) translates ids into dense int32 indices and
// calls these functions from its step phases.
//
// # Conventions
//
//   - Indices are dense: creators 0..C-1, merchants 0..M-1, products 0..P-1
//     (global, across merchants), creator types 0..T-1, tiers 0..R-1, formats
//     0..MaxFormats-1. A negative type/tier means "not a creator's content"
//     (the merchant's own live room, store or paid traffic).
//   - Days are the scenario's day numbers (warm-up days may be ≤ 0).
//   - Randomness is always the caller's *rand.PCG (math/rand/v2, the
//     concrete type, so draws are not interface calls). Nothing here holds or
//     creates global randomness; the same inputs and generator state give the
//     same outputs.
//   - Constructors allocate; steady-state calls (Step, Draw, Effect, Linked,
//     Match with a reused Board, Reset with enough capacity) do not.
//   - Nothing here is safe for concurrent mutation; read-only queries
//     (Effect, Draw on distinct generators, Linked) may run concurrently.
//
// # API
//
// Trends (trends.go) — Bass adoption among creators:
//
//	type Mixing uint8                        // MixFull, MixFollowGraph
//	type Graph struct{ Offsets, Targets []int32 } // CSR: i follows Targets[Offsets[i]:Offsets[i+1]]
//	type TrendConfig struct{ StartDay int; P, Q float64; Mixing Mixing; Potential float64 }
//	func NewTrend(cfg TrendConfig, creators int, g Graph, rng *rand.PCG) *Trend
//	func (t *Trend) Step(day int, rng *rand.PCG) (newAdopters int)
//	func (t *Trend) Adopted(i int) bool
//	func (t *Trend) AdoptedDay(i int) (day int, ok bool)
//	func (t *Trend) Adopters() []int32       // in adoption order; read-only, grows
//	func (t *Trend) AdoptedCount() int
//	func (t *Trend) PotentialCount() int
//	func (t *Trend) Share() float64          // AdoptedCount / PotentialCount (Bass F)
//	func AdoptProb(hazard float64) float64   // 1 - exp(-hazard)
//	func DayAdoptProb(p, q, share float64) float64 // exact one-day Bass transition
//	func BassRecursion(p, q float64, days int, f0 float64, dst []float64) []float64
//
// The potential adopters are a uniformly random subset of size
// round(Potential × creators) drawn from rng at construction. On each day
// ≥ StartDay, every potential creator that has not adopted adopts, seeing
// the state at the start of the day (synchronous update): under MixFull
// with probability DayAdoptProb(p, q, share) — the exact one-day transition
// of the continuous Bass equation from the adopted share of all potential
// adopters; under MixFollowGraph at the constant hazard p + q·s for the
// day, s the share of adopters among the creators it follows (0 if it
// follows nobody), probability AdoptProb(p + q·s). Hence
// under MixFull E[F_{t+1} | F_t] = BassFFrom(p, q, F_t, 1), which is
// BassRecursion, and the expected path is the closed form BassF.
//
// Task board (tasks.go) — Magpie Bridge 2.0 matching:
//
//	const MaxFormats = 4
//	type Task struct{ Merchant int32; Type, Tier, Format int8; Posts int32;
//	                  Budget, EcommerceShare, ExpectedCommission float64 }
//	func (t *Task) Fee() float64             // Budget × (1 − EcommerceShare)
//	func (t *Task) Boost() float64           // Budget × EcommerceShare
//	type Candidate struct{ Creator int32; Type, Tier int8; Dormant bool;
//	                       Capacity [MaxFormats]int32; Reservation, CommissionFactor float64 }
//	type Outcome uint8                       // Filled, UnfilledBudget, UnfilledNoTaker (String: filled, …)
//	type Assignment struct{ Task, Candidate, Creator int32; Fee, Boost, ExpectedCommission float64; WokeDormant bool }
//	type MatchResult struct{ Assignments []Assignment; Outcomes []Outcome;
//	                         Posted, Accepted, UnfilledBudget, UnfilledNoTaker int }
//	type Board struct{ ... }                 // zero value ready; reuse it to avoid allocation
//	func (b *Board) Match(tasks []Task, cands []Candidate, feeBudget []float64, rng *rand.PCG) *MatchResult
//
// Tasks are processed in posting (slice) order. A task is posted only if its
// merchant's remaining feeBudget covers its fee; otherwise it is
// UnfilledBudget. A candidate accepts when its type/tier match (−1 in the
// task = any), it has Capacity[Format] ≥ Posts, and
// fee + ExpectedCommission × CommissionFactor ≥ Reservation (ties accept; a
// dormant candidate accepts only on a strict >). Candidates are visited in an
// order shuffled once per Match by rng, cyclically from just after the last
// taker, so tasks spread across creators; a creator may take several tasks up
// to capacity. Match debits feeBudget and candidate capacity in place; the
// result is owned by the Board and valid until its next Match.
//
// Campaigns (campaigns.go) — per-day effect lookup:
//
//	type CampaignSpec struct{ First, Last int; Discount, TrafficMultiplier, ConversionUplift float64;
//	                          Merchants, Products []int32; CreatorTypes, CreatorTiers []int8 }
//	type CampaignEffect struct{ Campaign int; Discount, TrafficMultiplier, ConversionUplift float64 }
//	func NewCampaignTable(specs []CampaignSpec, productMerchant []int32, types, tiers int) (*CampaignTable, error)
//	func (t *CampaignTable) Effect(day, product, creatorType, creatorTier int) (CampaignEffect, bool)
//	func (t *CampaignTable) Len() int
//
// A campaign applies to (day, product, type, tier) when First ≤ day ≤ Last,
// the product's merchant is in Merchants, and Products / CreatorTypes /
// CreatorTiers (empty = all) contain the product / type / tier. Content with
// a negative type (tier) is eligible only for campaigns without a type (tier)
// restriction. When several campaigns apply, the first in slice (file) order
// wins. Effect is O(1) and allocation-free.
//
// Linkage (linkage.go) — Xingque seeding→harvest:
//
//	type LinkageRules struct{ WindowDays int; ExposureBoost, ConversionUplift, SeedingCredit float64 }
//	func Linked(lastSeedDay, today, window int) bool      // 0 ≤ today − lastSeedDay < window
//	func (r LinkageRules) ExposureMultiplier(linked bool) float64   // ExposureBoost or 1
//	func (r LinkageRules) ConversionMultiplier(linked bool) float64 // 1 + ConversionUplift or 1
//	func (r LinkageRules) Split(value float64) (seeding, harvest float64)     // SplitCredit with SeedingCredit
//	func SplitCredit(value, seedingShare float64) (seeding, harvest float64) // seeding + harvest == value exactly
//
// Alias tables (alias.go) — Vose's method:
//
//	type Alias struct{ ... }                  // zero value is empty
//	func NewAlias(weights []float64) (*Alias, error)
//	func (a *Alias) Reset(weights []float64) error  // no allocation when capacity suffices
//	func (a *Alias) Draw(rng *rand.PCG) int        // one Uint64 per draw, O(1)
//	func (a *Alias) Len() int
//
// Product lifecycle (lifecycle.go) — stage from the product's own Bass curve:
//
//	type Stage uint8                          // Launch, Growth, Maturity, Decline (String: launch, …); NumStages
//	func BassF(p, q, t float64) float64       // closed form, F(0) = 0
//	func BassFFrom(p, q, f0, t float64) float64 // solution with F(0) = f0 (p may be 0)
//	func BassTime(p, q, f float64) float64     // inverse of BassF
//	func BassRate(p, q, f float64) float64     // (1 − F)(p + qF)
//	func BassPeakF(p, q float64) float64       // max(0, 1/2 − p/(2q)): F at the adoption-rate peak
//	func BassPeakTime(p, q float64) float64    // ln(q/p)/(p+q), or 0 when q ≤ p
//	func StageOf(f, p, q float64) Stage
//	type ProductCurve struct{ P, Q, StartF float64 }
//	func (c ProductCurve) F(day int) float64  // F at day (day 1 = StartF)
//	func (c ProductCurve) Stage(day int) Stage
//
// Stage rule: Launch while F < 0.1; Growth while 0.1 ≤ F < BassPeakF;
// Maturity while BassPeakF ≤ F ≤ 0.9; Decline when F > 0.9. When the peak
// comes before F = 0.1 (q ≤ 1.25 p, including q ≤ p where the rate never
// rises), Growth is empty and Launch goes straight to Maturity.
package mechanisms
