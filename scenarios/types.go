package scenarios

// This file is the scenario language: every field a scenario file may hold.
// The JSON Schema (`startrend schema`) is generated from these types, so the
// doc comments here are the language's reference. Every field is used by the
// engine or by the outputs; a field that nothing reads does not belong here.
//
// Conventions:
//   - Collections whose elements are addressed by path are lists of elements
//     with an `id`; a path segment selects the element by id
//     (`merchants.brand_a.budget.paid_traffic`, `campaigns.super_value.discount`).
//   - Maps keyed by a consumer group, creator type, tier, format or funnel stage
//     are written as YAML mappings; a path segment is the key
//     (`creator_types.live_seller.affinity.gen_z`).
//   - Money is in the scenario's currency, time in days, rates per day,
//     probabilities and shares in [0, 1].
//   - Day numbers count KPI days: day 1 is the first day after warm-up; warm-up
//     days are numbered -warmup_days+1 … 0.

// Scenario is one simulation study: a market, the strategies in it, the
// what-if variants to compare, and optionally an optimisation or a sweep.
type Scenario struct {
	// Name identifies the scenario; it names the default output directory
	// out/<name>/. Any Unicode; required.
	Name string `yaml:"name" json:"name"`
	// Description says which question the scenario answers.
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Question is the decision the report answers first (optional).
	Question *Question `yaml:"question,omitempty" json:"question,omitempty"`
	// Extends names a base scenario file (relative to this file) whose fields
	// this one overrides; lists are replaced whole, mappings merged key by key.
	// The resolved scenario has no extends.
	Extends string `yaml:"extends,omitempty" json:"extends,omitempty"`
	// Seed is the root of every random stream (default 1).
	Seed uint64 `yaml:"seed" json:"seed"`
	// HorizonDays is the number of KPI days simulated after warm-up (1..3650).
	HorizonDays int `yaml:"horizon_days" json:"horizon_days"`
	// WarmupDays run before KPIs are counted (default 0).
	WarmupDays int `yaml:"warmup_days" json:"warmup_days"`
	// Replications is the number of independent replications (default 10).
	Replications int `yaml:"replications" json:"replications"`
	// Scale is the number of real users one user agent stands for (default 1);
	// KPIs are reported in real units (counts and money multiplied by Scale).
	Scale float64 `yaml:"scale" json:"scale"`
	// Currency is the ISO code money is reported in (default CNY).
	Currency string `yaml:"currency" json:"currency"`

	Platform     Platform      `yaml:"platform" json:"platform"`
	Population   Population    `yaml:"population" json:"population"`
	CreatorTypes []CreatorType `yaml:"creator_types" json:"creator_types"`
	Creators     Creators      `yaml:"creators" json:"creators"`
	Merchants    []Merchant    `yaml:"merchants" json:"merchants"`
	Campaigns    []Campaign    `yaml:"campaigns,omitempty" json:"campaigns,omitempty"`
	Trends       []Trend       `yaml:"trends,omitempty" json:"trends,omitempty"`
	// Variants are named what-if changes of this scenario. Each runs with the
	// same random numbers as the baseline and is reported as a paired
	// difference against it.
	Variants []Variant `yaml:"variants,omitempty" json:"variants,omitempty"`
	// Optimize describes the decision problem for `startrend optimize`.
	Optimize *Optimize `yaml:"optimize,omitempty" json:"optimize,omitempty"`
	// Sweep describes a parameter sweep for `startrend sweep`.
	Sweep *Sweep `yaml:"sweep,omitempty" json:"sweep,omitempty"`
	// Sensitivity describes a sensitivity analysis for `startrend sensitivity`.
	Sensitivity *Sensitivity `yaml:"sensitivity,omitempty" json:"sensitivity,omitempty"`
	// Calibrate describes a calibration to observed KPIs for `startrend calibrate`.
	Calibrate *Calibrate `yaml:"calibrate,omitempty" json:"calibrate,omitempty"`

	// file is the scenario's file name as given to Load ("" for Go-built
	// scenarios); pos maps field paths to where their values were written
	// (for error messages); rosterFile is the roster CSV path resolved
	// against the file that named it.
	file       string
	pos        map[string]Pos
	rosterFile string
	rosterData []byte
}

// Funnel stages of the O-5A model, in order.
const (
	StageO  = "o"  // opportunity: not aware of the merchant
	StageA1 = "a1" // aware
	StageA2 = "a2" // appeal: engaged
	StageA3 = "a3" // ask: seeded (searched, clicked, carted)
	StageA4 = "a4" // act: first purchase
	StageA5 = "a5" // advocate: repurchased
)

// The enumerations below are functions returning a new slice on each call,
// so that no caller can change them for everyone.

