package sim

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim/mechanisms"
)

// This file is the compile step: a validated scenario becomes the engine's
// own model — dense indices instead of string ids, typed enumerations
// instead of strings, arrays instead of per-field switches — once, before
// any world is built. The engine (world construction, re-plans, the daily
// step) reads only the compiled model; a scenario that cannot be compiled
// cannot run.

// Model is a compiled scenario: the baseline and each variant, validated and
// resolved to indices, ready to run with [RunModel]. A Model is immutable
// and safe for concurrent use; it shares no memory with the scenario it was
// compiled from.
type Model struct {
	name     string
	hash     string
	seed     uint64
	reps     int
	horizon  int
	warmup   int
	currency string
	scale    float64
	variants []*config // [0] is the baseline
}

// Compile validates sc (scenarios.Validate: a loaded scenario has its
// defaults; one built in Go must set every field a run needs) and compiles
// the baseline and every variant. Any problem — a failed validation, a
// variant that does not apply, an enumeration or reference the engine does
// not know — is returned as an error; nothing is silently mapped to a
// default.
func Compile(sc *scenarios.Scenario) (*Model, error) {
	return compile(sc, true)
}

// compile is Compile; hash false leaves the scenario hash out (Run with
// Options.ScenarioHash).
func compile(sc *scenarios.Scenario, hash bool) (*Model, error) {
	if sc == nil {
		return nil, fmt.Errorf("sim: nil scenario")
	}
	if err := scenarios.Validate(sc); err != nil {
		return nil, fmt.Errorf("sim: scenario %q is not valid: %w", sc.Name, err)
	}
	m := &Model{name: sc.Name, seed: sc.Seed, reps: max(1, sc.Replications), horizon: sc.HorizonDays,
		warmup: sc.WarmupDays, currency: sc.Currency, scale: sc.Scale}
	if hash {
		m.hash = scenarios.Hash(sc)
	}
	base, err := compileVariant(sc, "baseline", "")
	if err != nil {
		return nil, err
	}
	m.variants = append(m.variants, base)
	for _, v := range sc.Variants {
		vs, err := scenarios.ApplyVariant(sc, v)
		if err != nil {
			return nil, fmt.Errorf("sim: variant %q: %w", v.Name, err)
		}
		c, err := compileVariant(vs, v.Name, v.Description)
		if err != nil {
			return nil, fmt.Errorf("sim: variant %q: %w", v.Name, err)
		}
		m.variants = append(m.variants, c)
	}
	return m, nil
}

// Name is the scenario's name.
func (m *Model) Name() string { return m.name }

// Variants returns the names of the compiled variants, the baseline first.
func (m *Model) Variants() []string {
	out := make([]string, len(m.variants))
	for i, v := range m.variants {
		out[i] = v.name
	}
	return out
}

// config is one variant's compiled configuration.
type config struct {
	name, desc     string
	seed           uint64
	warmup         int
	horizon        int
	scale          float64
	users          int
	followsPerUser float64
	// plat holds the platform's numeric parameters (the block has no
	// strings); the per-format, per-stage and per-transition values are
	// also compiled into the arrays below.
	plat        scenarios.Platform
	formats     [numFormats]scenarios.FormatParams
	baseRates   [5]float64 // by transition O→A1 … A4→A5
	stageDemand [numProductStages]float64
	organic     [6]float64 // own-account organic rate by funnel stage (0 at O)
	decay       [6]int     // decay window in days by funnel stage (0 at O)
	dayBase     int
	activity    [5]float64 // lifecycle activity: new, active, loyal, at risk, churned

	groups     []groupCfg
	types      []typeCfg
	thresholds scenarios.TierThresholds
	gen        *genCfg // nil: no generated creators
	fee        feeModel
	roster     []rosterCfg
	merchants  []merchantCfg
	nProducts  int
	trends     []trendCfg
	campaigns  []campaignCfg
	// followGraph: some trend spreads along the creators' follow graph.
	followGraph bool

	// ids for the breakdown keys and series names of the outputs
	merchantIDs, typeIDs, groupIDs, trendIDs, campaignIDs []string

	mem     uint64 // EstimateMemory of the variant
	memTerm string // dominantMemoryTerm of the variant
	memName string
}

