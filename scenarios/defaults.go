package scenarios

import (
	"reflect"

	"gopkg.in/yaml.v3"
)

// This file is the one place where the defaults of the scenario language
// are set and justified. A default applies only where a scenario leaves a
// field unset: an explicit value, including 0, is kept. Every number here is
// a modelling assumption, not a measurement; a calibrated scenario should
// override the ones it can observe. docs/model.md is written from this file.
//
// Scenario
//   seed 1; warmup_days 0; replications 10 (enough for a 95% CI whose
//   half-width is about 0.7 sd of a replication); scale 1; currency CNY.
//   name, horizon_days, population.users and merchants are required.
//
// Population
//   follows_per_user 20 (typical feed users follow tens of accounts; only
//   commercially active creators are modelled). groups: the eight consumer
//   groups of defaultGroups below, when the list is omitted. A group listed
//   with the id of a default group starts from that group's values, so
//   `{id: gen_z, share: 0.3}` changes only the share.
//
// Creator types: the six of defaultCreatorTypes below, when omitted; a type
// listed with a default id starts from that type's values (affinity maps
// merge key by key). Groups a type's affinity omits get affinity 1.
//
// Creators
//   tier_thresholds head 1,000,000 / waist 100,000 / tail 10,000 real
//   followers (below tail: koc), the usual industry cut-offs.
//   generate (when given): tiers head 0.005, waist 0.045, tail 0.25,
//   koc 0.7 (a heavy-tailed creator economy); types: equal shares over the
//   creator types; follower_alpha 1.5 (Pareto within a tier's range);
//   quality Beta mean 0.5 sd 0.15; live_skill mean 0.5 sd 0.2; weekly
//   capacity per format (short_video, live, post, storefront):
//   head 3/2/2/20, waist 4/2/3/20, tail 5/1/3/10, koc 3/1/2/5 (storefront
//   counts listings, live counts sessions); rate_card k 0.05, b 1.0 (a fee
//   of 0.05 CNY per follower: 50,000 for a 1M-follower head creator,
//   500 for a 10k tail one); commission 0.2 (typical CPS commission on
//   apparel and FMCG); reservation_ratio 0.8.
//
// Platform (all per day, per impression or per user as stated in types.go)
//   impressions_per_active_user 5 (commercial impressions only; the rest of
//   the feed is not modelled); follow_share 0.3; cpm 40 CNY;
//   ranking quality 1, affinity 1 (weights proportional to both);
//   base_rates o_a1 0.05, a1_a2 0.08, a2_a3 0.06, a3_a4 0.06, a4_a5 0.03
//   (per impression, before multipliers; calibrated with background_content
//   on the default scenario so a cooperation yields tens of orders — the
//   article's apparel anchor is ~60 — see docs/model.md "Calibration");
//   decay_days a1 14, a2 21, a3 10 (a cart goes stale fast), a4 60, a5 90;
//   impulse_rate 0.002;
//   formats: short_video reach 1, conversion 0.7, lifetime 7 days;
//   live reach 0.5, conversion 1.6, lifetime 1; post reach 0.6,
//   conversion 0.5, lifetime 5; storefront reach 0.3, conversion 1.2,
//   lifetime 30 (video reaches, live converts, a storefront is a slow shelf);
//   stage_demand launch 0.6, growth 1.2, maturity 1.0, decline 0.6;
//   refund_delay_days 7 (the usual no-reason return window);
//   repurchase_cycle_days 14;
//   customers: active_after_days 3, loyal_after_orders 3,
//   at_risk_after_days 14, churn_after_days 45; activity multipliers new 0.8,
//   active 1, loyal 1.2, at_risk 0.5, churned 0.05 (daily re-activation);
//   creator_growth: follow_per_engagement 0.02, rising_after_days 7,
//   established_followers 100,000, established_after_days 14 (two weeks
//   of live commercial content: an assumption), dormant_after_days 28;
//   linkage: window_days 7, exposure_boost 3, conversion_uplift 0.5,
//   seeding_credit 0.3; novelty_reach 0.3;
//   background_content 0.5 reference pieces per 1,000 real users (calibrated:
//   a trend submission then gets ~2,700 real plays over its life, the
//   article's anchor being ~3,400); content_saturation 0.08 reference
//   pieces per 1,000 real users (one merchant's creator content reaches
//   half its unsaturated reach at 16% of the background's weight, in
//   recommendation and in the follow feed: an assumption, see
//   docs/model.md "Response to exposure").
//   Response (the user and merchant side; sources in docs/model.md,
//   "Response to exposure"): exposure effective_frequency 3 (Krugman's
//   three exposures; Naples 1979), wearout 0.25 per recent impression
//   beyond it, memory_days 7 (half-life of the stock of recent
//   impressions: ad memory decays within weeks); frequency_cap 2 paid
//   impressions of one merchant per user a day (typical platform caps are
//   1–3); paid_attention 0.1 (most feed ads are scrolled past: ad avoidance
//   studies find the large majority of ads ignored); organic a1 0.05,
//   a2 0.05, a3 0.05, a4 0.3, a5 0.5 own-account impressions per active
//   user a day (aware users occasionally search the brand; customers who
//   follow the account see it every few days); trust_per_cooperation 0.15
//   (about seven cooperations to full trust); trust_uplift 1 (a fully
//   trusted partner converts twice as well as a stranger); ranking
//   followers 1 (recommendation reach proportional to followers, as rate
//   cards are: cost per reach roughly equal across tiers).
//
// Merchants
//   budget: creator_fees, paid_traffic, campaigns 0; pacing even;
//   stage_weights launch 1, growth 1.5, maturity 1, decline 0.5.
//   live_room: hours_per_day 0 (no own live room), quality 0.5.
//   initial: funnel all 0 (a new brand), no partners.
//   strategy: replan_days 7; no paid traffic (daily 0, all targets).
//   products: a product with neither stage nor bass is at maturity; margin
//   0.4, refund_rate 0.1; bass start_f 0.
//   matrix entries: id "<stage>-<type>-<tier>-<format>", stage any,
//   contract fee_cps, partners new, posts 1; task terms ecommerce_share 0.3.
//   roster entries: stage any, contract fee_cps, posts 1.
//
// Campaigns: discount 0, traffic_multiplier 1, conversion_uplift 0, fee 0.
// Trends: mixing full, potential 0.3, submissions_per_day 6 fading with
// fade_days 10 (an adopter publishes 6/(1 − e^{−0.1}) ≈ 63 submissions over
// its participation, the article's anchor being ~64 per participating
// creator; the trend ends once adoption saturates), connect 0.1 (one
// submission in ten features a rider's product: an assumption), boost 1.5.
// Optimize: objective gmv, method cmaes, evals 200, replications 2,
// confidence 0.95, min_roi 0 (none). Sweep: design grid.