// FunnelStages returns the O-5A stages in order.
func FunnelStages() []string {
	return []string{StageO, StageA1, StageA2, StageA3, StageA4, StageA5}
}

// Formats returns the formats content can take.
func Formats() []string { return []string{"short_video", "live", "post", "storefront"} }

// Tiers returns the tiers of creators by followers, largest first.
func Tiers() []string { return []string{"head", "waist", "tail", "koc"} }

// ProductStages returns the stages of a product's lifecycle, in order.
func ProductStages() []string { return []string{"launch", "growth", "maturity", "decline"} }

// ContractKinds returns the contract kinds a cooperation may use.
func ContractKinds() []string { return []string{"cps", "fee_cps", "task", "seed_harvest"} }

// Transitions holds one number per funnel transition (a probability, or a
// multiplier of one).
type Transitions struct {
	OA1  float64 `yaml:"o_a1" json:"o_a1"`
	A1A2 float64 `yaml:"a1_a2" json:"a1_a2"`
	A2A3 float64 `yaml:"a2_a3" json:"a2_a3"`
	A3A4 float64 `yaml:"a3_a4" json:"a3_a4"`
	A4A5 float64 `yaml:"a4_a5" json:"a4_a5"`
}

// StageValues holds one number per funnel stage above O.
type StageValues struct {
	A1 float64 `yaml:"a1" json:"a1"`
	A2 float64 `yaml:"a2" json:"a2"`
	A3 float64 `yaml:"a3" json:"a3"`
	A4 float64 `yaml:"a4" json:"a4"`
	A5 float64 `yaml:"a5" json:"a5"`
}

// FormatParams says how one content format reaches and converts users.
type FormatParams struct {
	// Reach multiplies the organic exposure weight of content in this format.
	Reach float64 `yaml:"reach" json:"reach"`
	// Conversion multiplies the funnel-advance probabilities of the late
	// transitions (a2_a3, a3_a4, a4_a5); early ones use Reach only.
	Conversion float64 `yaml:"conversion" json:"conversion"`
	// LifetimeDays is how long one piece of content keeps receiving
	// impressions; its weight decays linearly to zero over it (live: 1).
	LifetimeDays int `yaml:"lifetime_days" json:"lifetime_days"`
}

// FormatMap holds a value per content format.
type FormatMap[T any] struct {
	ShortVideo T `yaml:"short_video" json:"short_video"`
	Live       T `yaml:"live" json:"live"`
	Post       T `yaml:"post" json:"post"`
	Storefront T `yaml:"storefront" json:"storefront"`
}

// TierMap holds a value per creator tier.
type TierMap[T any] struct {
	Head  T `yaml:"head" json:"head"`
	Waist T `yaml:"waist" json:"waist"`
	Tail  T `yaml:"tail" json:"tail"`
	KOC   T `yaml:"koc" json:"koc"`
}

// ProductStageMap holds a value per product lifecycle stage.
type ProductStageMap struct {
	Launch   float64 `yaml:"launch" json:"launch"`
	Growth   float64 `yaml:"growth" json:"growth"`
	Maturity float64 `yaml:"maturity" json:"maturity"`
	Decline  float64 `yaml:"decline" json:"decline"`
}