const numProductStages = 4

type groupCfg struct {
	share, activity, priceSens, spending float64
}

type typeCfg struct {
	affinity      []float64 // per consumer group (1 where the type lists none)
	effectiveness [5]float64
}

// genCfg is the generation of creators.
type genCfg struct {
	count      int
	tierShares [numTiers]float64
	typeW      []float64 // per creator type
	alpha      float64   // follower Pareto exponent (≥ 0.05)
	quality    scenarios.MeanSD
	liveSkill  scenarios.MeanSD
	capacity   [numTiers][numFormats]float64
	commission float64
}

// feeModel is the creators' fee model: a roster creator's fee is its own;
// a generated creator's is the scenario's rate card ([scenarios.RateCard.Fee],
// the one formula the scenario's warnings use too), and its reservation
// income resRatio × its fee.
type feeModel struct {
	card     scenarios.RateCard
	resRatio float64
}

// rateCard is the fee of a generated creator with the given followers.
func (f feeModel) rateCard(followers float64) float64 { return f.card.Fee(followers) }

type rosterCfg struct {
	id                           string
	typ                          uint8
	followers, quality, skill    float64
	capacity                     [numFormats]float64
	fee, commission, reservation float64
}

// Pacing of a budget over the KPI days.
type pacing uint8

const (
	paceEven pacing = iota
	paceFrontLoaded
	paceByStage
)

// Matrix entries' partner rule.
type partnerRule uint8

const (
	partnersAny partnerRule = iota
	partnersExisting
	partnersNew
)

type productCfg struct {
	price, margin, refundRate float64
	cycle                     int
	fixedStage                int                      // product stage index, −1: from bass or maturity
	bass                      *mechanisms.ProductCurve // nil: none
}

type partnerCfg struct {
	typ, tier int
	count     int
	trust     float64
}

// entryCfg is a compiled creator-matrix entry.
type entryCfg struct {
	product           int // index among the merchant's products
	stage             int // product stage it applies in, −1: any
	typ, tier, format int
	contract          int
	count, posts      int
	// rate, when > 0, replaces count by a fractional number of
	// cooperations per re-plan: the entry's n-th active re-plan books
	// ⌊(n+1)·rate + ½⌋ − ⌊n·rate + ½⌋ (0.5: one on every second re-plan,
	// starting with the first). The scenario language has integer counts;
	// the creator-fee response test (sim/stylized_test.go) sets it to scale
	// every cell by the same factor, which integer rounding cannot.
	rate                  float64
	partners              partnerRule
	hasTask               bool
	taskBudget, taskShare float64
}

// rosterEntryCfg is a compiled roster cooperation.
type rosterEntryCfg struct {
	creator                 int32
	product, stage          int // stage −1: any
	format, contract, posts int
}

type merchantCfg struct {
	products        []productCfg
	replan          int
	creatorFees     float64
	paidTraffic     float64
	campaignsBudget float64
	pacing          pacing
	stageWeights    [numProductStages]float64
	paidDaily       float64
	groupMask       []bool
	stageMask       uint8
	funnel          [6]float64 // initial share by stage (0 at O)
	partners        []partnerCfg
	liveQuality     float64
	liveHours       float64
	matrix          []entryCfg
	roster          []rosterEntryCfg
}

// trendCfg is a compiled trend (the scenario's numbers, riders as merchants).
type trendCfg struct {
	StartDay          int
	P, Q, Potential   float64
	SubmissionsPerDay float64
	FadeDays          float64
	Connect, Boost    float64
	followGraph       bool
	riders            []bool // per merchant
}

// campaignCfg is a compiled campaign.
type campaignCfg struct {
	window           [2]int
	first            int // first KPI day it may apply (window start, at least 1)
	fee              float64
	discount         float64
	traffic          float64
	uplift           float64
	merchants        []int   // eligible merchants, in the scenario's order
	products         []int32 // eligible products (global indices)
	types            []int8  // eligible creator types
	tiers            []int8  // eligible creator tiers
	restrictProducts bool
	restrictTypes    bool
	restrictTiers    bool
}