// defaultGroups are the eight consumer groups of the platform's own
// segmentation. Shares sum to 1.
func defaultGroups() []ConsumerGroup {
	return []ConsumerGroup{
		// Young, heavy users; trend-driven, moderate budgets.
		{ID: "gen_z", Name: "Gen Z", Share: 0.17, Activity: 0.75, PriceSensitivity: 1.2, SpendingLevel: 120},
		// Lower-tier-city youth: very active, the most price sensitive.
		{ID: "small_town_youth", Name: "Small-town youth", Share: 0.16, Activity: 0.70, PriceSensitivity: 1.6, SpendingLevel: 80},
		// First-tier young professionals: less time, higher budgets.
		{ID: "new_white_collar", Name: "New white-collar", Share: 0.14, Activity: 0.65, PriceSensitivity: 0.8, SpendingLevel: 250},
		// Mothers buying for the household: quality-minded, high spend.
		{ID: "exquisite_moms", Name: "Exquisite moms", Share: 0.12, Activity: 0.60, PriceSensitivity: 0.9, SpendingLevel: 220},
		// City service and factory workers: practical, price aware.
		{ID: "urban_blue_collar", Name: "Urban blue-collar", Share: 0.13, Activity: 0.55, PriceSensitivity: 1.4, SpendingLevel: 100},
		// Established professionals: least price sensitive, highest spend.
		{ID: "senior_middle_class", Name: "Senior middle class", Share: 0.08, Activity: 0.50, PriceSensitivity: 0.5, SpendingLevel: 400},
		// Small-town middle-aged: deal seekers with modest budgets.
		{ID: "small_town_middle_aged", Name: "Small-town middle-aged", Share: 0.12, Activity: 0.50, PriceSensitivity: 1.5, SpendingLevel: 90},
		// Urban seniors: least active, moderate budgets.
		{ID: "urban_silver", Name: "Urban silver", Share: 0.08, Activity: 0.45, PriceSensitivity: 1.0, SpendingLevel: 150},
	}
}