// Platform holds the platform's own mechanics, shared by every merchant.
type Platform struct {
	// ImpressionsPerActiveUser is the mean number of commercial impressions an
	// active user receives per day (Poisson; default 5).
	ImpressionsPerActiveUser float64 `yaml:"impressions_per_active_user" json:"impressions_per_active_user"`
	// FollowShare is the share of organic impressions drawn from content of
	// creators the user follows (default 0.3); the rest is recommendation.
	FollowShare float64 `yaml:"follow_share" json:"follow_share"`
	// CPM is the price of 1,000 paid impressions (default 40).
	CPM float64 `yaml:"cpm" json:"cpm"`
	// Ranking sets the organic recommendation weight of a piece of content:
	// quality^quality × affinity^affinity × boosts.
	Ranking Ranking `yaml:"ranking" json:"ranking"`
	// BaseRates are the per-impression probabilities of advancing each funnel
	// transition before multipliers (type effectiveness, affinity, format,
	// product stage, price, discounts, trust, linkage).
	BaseRates Transitions `yaml:"base_rates" json:"base_rates"`
	// DecayDays is the number of days without a touch after which a user's
	// stage for a merchant falls one level (a5 → a4 keeps the customer).
	DecayDays StageValues `yaml:"decay_days" json:"decay_days"`
	// ImpulseRate is the probability that a live-room impression to a user at
	// a1 or a2 ends in a purchase directly (skipping stages), before
	// multipliers (default 0.002).
	ImpulseRate float64 `yaml:"impulse_rate" json:"impulse_rate"`
	// Formats describes each content format.
	Formats FormatMap[FormatParams] `yaml:"formats" json:"formats"`
	// StageDemand multiplies conversion (a2_a3, a3_a4) by the product's
	// lifecycle stage.
	StageDemand ProductStageMap `yaml:"stage_demand" json:"stage_demand"`
	// RefundDelayDays is the delay between an order and its refund, if any
	// (default 7); refunds past the horizon are not counted.
	RefundDelayDays int `yaml:"refund_delay_days" json:"refund_delay_days"`
	// RepurchaseCycleDays is the minimum gap between two orders of one user
	// from one merchant (default 14).
	RepurchaseCycleDays int `yaml:"repurchase_cycle_days" json:"repurchase_cycle_days"`
	// Customers sets the customer lifecycle on the platform.
	Customers CustomerLifecycle `yaml:"customers" json:"customers"`
	// CreatorGrowth sets creator follower growth and lifecycle.
	CreatorGrowth CreatorGrowth `yaml:"creator_growth" json:"creator_growth"`
	// Linkage sets Xingque seeding→harvest linkage for seed_harvest contracts.
	Linkage Linkage `yaml:"linkage" json:"linkage"`
	// TrustUplift is the conversion multiplier an existing partner with trust 1
	// has over a new one (multiplier = 1 + trust × trust_uplift; default 0.5).
	TrustUplift float64 `yaml:"trust_uplift" json:"trust_uplift"`
	// NoveltyReach is the extra reach of an incremental (new) author among
	// users who do not yet know the merchant (o → a1 multiplier 1 +
	// novelty_reach; default 0.3): new authors reach audiences existing ones
	// have exhausted.
	NoveltyReach float64 `yaml:"novelty_reach" json:"novelty_reach"`
	// BackgroundContent is the weight of the platform's commercial content
	// outside the scenario (other merchants' videos, lives and posts) that
	// competes with it for recommended impressions, in reference pieces
	// (quality 1, affinity 1, reach 1) per 1,000 real users (default 0.5,
	// calibrated, see defaults.go). It sets how many impressions a piece of
	// content gets: the more background, the fewer.
	BackgroundContent float64 `yaml:"background_content" json:"background_content"`
	// ContentSaturation is the audience overlap of one merchant's creator
	// content in recommendation: the merchant's combined recommendation
	// weight W for a consumer group counts as W/(1 + W/H), H being
	// content_saturation reference pieces per 1,000 real users (the units
	// of background_content; default 0.08; 0 disables it). Extra creators of
	// one merchant reach the same interested users, so reach saturates.
	ContentSaturation float64 `yaml:"content_saturation" json:"content_saturation"`

	// Response to exposure, organic base and paid delivery (the user and
	// merchant side of the response model; defaults and sources in
	// defaults.go and docs/model.md).

	// Exposure sets how a user's response to repeated impressions of one
	// merchant wears out.
	Exposure Exposure `yaml:"exposure" json:"exposure"`
	// Organic is the mean number of impressions of a merchant's own
	// account (its store and live room, reached through following the
	// account and searching) that an active user at each stage gets a day
	// (users at O do not know the merchant and get none).
	Organic StageValues `yaml:"organic" json:"organic"`
	// FrequencyCap is the most paid impressions of one merchant a user is
	// shown a day (default 2). A paid budget buys reach first (users at the
	// stages most likely to buy first: a3, a2, a1, a5, a4, then o), up to
	// the cap each; what the target cannot absorb is not spent.
	FrequencyCap float64 `yaml:"frequency_cap" json:"frequency_cap"`
	// PaidAttention is the share of paid impressions a user notices (ad
	// avoidance; default 0.2): an unnoticed one has no effect at all. Paid
	// impressions interrupt the feed; creators' content and the
	// merchant's own account are watched by choice.
	PaidAttention float64 `yaml:"paid_attention" json:"paid_attention"`
	// TrustPerCooperation is the audience trust a creator gains with a
	// merchant at each cooperation (capped at 1; default 0.15).
	TrustPerCooperation float64 `yaml:"trust_per_cooperation" json:"trust_per_cooperation"`
}

// Exposure sets the wear-out of repeated impressions: each user keeps,
// per merchant, a stock of recent impressions (each impression adds 1;
// the stock halves every memory_days), and an impression's response
// probabilities are multiplied by e^{−wearout × max(0, stock −
// effective_frequency)}.
type Exposure struct {
	// EffectiveFrequency is the number of recent impressions that work at
	// full strength (default 3).
	EffectiveFrequency float64 `yaml:"effective_frequency" json:"effective_frequency"`
	// Wearout is the decline of the response per recent impression beyond
	// the effective frequency (default 0.25).
	Wearout float64 `yaml:"wearout" json:"wearout"`
	// MemoryDays is the half-life of the stock of recent impressions in
	// days (default 7).
	MemoryDays float64 `yaml:"memory_days" json:"memory_days"`
}