// compileErr collects compile errors of one variant.
type compileErr struct{ msgs []string }

func (e *compileErr) add(path, msg, got string, allowed []string) {
	s := path + ": " + msg
	if got != "" {
		s += " (got " + strconv.Quote(got)
		if len(allowed) > 0 {
			s += ", allowed " + fmt.Sprint(allowed)
		}
		s += ")"
	}
	e.msgs = append(e.msgs, s)
}

// enum returns the index of s in allowed, or records an error and returns 0.
func (e *compileErr) enum(path, what, s string, allowed []string) int {
	if i := slices.Index(allowed, s); i >= 0 {
		return i
	}
	e.add(path, "unknown "+what, s, allowed)
	return 0
}

// compileVariant compiles one validated variant scenario.
func compileVariant(sc *scenarios.Scenario, name, desc string) (*config, error) {
	ce := &compileErr{}
	c := &config{name: name, desc: desc, seed: sc.Seed, warmup: sc.WarmupDays, horizon: sc.HorizonDays,
		scale: sc.Scale, users: sc.Population.Users, followsPerUser: sc.Population.FollowsPerUser,
		plat: sc.Platform, thresholds: sc.Creators.TierThresholds}
	c.compilePlatform()
	groups := c.compileGroups(sc)
	types := c.compileTypes(sc, groups)
	c.compileCreators(sc, types, ce)
	merchants := c.compileMerchants(sc, groups, types, ce)
	c.compileTrends(sc, merchants, ce)
	c.compileCampaigns(sc, merchants, types, ce)
	if len(ce.msgs) == 0 {
		c.checkCampaignTable(ce)
	}
	if len(ce.msgs) > 0 {
		return nil, fmt.Errorf("sim: cannot compile scenario %q: %s", sc.Name, joinLines(ce.msgs))
	}
	c.mem = EstimateMemory(sc)
	c.memTerm = dominantMemoryTerm(sc)
	c.memName = sc.Name
	return c, nil
}

func joinLines(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}

// compilePlatform turns the platform's per-field maps into arrays.
func (c *config) compilePlatform() {
	p := &c.plat
	f := p.Formats
	c.formats = [numFormats]scenarios.FormatParams{f.ShortVideo, f.Live, f.Post, f.Storefront}
	b := p.BaseRates
	c.baseRates = [5]float64{b.OA1, b.A1A2, b.A2A3, b.A3A4, b.A4A5}
	c.stageDemand = stageMap(p.StageDemand)
	c.organic = stageArray(p.Organic)
	c.decay, c.dayBase = decayOf(p)
	la := p.Customers.Activity
	c.activity = [5]float64{la.New, la.Active, la.Loyal, la.AtRisk, la.Churned}
}

// decayOf returns the decay windows of stages A1..A5 in whole days and the
// day code of sim day 0: initial touches lie up to the longest decay window
// before it, and code 0 means "never".
func decayOf(p *scenarios.Platform) (decay [6]int, dayBase int) {
	dd := stageArray(p.DecayDays)
	maxDecay := 0
	for s := 1; s <= 5; s++ {
		decay[s] = max(1, int(math.Round(dd[s])))
		maxDecay = max(maxDecay, decay[s])
	}
	return decay, maxDecay + 2
}

func stageMap(m scenarios.ProductStageMap) [numProductStages]float64 {
	return [numProductStages]float64{m.Launch, m.Growth, m.Maturity, m.Decline}
}

func stageArray(v scenarios.StageValues) [6]float64 {
	return [6]float64{0, v.A1, v.A2, v.A3, v.A4, v.A5}
}

func formatArray(m scenarios.FormatMap[float64]) [numFormats]float64 {
	return [numFormats]float64{m.ShortVideo, m.Live, m.Post, m.Storefront}
}