// defaultCreatorTypes are the six kinds of high-value authors of the
// article, each strongest at one step of the funnel.
func defaultCreatorTypes() []CreatorType {
	return []CreatorType{
		// Widens reach: strong at o→a1, weak later.
		{ID: "reach", Name: "Reach expander", Affinity: map[string]float64{"gen_z": 1.2, "small_town_youth": 1.2, "urban_blue_collar": 1.1},
			Effectiveness: Transitions{OA1: 2.0, A1A2: 1.0, A2A3: 0.6, A3A4: 0.5, A4A5: 0.5}},
		// Seeds interest: reviews and try-ons, strong at a1→a2 and a2→a3.
		{ID: "seeder", Name: "Seeding expert", Affinity: map[string]float64{"new_white_collar": 1.3, "exquisite_moms": 1.3, "senior_middle_class": 1.1},
			Effectiveness: Transitions{OA1: 0.8, A1A2: 1.8, A2A3: 1.6, A3A4: 0.7, A4A5: 0.6}},
		// Sets trends: reach and appeal among the young.
		{ID: "trend_setter", Name: "Trend setter", Affinity: map[string]float64{"gen_z": 1.6, "small_town_youth": 1.3, "new_white_collar": 1.1, "urban_silver": 0.5, "senior_middle_class": 0.7},
			Effectiveness: Transitions{OA1: 1.5, A1A2: 1.5, A2A3: 1.0, A3A4: 0.6, A4A5: 0.5}},
		// Harvests in live rooms: converts a3→a4.
		{ID: "live_seller", Name: "Live-room seller", Affinity: map[string]float64{"exquisite_moms": 1.2, "small_town_middle_aged": 1.2, "urban_blue_collar": 1.1},
			Effectiveness: Transitions{OA1: 0.6, A1A2: 0.8, A2A3: 1.2, A3A4: 2.0, A4A5: 1.0}},
		// Sells deals: converts the price sensitive.
		{ID: "deal_hunter", Name: "Deal hunter", Affinity: map[string]float64{"small_town_youth": 1.4, "small_town_middle_aged": 1.5, "urban_blue_collar": 1.3, "senior_middle_class": 0.6, "new_white_collar": 0.8},
			Effectiveness: Transitions{OA1: 0.8, A1A2: 0.8, A2A3: 1.3, A3A4: 1.8, A4A5: 0.8}},
		// Drives repurchase: community and membership content.
		{ID: "loyalty", Name: "Loyalty builder", Affinity: map[string]float64{"exquisite_moms": 1.3, "senior_middle_class": 1.2, "urban_silver": 1.2},
			Effectiveness: Transitions{OA1: 0.4, A1A2: 0.8, A2A3: 0.8, A3A4: 1.0, A4A5: 2.5}},
	}
}