// Ranking sets the exponents of organic recommendation.
type Ranking struct {
	Quality  float64 `yaml:"quality" json:"quality"`   // exponent on content quality (default 1)
	Affinity float64 `yaml:"affinity" json:"affinity"` // exponent on creator-type × group affinity (default 1)
	// Followers is the exponent on a creator's real followers (relative to
	// the tail threshold) in its content's recommendation weight: bigger
	// accounts are recommended more (default 0.5; 0: followers do not
	// matter).
	Followers float64 `yaml:"followers" json:"followers"`
}

// CustomerLifecycle sets the user's lifecycle on the platform: new → active
// → loyal, and at_risk → churned on inactivity.
type CustomerLifecycle struct {
	// ActiveAfterDays: a new user who opened the app on this many days
	// becomes active (default 3).
	ActiveAfterDays int `yaml:"active_after_days" json:"active_after_days"`
	// LoyalAfterOrders: an active user with this many orders becomes loyal
	// (default 3).
	LoyalAfterOrders int `yaml:"loyal_after_orders" json:"loyal_after_orders"`
	// AtRiskAfterDays without opening the app makes a user at_risk (default 14).
	AtRiskAfterDays int `yaml:"at_risk_after_days" json:"at_risk_after_days"`
	// ChurnAfterDays without opening the app makes a user churned (default 45).
	ChurnAfterDays int `yaml:"churn_after_days" json:"churn_after_days"`
	// Activity multiplies the group's daily activity by lifecycle state.
	Activity LifecycleActivity `yaml:"activity" json:"activity"`
}

// LifecycleActivity holds an activity multiplier per customer lifecycle state.
type LifecycleActivity struct {
	New     float64 `yaml:"new" json:"new"`
	Active  float64 `yaml:"active" json:"active"`
	Loyal   float64 `yaml:"loyal" json:"loyal"`
	AtRisk  float64 `yaml:"at_risk" json:"at_risk"`
	Churned float64 `yaml:"churned" json:"churned"` // daily re-activation chance relative to group activity
}

// CreatorGrowth sets creator follower growth and the creator lifecycle.
type CreatorGrowth struct {
	// FollowPerEngagement is the probability that a user who advances a funnel
	// stage through a creator's content starts following the creator
	// (default 0.02).
	FollowPerEngagement float64 `yaml:"follow_per_engagement" json:"follow_per_engagement"`
	// RisingAfterDays: a newcomer engaged on this many days (cooperation
	// content live in feeds, or income) becomes rising (default 7);
	// EstablishedFollowers: a rising creator with this many real followers
	// becomes established (default 100000).
	RisingAfterDays      int     `yaml:"rising_after_days" json:"rising_after_days"`
	EstablishedFollowers float64 `yaml:"established_followers" json:"established_followers"`
	// EstablishedAfterDays: a rising creator engaged on this many days (a
	// sustained commercial track record) becomes established whatever its
	// followers (default 14; 0: by followers only).
	EstablishedAfterDays int `yaml:"established_after_days" json:"established_after_days"`
	// DormantAfterDays: a creator that over this many days earned less than
	// the reservation incomes of the cooperations it took goes dormant and
	// stops taking new cooperations until a task beats its reservation
	// income again (default 28); a creator simply not booked stays active.
	DormantAfterDays int `yaml:"dormant_after_days" json:"dormant_after_days"`
}

// Linkage sets Xingque seeding→harvest linkage.
type Linkage struct {
	// WindowDays after engaging with a merchant's seeding video during which
	// the user is linked to the merchant's harvesting live rooms (default 7).
	WindowDays int `yaml:"window_days" json:"window_days"`
	// ExposureBoost multiplies the chance a linked user is shown the
	// merchant's linked live content (default 3).
	ExposureBoost float64 `yaml:"exposure_boost" json:"exposure_boost"`
	// ConversionUplift: a linked user converts in the linked live room with
	// probability × (1 + conversion_uplift) (default 0.5).
	ConversionUplift float64 `yaml:"conversion_uplift" json:"conversion_uplift"`
	// SeedingCredit is the share of a linked order's GMV attributed to the
	// seeding content; the rest goes to the harvesting content (default 0.3).
	SeedingCredit float64 `yaml:"seeding_credit" json:"seeding_credit"`
}