// compileGroups compiles the consumer groups and returns their indices.
func (c *config) compileGroups(sc *scenarios.Scenario) map[string]int {
	idx := make(map[string]int, len(sc.Population.Groups))
	for g, grp := range sc.Population.Groups {
		idx[grp.ID] = g
		c.groupIDs = append(c.groupIDs, grp.ID)
		c.groups = append(c.groups, groupCfg{share: grp.Share, activity: grp.Activity,
			priceSens: grp.PriceSensitivity, spending: grp.SpendingLevel})
	}
	return idx
}

// compileTypes compiles the creator types and returns their indices.
func (c *config) compileTypes(sc *scenarios.Scenario, groups map[string]int) map[string]int {
	idx := make(map[string]int, len(sc.CreatorTypes))
	for t, ct := range sc.CreatorTypes {
		idx[ct.ID] = t
		c.typeIDs = append(c.typeIDs, ct.ID)
		tc := typeCfg{affinity: make([]float64, len(sc.Population.Groups))}
		for g, grp := range sc.Population.Groups {
			a, ok := ct.Affinity[grp.ID]
			if !ok {
				a = 1
			}
			tc.affinity[g] = a
		}
		e := ct.Effectiveness
		tc.effectiveness = [5]float64{e.OA1, e.A1A2, e.A2A3, e.A3A4, e.A4A5}
		c.types = append(c.types, tc)
	}
	_ = groups
	return idx
}

// ref returns the index of id in idx, or records an error.
func (e *compileErr) ref(path, what, id string, idx map[string]int) int {
	if i, ok := idx[id]; ok {
		return i
	}
	e.add(path, "unknown "+what, id, nil)
	return 0
}

// compileCreators compiles the generation of creators, the fee model and
// the roster.
func (c *config) compileCreators(sc *scenarios.Scenario, types map[string]int, ce *compileErr) {
	if g := sc.Creators.Generate; g != nil {
		gc := &genCfg{count: g.Count, tierShares: [numTiers]float64{g.Tiers.Head, g.Tiers.Waist, g.Tiers.Tail, g.Tiers.KOC},
			typeW: make([]float64, len(sc.CreatorTypes)), alpha: math.Max(g.FollowerAlpha, 0.05),
			quality: g.Quality, liveSkill: g.LiveSkill, commission: g.Commission}
		for t, ct := range sc.CreatorTypes {
			if len(g.Types) == 0 {
				gc.typeW[t] = 1
			} else {
				gc.typeW[t] = g.Types[ct.ID]
			}
		}
		for id := range g.Types {
			if _, ok := types[id]; !ok {
				ce.add("creators.generate.types."+id, "unknown creator type", id, nil)
			}
		}
		caps := [numTiers]scenarios.FormatMap[float64]{g.Capacity.Head, g.Capacity.Waist, g.Capacity.Tail, g.Capacity.KOC}
		for t := range caps {
			gc.capacity[t] = formatArray(caps[t])
		}
		c.gen = gc
		c.fee = feeModel{card: g.RateCard, resRatio: g.ReservationRatio}
	}
	for i, rc := range sc.Creators.RosterCreators {
		c.roster = append(c.roster, rosterCfg{id: rc.ID,
			typ:       uint8(ce.ref(fmt.Sprintf("creators.roster.%d.type", i), "creator type", rc.Type, types)),
			followers: rc.Followers, quality: rc.Quality, skill: rc.LiveSkill, capacity: formatArray(rc.Capacity),
			fee: rc.Fee, commission: rc.Commission, reservation: rc.ReservationIncome})
	}
	for _, t := range sc.Trends {
		if t.Mixing == "follow_graph" {
			c.followGraph = true
		}
	}
}

// stageOf compiles a product-stage rule: "any" (or, where allowed, empty)
// is −1.
func (e *compileErr) stageOf(path, s string, emptyIsAny bool) int {
	if s == "any" || (s == "" && emptyIsAny) {
		return -1
	}
	return e.enum(path, "product stage", s, scenarios.ProductStages())
}