func defaultPlatform() Platform {
	return Platform{
		ImpressionsPerActiveUser: 5,
		FollowShare:              0.3,
		CPM:                      40,
		Ranking:                  Ranking{Quality: 1, Affinity: 1, Followers: 1},
		BaseRates:                Transitions{OA1: 0.05, A1A2: 0.08, A2A3: 0.06, A3A4: 0.06, A4A5: 0.03},
		DecayDays:                StageValues{A1: 14, A2: 21, A3: 10, A4: 60, A5: 90},
		ImpulseRate:              0.002,
		Formats: FormatMap[FormatParams]{
			ShortVideo: FormatParams{Reach: 1, Conversion: 0.7, LifetimeDays: 7},
			Live:       FormatParams{Reach: 0.5, Conversion: 1.6, LifetimeDays: 1},
			Post:       FormatParams{Reach: 0.6, Conversion: 0.5, LifetimeDays: 5},
			Storefront: FormatParams{Reach: 0.3, Conversion: 1.2, LifetimeDays: 30},
		},
		StageDemand:         ProductStageMap{Launch: 0.6, Growth: 1.2, Maturity: 1.0, Decline: 0.6},
		RefundDelayDays:     7,
		RepurchaseCycleDays: 14,
		Customers: CustomerLifecycle{ActiveAfterDays: 3, LoyalAfterOrders: 3, AtRiskAfterDays: 14, ChurnAfterDays: 45,
			Activity: LifecycleActivity{New: 0.8, Active: 1, Loyal: 1.2, AtRisk: 0.5, Churned: 0.05}},
		CreatorGrowth:     CreatorGrowth{FollowPerEngagement: 0.02, RisingAfterDays: 7, EstablishedFollowers: 100000, EstablishedAfterDays: 14, DormantAfterDays: 28},
		Linkage:           Linkage{WindowDays: 7, ExposureBoost: 3, ConversionUplift: 0.5, SeedingCredit: 0.3},
		TrustUplift:       1,
		NoveltyReach:      0.3,
		BackgroundContent: 0.5,
		ContentSaturation: 0.08,
		// Response to exposure, organic base, paid delivery (see the
		// "Response" paragraph of the file comment).
		Exposure:            Exposure{EffectiveFrequency: 3, Wearout: 0.25, MemoryDays: 7},
		Organic:             StageValues{A1: 0.05, A2: 0.05, A3: 0.05, A4: 0.3, A5: 0.5},
		FrequencyCap:        2,
		PaidAttention:       0.1,
		TrustPerCooperation: 0.15,
	}
}

func defaultScenario() *Scenario {
	return &Scenario{
		Seed:         1,
		Replications: 10,
		Scale:        1,
		Currency:     "CNY",
		Platform:     defaultPlatform(),
		Population:   Population{FollowsPerUser: 20, Groups: defaultGroups()},
		CreatorTypes: defaultCreatorTypes(),
		Creators:     Creators{TierThresholds: TierThresholds{Head: 1e6, Waist: 1e5, Tail: 1e4}},
	}
}

func defaultGeneration() *CreatorGeneration {
	return &CreatorGeneration{
		Tiers:         TierMap[float64]{Head: 0.005, Waist: 0.045, Tail: 0.25, KOC: 0.7},
		FollowerAlpha: 1.5,
		Quality:       MeanSD{Mean: 0.5, SD: 0.15},
		LiveSkill:     MeanSD{Mean: 0.5, SD: 0.2},
		Capacity: TierMap[FormatMap[float64]]{
			Head:  FormatMap[float64]{ShortVideo: 3, Live: 2, Post: 2, Storefront: 20},
			Waist: FormatMap[float64]{ShortVideo: 4, Live: 2, Post: 3, Storefront: 20},
			Tail:  FormatMap[float64]{ShortVideo: 5, Live: 1, Post: 3, Storefront: 10},
			KOC:   FormatMap[float64]{ShortVideo: 3, Live: 1, Post: 2, Storefront: 5},
		},
		RateCard:         RateCard{K: 0.05, B: 1.0},
		Commission:       0.2,
		ReservationRatio: 0.8,
	}
}