// Population sets the user agents.
type Population struct {
	// Users is the number of user agents (1..200,000,000).
	Users int `yaml:"users" json:"users"`
	// FollowsPerUser is the mean number of creators a user follows (default
	// 20); who is followed is drawn by creator followers × group affinity.
	FollowsPerUser float64 `yaml:"follows_per_user" json:"follows_per_user"`
	// Groups are the consumer groups; when omitted, eight documented defaults
	// apply. Shares must sum to 1 (within 1e-6).
	Groups []ConsumerGroup `yaml:"groups" json:"groups"`
}

// ConsumerGroup is one consumer segment.
type ConsumerGroup struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// Share of users in the group, in [0,1].
	Share float64 `yaml:"share" json:"share"`
	// Activity is the daily probability an active user opens the app.
	Activity float64 `yaml:"activity" json:"activity"`
	// PriceSensitivity in [0, 3] sets the spread of willingness to pay
	// within the group: WTP is log-normal with log-sd 1/price_sensitivity,
	// and a user buys at a price only if its WTP is at least the price (0:
	// price does not matter).
	PriceSensitivity float64 `yaml:"price_sensitivity" json:"price_sensitivity"`
	// SpendingLevel is the median willingness to pay of the group (in the
	// currency): half of it buys at this price.
	SpendingLevel float64 `yaml:"spending_level" json:"spending_level"`
}

// CreatorType is one of the kinds of high-value authors.
type CreatorType struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// Affinity of this type's content to each consumer group (group id →
	// multiplier, default 1 for groups not listed).
	Affinity map[string]float64 `yaml:"affinity,omitempty" json:"affinity,omitempty"`
	// Effectiveness multiplies the base rate of each funnel transition.
	Effectiveness Transitions `yaml:"effectiveness" json:"effectiveness"`
}

// Creators sets the creator population: generated, from a roster, or both
// (roster creators first, then generated ones).
type Creators struct {
	Generate *CreatorGeneration `yaml:"generate,omitempty" json:"generate,omitempty"`
	// Roster is a CSV file (relative to the scenario file) with one creator per
	// row; columns: id,name,type,followers,quality,live_skill,short_video,
	// live,post,storefront,fee,commission,reservation_income (the four format
	// columns are weekly capacities).
	Roster string `yaml:"roster,omitempty" json:"roster,omitempty"`
	// TierThresholds are the real-follower thresholds of head, waist and tail
	// (below tail is koc). Defaults 1,000,000 / 100,000 / 10,000.
	TierThresholds TierThresholds `yaml:"tier_thresholds" json:"tier_thresholds"`
	// RosterCreators are the rows of the roster CSV, parsed and checked at
	// load (not part of the YAML; the CSV's content is part of the
	// scenario's hash).
	RosterCreators []RosterCreator `yaml:"-" json:"-"`
}

// RosterCreator is one row of a roster CSV. Its tier follows from Followers
// and the tier thresholds.
type RosterCreator struct {
	ID        string
	Name      string
	Type      string  // a creator type id
	Followers float64 // real followers
	Quality   float64 // content quality in [0,1]
	LiveSkill float64 // live conversion skill in [0,1]
	// Capacity is the weekly number of pieces per format.
	Capacity          FormatMap[float64]
	Fee               float64 // fee per cooperation (rate card)
	Commission        float64 // share of GMV, in [0,1]
	ReservationIncome float64 // per cooperation; below it the creator declines
}

// TierThresholds are follower counts at which tiers start.
type TierThresholds struct {
	Head  float64 `yaml:"head" json:"head"`
	Waist float64 `yaml:"waist" json:"waist"`
	Tail  float64 `yaml:"tail" json:"tail"`
}

// CreatorGeneration draws a creator population.
type CreatorGeneration struct {
	Count int `yaml:"count" json:"count"`
	// Tiers is the tier mix (shares summing to 1).
	Tiers TierMap[float64] `yaml:"tiers" json:"tiers"`
	// Types is the type mix (type id → share, summing to 1); default equal.
	Types map[string]float64 `yaml:"types,omitempty" json:"types,omitempty"`
	// FollowerAlpha is the Pareto exponent of followers within a tier's range
	// (default 1.5); head creators are capped at 100 × the head threshold.
	FollowerAlpha float64 `yaml:"follower_alpha" json:"follower_alpha"`
	// Quality and LiveSkill are drawn from a Beta with this mean and sd.
	Quality   MeanSD `yaml:"quality" json:"quality"`
	LiveSkill MeanSD `yaml:"live_skill" json:"live_skill"`
	// Capacity is the weekly number of pieces of content per format a creator
	// of each tier can publish for merchants.
	Capacity TierMap[FormatMap[float64]] `yaml:"capacity" json:"capacity"`
	// RateCard sets the fee per cooperation: k × followers^b.
	RateCard RateCard `yaml:"rate_card" json:"rate_card"`
	// Commission is the share of GMV a creator earns on its orders.
	Commission float64 `yaml:"commission" json:"commission"`
	// ReservationRatio: reservation income per cooperation = ratio × rate-card
	// fee (default 0.8).
	ReservationRatio float64 `yaml:"reservation_ratio" json:"reservation_ratio"`
}