// compileMerchants compiles the merchants: products, budgets, targeting,
// initial state and the strategy's matrix and roster. It returns the
// merchants' indices.
func (c *config) compileMerchants(sc *scenarios.Scenario, groups, types map[string]int, ce *compileErr) map[string]int {
	merchants := make(map[string]int, len(sc.Merchants))
	rosterIdx := make(map[string]int, len(c.roster))
	for i, r := range c.roster {
		rosterIdx[r.id] = i
	}
	for mi := range sc.Merchants {
		ms := &sc.Merchants[mi]
		mp := "merchants." + ms.ID
		c.merchantIDs = append(c.merchantIDs, ms.ID)
		merchants[ms.ID] = mi
		mc := merchantCfg{replan: max(1, ms.Strategy.ReplanDays), creatorFees: ms.Budget.CreatorFees,
			paidTraffic: ms.Budget.PaidTraffic, campaignsBudget: ms.Budget.Campaigns,
			stageWeights: stageMap(ms.Budget.StageWeights), paidDaily: ms.Strategy.PaidTraffic.Daily,
			funnel: stageArray(ms.Initial.Funnel), liveQuality: ms.LiveRoom.Quality, liveHours: ms.LiveRoom.HoursPerDay}
		switch ms.Budget.Pacing {
		case "even", "":
			mc.pacing = paceEven
		case "front_loaded":
			mc.pacing = paceFrontLoaded
		case "by_stage":
			mc.pacing = paceByStage
		default:
			ce.add(mp+".budget.pacing", "unknown pacing", ms.Budget.Pacing, []string{"even", "front_loaded", "by_stage"})
		}
		products := make(map[string]int, len(ms.Products))
		for pi, pr := range ms.Products {
			products[pr.ID] = pi
			p := productCfg{price: pr.Price, margin: pr.Margin, refundRate: pr.RefundRate,
				cycle: max(1, sc.Platform.RepurchaseCycleDays), fixedStage: -1}
			if pr.RepurchaseCycleDays > 0 {
				p.cycle = pr.RepurchaseCycleDays
			}
			if pr.Stage != "" {
				p.fixedStage = ce.enum(mp+".products."+pr.ID+".stage", "product stage", pr.Stage, scenarios.ProductStages())
			} else if pr.Bass != nil {
				p.bass = &mechanisms.ProductCurve{P: pr.Bass.P, Q: pr.Bass.Q, StartF: pr.Bass.StartF}
			}
			mc.products = append(mc.products, p)
		}
		c.nProducts += len(ms.Products)
		product := func(path, id string) int {
			if id == "" {
				return 0
			}
			return ce.ref(path, "product of "+ms.ID, id, products)
		}
		tg := ms.Strategy.PaidTraffic.Target
		mc.groupMask = make([]bool, len(c.groups))
		for g := range mc.groupMask {
			mc.groupMask[g] = len(tg.Groups) == 0
		}
		for i, id := range tg.Groups {
			mc.groupMask[ce.ref(fmt.Sprintf("%s.strategy.paid_traffic.target.groups.%d", mp, i), "consumer group", id, groups)] = true
		}
		if len(tg.Stages) == 0 {
			mc.stageMask = 0x3f
		}
		for i, s := range tg.Stages {
			mc.stageMask |= 1 << ce.enum(fmt.Sprintf("%s.strategy.paid_traffic.target.stages.%d", mp, i), "funnel stage", s, scenarios.FunnelStages())
		}
		for i, pt := range ms.Initial.Partners {
			pp := fmt.Sprintf("%s.initial.partners.%d", mp, i)
			mc.partners = append(mc.partners, partnerCfg{typ: ce.ref(pp+".type", "creator type", pt.Type, types),
				tier: ce.enum(pp+".tier", "tier", pt.Tier, scenarios.Tiers()), count: pt.Count, trust: pt.Trust})
		}
		for _, e := range ms.Strategy.Matrix {
			ep := mp + ".strategy.matrix." + e.ID
			ec := entryCfg{product: product(ep+".product", e.Product), stage: ce.stageOf(ep+".stage", e.Stage, false),
				typ: ce.ref(ep+".type", "creator type", e.Type, types), tier: ce.enum(ep+".tier", "tier", e.Tier, scenarios.Tiers()),
				format: ce.enum(ep+".format", "format", e.Format, scenarios.Formats()), contract: ce.enum(ep+".contract", "contract kind", e.Contract, scenarios.ContractKinds()),
				count: e.Count, posts: max(1, e.Posts)}
			switch e.Partners {
			case "existing":
				ec.partners = partnersExisting
			case "new":
				ec.partners = partnersNew
			case "":
				ec.partners = partnersAny
			default:
				ce.add(ep+".partners", "unknown partner rule", e.Partners, []string{"existing", "new"})
			}
			if e.Task != nil {
				ec.hasTask, ec.taskBudget, ec.taskShare = true, e.Task.Budget, e.Task.EcommerceShare
			}
			mc.matrix = append(mc.matrix, ec)
		}
		for i, e := range ms.Strategy.Roster {
			ep := fmt.Sprintf("%s.strategy.roster.%d", mp, i)
			mc.roster = append(mc.roster, rosterEntryCfg{creator: int32(ce.ref(ep+".creator", "roster creator", e.Creator, rosterIdx)),
				product: product(ep+".product", e.Product), stage: ce.stageOf(ep+".stage", e.Stage, true),
				format:   ce.enum(ep+".format", "format", e.Format, scenarios.Formats()),
				contract: ce.enum(ep+".contract", "contract kind", e.Contract, scenarios.ContractKinds()), posts: max(1, e.Posts)})
		}
		if len(ms.Products) == 0 && (len(mc.matrix) > 0 || len(mc.roster) > 0) {
			mc.matrix, mc.roster = nil, nil // nothing to promote: never re-plans
		}
		c.merchants = append(c.merchants, mc)
	}
	return merchants
}