// newDefault returns a pointer to the default value of a t about to be
// decoded from n (list elements and pointer targets). Consumer groups and
// creator types whose id names a default start from that default.
func newDefault(t reflect.Type, n *yaml.Node) reflect.Value {
	p := reflect.New(t)
	var v any
	switch t {
	case reflect.TypeOf(ConsumerGroup{}):
		id := elemID(t, n)
		for _, g := range defaultGroups() {
			if g.ID == id {
				v = g
			}
		}
	case reflect.TypeOf(CreatorType{}):
		id := elemID(t, n)
		for _, ct := range defaultCreatorTypes() {
			if ct.ID == id {
				v = ct
			}
		}
	case reflect.TypeOf(CreatorGeneration{}):
		v = *defaultGeneration()
	case reflect.TypeOf(Merchant{}):
		v = Merchant{
			Budget:   Budget{Pacing: "even", StageWeights: ProductStageMap{Launch: 1, Growth: 1.5, Maturity: 1, Decline: 0.5}},
			LiveRoom: LiveRoom{Quality: 0.5},
			Strategy: Strategy{ReplanDays: 7},
		}
	case reflect.TypeOf(Product{}):
		v = Product{Margin: 0.4, RefundRate: 0.1}
	case reflect.TypeOf(MatrixEntry{}):
		v = MatrixEntry{Stage: "any", Contract: "fee_cps", Partners: "new", Posts: 1}
	case reflect.TypeOf(TaskTerms{}):
		v = TaskTerms{EcommerceShare: 0.3}
	case reflect.TypeOf(RosterEntry{}):
		v = RosterEntry{Stage: "any", Contract: "fee_cps", Posts: 1}
	case reflect.TypeOf(Campaign{}):
		v = Campaign{TrafficMultiplier: 1}
	case reflect.TypeOf(Trend{}):
		v = Trend{Mixing: "full", Potential: 0.3, SubmissionsPerDay: 6, FadeDays: 10, Connect: 0.1, Boost: 1.5}
	case reflect.TypeOf(Optimize{}):
		v = Optimize{Objective: "gmv", Method: "cmaes", Evals: 200, Replications: 2, Confidence: 0.95}
	case reflect.TypeOf(Sweep{}):
		v = Sweep{Design: "grid"}
	}
	if v != nil {
		p.Elem().Set(reflect.ValueOf(v))
	}
	return p
}

// requiredFields lists, per type, the fields a scenario must set (unless a
// default element supplies them, as for a default consumer group).
var requiredFields = map[reflect.Type][]string{
	reflect.TypeOf(Scenario{}):          {"name", "horizon_days", "population", "merchants"},
	reflect.TypeOf(Population{}):        {"users"},
	reflect.TypeOf(ConsumerGroup{}):     {"id", "share", "activity", "price_sensitivity", "spending_level"},
	reflect.TypeOf(CreatorType{}):       {"id", "effectiveness"},
	reflect.TypeOf(CreatorGeneration{}): {"count"},
	reflect.TypeOf(Merchant{}):          {"id"},
	reflect.TypeOf(Product{}):           {"id", "price"},
	reflect.TypeOf(ProductBass{}):       {"p", "q"},
	reflect.TypeOf(MatrixEntry{}):       {"type", "tier", "format", "count"},
	reflect.TypeOf(TaskTerms{}):         {"budget"},
	reflect.TypeOf(RosterEntry{}):       {"creator", "format"},
	reflect.TypeOf(Partners{}):          {"type", "tier", "count"},
	reflect.TypeOf(Campaign{}):          {"id", "window"},
	reflect.TypeOf(Trend{}):             {"id", "start_day", "p", "q"},
	reflect.TypeOf(Variant{}):           {"name", "set"},
	reflect.TypeOf(Optimize{}):          {"merchant", "decide"},
	reflect.TypeOf(KPITarget{}):         {"kpi", "at_least"},
	reflect.TypeOf(Decision{}):          {"path", "max"},
}