// MeanSD is a distribution given by its mean and standard deviation.
type MeanSD struct {
	Mean float64 `yaml:"mean" json:"mean"`
	SD   float64 `yaml:"sd" json:"sd"`
}

// RateCard: fee = K × followers^B.
type RateCard struct {
	K float64 `yaml:"k" json:"k"`
	B float64 `yaml:"b" json:"b"`
}

// Merchant is a seller with products, budgets and a strategy.
type Merchant struct {
	ID       string `yaml:"id" json:"id"`
	Name     string `yaml:"name,omitempty" json:"name,omitempty"`
	Category string `yaml:"category,omitempty" json:"category,omitempty"`
	// Products sold; a merchant may have none (it then sells nothing).
	Products []Product `yaml:"products" json:"products"`
	Budget   Budget    `yaml:"budget" json:"budget"`
	// LiveRoom is the merchant's own live room and store (FACT: Field).
	LiveRoom LiveRoom `yaml:"live_room" json:"live_room"`
	Initial  Initial  `yaml:"initial" json:"initial"`
	Strategy Strategy `yaml:"strategy" json:"strategy"`
}

// Product is one product a merchant sells.
type Product struct {
	ID         string  `yaml:"id" json:"id"`
	Name       string  `yaml:"name,omitempty" json:"name,omitempty"`
	Price      float64 `yaml:"price" json:"price"`
	Margin     float64 `yaml:"margin" json:"margin"`           // gross margin share of price
	RefundRate float64 `yaml:"refund_rate" json:"refund_rate"` // share of orders refunded
	// RepurchaseCycleDays is the minimum gap between two orders of one user
	// of this product (0: the platform's repurchase_cycle_days).
	RepurchaseCycleDays int `yaml:"repurchase_cycle_days" json:"repurchase_cycle_days"`
	// Stage fixes the lifecycle stage (launch, growth, maturity, decline);
	// omit it to derive the stage from Bass.
	Stage string `yaml:"stage,omitempty" json:"stage,omitempty"`
	// Bass drives the stage from the product's own adoption curve: the stage
	// is launch while cumulative adoption F < 0.1, growth until the peak of
	// the adoption rate, maturity until F > 0.9, then decline.
	Bass *ProductBass `yaml:"bass,omitempty" json:"bass,omitempty"`
}

// ProductBass is a per-day Bass curve for a product's market.
type ProductBass struct {
	P float64 `yaml:"p" json:"p"`
	Q float64 `yaml:"q" json:"q"`
	// StartF is the cumulative adoption at day 1 (default 0).
	StartF float64 `yaml:"start_f" json:"start_f"`
}

// Budget is a merchant's money over the horizon, by kind.
type Budget struct {
	CreatorFees float64 `yaml:"creator_fees" json:"creator_fees"`
	PaidTraffic float64 `yaml:"paid_traffic" json:"paid_traffic"`
	Campaigns   float64 `yaml:"campaigns" json:"campaigns"`
	// Pacing spreads budgets over days: even, front_loaded (twice the even
	// rate in the first third, then the rest evenly), or by_stage (weights
	// of the product lifecycle stage, from stage_weights).
	Pacing       string          `yaml:"pacing" json:"pacing"`
	StageWeights ProductStageMap `yaml:"stage_weights" json:"stage_weights"`
}

// LiveRoom is a merchant's self-broadcast live room.
type LiveRoom struct {
	// HoursPerDay of self broadcast (0 = no own live room).
	HoursPerDay float64 `yaml:"hours_per_day" json:"hours_per_day"`
	// Quality of the room's content in [0,1].
	Quality float64 `yaml:"quality" json:"quality"`
}

// Initial is a merchant's state at the start of the simulation.
type Initial struct {
	// Funnel is the share of users at each stage above O (sum ≤ 1).
	Funnel StageValues `yaml:"funnel" json:"funnel"`
	// Partners are existing partners carried over, with audience trust.
	Partners []Partners `yaml:"partners,omitempty" json:"partners,omitempty"`
}

// Partners is a group of existing partner creators.
type Partners struct {
	Type  string  `yaml:"type" json:"type"`
	Tier  string  `yaml:"tier" json:"tier"`
	Count int     `yaml:"count" json:"count"`
	Trust float64 `yaml:"trust" json:"trust"` // accumulated audience trust in [0,1]
}