// compileTrends compiles the trends.
func (c *config) compileTrends(sc *scenarios.Scenario, merchants map[string]int, ce *compileErr) {
	for _, t := range sc.Trends {
		tp := "trends." + t.ID
		c.trendIDs = append(c.trendIDs, t.ID)
		tc := trendCfg{StartDay: t.StartDay, P: t.P, Q: t.Q, Potential: t.Potential, SubmissionsPerDay: t.SubmissionsPerDay,
			FadeDays: t.FadeDays, Connect: t.Connect, Boost: t.Boost, riders: make([]bool, len(c.merchants))}
		switch t.Mixing {
		case "full", "":
		case "follow_graph":
			tc.followGraph = true
		default:
			ce.add(tp+".mixing", "unknown mixing", t.Mixing, []string{"full", "follow_graph"})
		}
		for i, id := range t.Riders {
			tc.riders[ce.ref(fmt.Sprintf("%s.riders.%d", tp, i), "merchant", id, merchants)] = true
		}
		c.trends = append(c.trends, tc)
	}
}

// compileCampaigns compiles the campaigns' terms and eligibility.
func (c *config) compileCampaigns(sc *scenarios.Scenario, merchants, types map[string]int, ce *compileErr) {
	for _, cp := range sc.Campaigns {
		path := "campaigns." + cp.ID
		c.campaignIDs = append(c.campaignIDs, cp.ID)
		cc := campaignCfg{window: cp.Window, first: max(cp.Window[0], 1), fee: cp.Fee, discount: cp.Discount,
			traffic: cp.TrafficMultiplier, uplift: cp.ConversionUplift,
			restrictProducts: len(cp.Eligible.Products) > 0, restrictTypes: len(cp.Eligible.CreatorTypes) > 0,
			restrictTiers: len(cp.Eligible.CreatorTiers) > 0}
		for i, id := range cp.Eligible.Merchants {
			cc.merchants = append(cc.merchants, ce.ref(fmt.Sprintf("%s.eligible.merchants.%d", path, i), "merchant", id, merchants))
		}
		gp := int32(0)
		for _, m := range sc.Merchants {
			for _, pr := range m.Products {
				if slices.Contains(cp.Eligible.Products, pr.ID) {
					cc.products = append(cc.products, gp)
				}
				gp++
			}
		}
		for t, ct := range sc.CreatorTypes {
			if slices.Contains(cp.Eligible.CreatorTypes, ct.ID) {
				cc.types = append(cc.types, int8(t))
			}
		}
		for i, id := range cp.Eligible.CreatorTiers {
			cc.tiers = append(cc.tiers, int8(ce.enum(fmt.Sprintf("%s.eligible.creator_tiers.%d", path, i), "tier", id, scenarios.Tiers())))
		}
		c.campaigns = append(c.campaigns, cc)
	}
}