// Strategy is a merchant's decisions: its creator matrix and paid traffic.
type Strategy struct {
	// Matrix lists cooperations by type × tier × format, per product stage.
	Matrix []MatrixEntry `yaml:"matrix,omitempty" json:"matrix,omitempty"`
	// Roster lists cooperations with named roster creators.
	Roster      []RosterEntry `yaml:"roster,omitempty" json:"roster,omitempty"`
	PaidTraffic PaidTraffic   `yaml:"paid_traffic" json:"paid_traffic"`
	// ReplanDays is how often the merchant re-plans (default 7): at each
	// re-plan, cooperations of the current product stage are (re)contracted.
	ReplanDays int `yaml:"replan_days" json:"replan_days"`
}

// MatrixEntry is one cell of the creator matrix.
type MatrixEntry struct {
	// ID names the entry in paths; default "<stage>-<type>-<tier>-<format>".
	ID string `yaml:"id" json:"id"`
	// Stage is the product stage the entry applies in, or "any".
	Stage   string `yaml:"stage" json:"stage"`
	Product string `yaml:"product,omitempty" json:"product,omitempty"` // default: the merchant's first product
	Type    string `yaml:"type" json:"type"`
	Tier    string `yaml:"tier" json:"tier"`
	Format  string `yaml:"format" json:"format"`
	// Count of cooperations (creators) per re-plan period.
	Count int `yaml:"count" json:"count"`
	// Contract: cps, fee_cps, task or seed_harvest.
	Contract string `yaml:"contract" json:"contract"`
	// Partners: existing (current partners first) or new (incremental).
	Partners string `yaml:"partners" json:"partners"`
	// Posts per creator per re-plan period (default 1), within capacity.
	Posts int `yaml:"posts" json:"posts"`
	// Task sets Magpie Bridge task terms (contract task only).
	Task *TaskTerms `yaml:"task,omitempty" json:"task,omitempty"`
}

// TaskTerms are the terms of a Magpie Bridge task.
type TaskTerms struct {
	// Budget per task (creator fee + boost).
	Budget float64 `yaml:"budget" json:"budget"`
	// EcommerceShare of the task budget is spent as paid traffic boosting the
	// task's content; the rest is the creator's fee.
	EcommerceShare float64 `yaml:"ecommerce_share" json:"ecommerce_share"`
}

// RosterEntry is a cooperation with a named roster creator.
type RosterEntry struct {
	Creator  string `yaml:"creator" json:"creator"`
	Stage    string `yaml:"stage" json:"stage"`
	Product  string `yaml:"product,omitempty" json:"product,omitempty"`
	Format   string `yaml:"format" json:"format"`
	Contract string `yaml:"contract" json:"contract"`
	Posts    int    `yaml:"posts" json:"posts"`
}

// PaidTraffic is a merchant's purchase of impressions at CPM.
type PaidTraffic struct {
	// Daily spend target; limited by the paced paid_traffic budget.
	Daily float64 `yaml:"daily" json:"daily"`
	// Target restricts paid impressions to consumer groups and funnel stages
	// (empty = all).
	Target Target `yaml:"target" json:"target"`
}

// Target selects users by group and funnel stage.
type Target struct {
	Groups []string `yaml:"groups,omitempty" json:"groups,omitempty"`
	Stages []string `yaml:"stages,omitempty" json:"stages,omitempty"`
}

// Campaign is a platform campaign such as Super Value Team.
type Campaign struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// Window is [first day, last day], inclusive, within the horizon.
	Window [2]int `yaml:"window" json:"window"`
	// Discount depth paid by the merchant, in [0, 0.9].
	Discount          float64 `yaml:"discount" json:"discount"`
	TrafficMultiplier float64 `yaml:"traffic_multiplier" json:"traffic_multiplier"`
	ConversionUplift  float64 `yaml:"conversion_uplift" json:"conversion_uplift"`
	// Fee paid by each participating merchant (from its campaigns budget).
	Fee      float64     `yaml:"fee" json:"fee"`
	Eligible Eligibility `yaml:"eligible" json:"eligible"`
}

// Eligibility says who takes part in a campaign. Merchants lists the
// merchants that join (empty: none); Products, CreatorTypes and CreatorTiers
// restrict further (empty: all).
type Eligibility struct {
	Merchants    []string `yaml:"merchants" json:"merchants"`
	Products     []string `yaml:"products,omitempty" json:"products,omitempty"`
	CreatorTypes []string `yaml:"creator_types,omitempty" json:"creator_types,omitempty"`
	CreatorTiers []string `yaml:"creator_tiers,omitempty" json:"creator_tiers,omitempty"`
}

// Trend is a topic creators adopt over time (Bass diffusion).
type Trend struct {
	ID       string  `yaml:"id" json:"id"`
	Name     string  `yaml:"name,omitempty" json:"name,omitempty"`
	StartDay int     `yaml:"start_day" json:"start_day"`
	P        float64 `yaml:"p" json:"p"` // platform push, per day
	Q        float64 `yaml:"q" json:"q"` // imitation, per day
	// Mixing is full (imitation from all adopters) or follow_graph (from the
	// adopters among the creators a creator follows).
	Mixing string `yaml:"mixing" json:"mixing"`
	// Potential is the share of creators who may ever adopt (Bass m).
	Potential float64 `yaml:"potential" json:"potential"`
	// SubmissionsPerDay an adopter publishes on the day it adopts (default
	// 6); the rate then fades (FadeDays).
	SubmissionsPerDay float64 `yaml:"submissions_per_day" json:"submissions_per_day"`
	// FadeDays is the e-folding time of an adopter's participation: a days
	// after adopting it publishes submissions_per_day × e^{−a/fade_days} a
	// day, and its cooperations stay trend-tagged (boost fading the same
	// way) for 3 × fade_days, so a trend ends once adoption saturates
	// (default 10: ~63 submissions per participating creator; 0: never
	// fades).
	FadeDays float64 `yaml:"fade_days" json:"fade_days"`
	// Connect is the share of trend submissions that feature a rider's
	// product (split evenly over the riders): their plays move users
	// through the rider's funnel like the rider's own short videos
	// (default 0.1; no riders: the submissions are plays only).
	Connect float64 `yaml:"connect" json:"connect"`
	// Boost multiplies the exposure of trend submissions.
	Boost float64 `yaml:"boost" json:"boost"`
	// Riders are merchants riding the trend: their cooperations with adopting
	// creators are tagged with the trend and get its boost.
	Riders []string `yaml:"riders,omitempty" json:"riders,omitempty"`
}

// Variant is a named what-if change of the scenario.
type Variant struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Set maps a field path to its new value.
	Set map[string]any `yaml:"set" json:"set"`
}

// Optimize is the decision problem of `startrend optimize`.
type Optimize struct {
	// Merchant whose strategy is decided.
	Merchant string `yaml:"merchant" json:"merchant"`
	// Objective: gmv, profit, new_customers, roi (maximised) or spend
	// (minimised subject to Target).
	Objective string `yaml:"objective" json:"objective"`
	// Target for objective spend: the KPI and the level it must reach.
	Target *KPITarget `yaml:"target,omitempty" json:"target,omitempty"`
	// Decide lists the decision variables.
	Decide []Decision `yaml:"decide" json:"decide"`
	// Budget constrains the sum of the money decisions.
	Budget BudgetConstraint `yaml:"budget" json:"budget"`
	// MinROI rejects candidates whose mean ROI is below it (0 = none).
	MinROI float64 `yaml:"min_roi" json:"min_roi"`
	// Method: cmaes, discrete, random or neldermead (default cmaes).
	Method string `yaml:"method" json:"method"`
	// Evals bounds the number of simulator runs, racing included.
	Evals int `yaml:"evals" json:"evals"`
	// Replications per evaluation (default 2).
	Replications int `yaml:"replications" json:"replications"`
	// Confidence for racing the final candidates (default 0.95).
	Confidence float64 `yaml:"confidence" json:"confidence"`
	// Frontier lists total-budget levels for an efficient frontier.
	Frontier []float64 `yaml:"frontier,omitempty" json:"frontier,omitempty"`
}

// KPITarget is a KPI that must reach a level.
type KPITarget struct {
	KPI     string  `yaml:"kpi" json:"kpi"`
	AtLeast float64 `yaml:"at_least" json:"at_least"`
}

// Decision is one decision variable: a numeric field addressed by path.
type Decision struct {
	Path    string  `yaml:"path" json:"path"`
	Min     float64 `yaml:"min" json:"min"`
	Max     float64 `yaml:"max" json:"max"`
	Integer bool    `yaml:"integer,omitempty" json:"integer,omitempty"`
	// Fixed keeps the value as in the scenario (reported, not searched).
	Fixed bool `yaml:"fixed,omitempty" json:"fixed,omitempty"`
	// Money marks a decision counted in the budget constraint; its unit cost
	// per unit of the value (1 for a budget field, the rate-card fee for a
	// count of cooperations, computed when 0).
	Money    bool    `yaml:"money,omitempty" json:"money,omitempty"`
	UnitCost float64 `yaml:"unit_cost,omitempty" json:"unit_cost,omitempty"`
}

// BudgetConstraint bounds the total of the money decisions.
type BudgetConstraint struct {
	TotalAtMost  float64 `yaml:"total_at_most,omitempty" json:"total_at_most,omitempty"`
	TotalExactly float64 `yaml:"total_exactly,omitempty" json:"total_exactly,omitempty"`
}