// checkCampaignTable builds the campaign table every world builds a subset
// of (each campaign open to every merchant), so that what
// mechanisms.NewCampaignTable refuses — more creator types or campaigns
// than it indexes, a window spanning too many days — is a compile error,
// not a failure inside a run.
func (c *config) checkCampaignTable(ce *compileErr) {
	if len(c.campaigns) == 0 {
		return
	}
	var productMerchant []int32
	for m := range c.merchants {
		for range c.merchants[m].products {
			productMerchant = append(productMerchant, int32(m))
		}
	}
	all := make([]int32, len(c.merchants))
	for m := range all {
		all[m] = int32(m)
	}
	specs := make([]mechanisms.CampaignSpec, len(c.campaigns))
	for j := range c.campaigns {
		cp := &c.campaigns[j]
		specs[j] = mechanisms.CampaignSpec{First: cp.first, Last: max(cp.window[1], cp.first), Merchants: all,
			Products: cp.products, CreatorTypes: cp.types, CreatorTiers: cp.tiers,
			Discount: cp.discount, TrafficMultiplier: cp.traffic, ConversionUplift: cp.uplift}
	}
	if _, err := mechanisms.NewCampaignTable(specs, productMerchant, len(c.types), numTiers); err != nil {
		ce.add("campaigns", err.Error(), "", nil)
	}
}

// tierOfFollowers maps real followers to a tier.
func tierOfFollowers(th *scenarios.TierThresholds, followers float64) uint8 {
	return uint8(th.TierIndex(followers))
}

// MeanFee is the baseline's expected fee of one cooperation with a creator
// of the tier and creator type (ids as in the scenario; type "" is any
// type), by the engine's fee model: with generated creators the rate card
// k·followers^b averaged over the tier's truncated Pareto followers; with
// roster creators only, the mean roster fee of the tier and type. It is 0
// when there is no creator to average over; an unknown tier or type is an
// error.
func (m *Model) MeanFee(tier, creatorType string) (float64, error) {
	c := m.variants[0]
	t := slices.Index(scenarios.Tiers(), tier)
	if t < 0 {
		return 0, fmt.Errorf("sim: unknown tier %q (allowed %v)", tier, scenarios.Tiers())
	}
	typ := -1
	if creatorType != "" {
		if typ = slices.Index(c.typeIDs, creatorType); typ < 0 {
			return 0, fmt.Errorf("sim: unknown creator type %q (allowed %v)", creatorType, c.typeIDs)
		}
	}
	if g := c.gen; g != nil && g.count > 0 {
		lo, hi := c.thresholds.FollowerRange(t)
		return c.fee.card.K * truncParetoMoment(lo, hi, g.alpha, c.fee.card.B), nil
	}
	sum, n := 0.0, 0
	for _, r := range c.roster {
		if typ >= 0 && int(r.typ) != typ {
			continue
		}
		if int(tierOfFollowers(&c.thresholds, r.followers)) == t {
			sum += r.fee
			n++
		}
	}
	if n == 0 {
		return 0, nil
	}
	return sum / float64(n), nil
}

// truncParetoMoment is E[X^b] for X Pareto(α) truncated to [a, c]: density
// α a^α x^(−α−1) / (1 − (a/c)^α).
func truncParetoMoment(a, c, alpha, b float64) float64 {
	if c <= a {
		return math.Pow(a, b)
	}
	z := 1 - math.Pow(a/c, alpha)
	k := alpha * math.Pow(a, alpha) / z
	e := b - alpha
	if math.Abs(e) < 1e-12 {
		return k * math.Log(c/a)
	}
	return k * (math.Pow(c, e) - math.Pow(a, e)) / e
}
