package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Validation rules (Validate checks all of them and reports every failure):
//
//   - Ranges: each numeric field's range is in fieldRules below (and in the
//     JSON Schema): probabilities and shares in [0, 1]; money, rates,
//     multipliers and counts ≥ 0; day counts ≥ 1 where a zero would be
//     meaningless; price_sensitivity in [0, 3]; discount in [0, 0.9].
//   - Enumerations: stage, tier, format, contract, partners, pacing, mixing,
//     objective, method, mode and funnel stages take the listed values.
//   - Shares sum to 1 within 1e-6: population.groups[*].share,
//     creators.generate.tiers, creators.generate.types (when given). The
//     initial funnel of a merchant sums to at most 1.
//   - Days: windows and start days inside the horizon: campaign windows
//     within [1, horizon_days] with first ≤ last; trend start_day within
//     [1 - warmup_days, horizon_days].
//   - Ids: non-empty, unique within their list, without '.', '=' or white
//     space (so that paths can name them).
//   - References resolve: matrix type/tier/format/contract/stage/product,
//     partners type/tier, roster entries' creators, campaign eligible
//     merchants/products/creator types/tiers, trend riders, paid-traffic
//     target groups and stages, creators.generate.types keys, creator type
//     affinity keys, roster CSV types, optimize.merchant, decision and sweep
//     paths (must name a numeric field), variant set paths (must set and
//     validate on a copy).
//   - Creators: generate or a roster (or both); tier thresholds strictly
//     decreasing head > waist > tail > 0.
//   - A product has a stage or a bass curve, not both; task terms are given
//     exactly for task contracts; optimize.target is given exactly for the
//     spend objective.

// rule is the allowed range or values of one field.
type rule struct {
	min, max         float64
	hasMin, hasMax   bool
	exclusiveMin     bool
	enum             []string
	allowEmptyString bool
}

func rng(lo, hi float64) rule   { return rule{min: lo, max: hi, hasMin: true, hasMax: true} }
func atLeast(lo float64) rule   { return rule{min: lo, hasMin: true} }
func positive() rule            { return rule{min: 0, hasMin: true, exclusiveMin: true} }
func oneOf(vals ...string) rule { return rule{enum: vals} }

var (
	prob    = rng(0, 1)
	nonNeg  = atLeast(0)
	dayMin1 = rng(1, 3650)
)

func (r rule) allowed() string {
	if len(r.enum) > 0 {
		return strings.Join(r.enum, ", ")
	}
	lo, hi := "", ""
	if r.hasMin {
		lo = "[" + fmtNum(r.min)
		if r.exclusiveMin {
			lo = "(" + fmtNum(r.min)
		}
	}
	if r.hasMax {
		hi = fmtNum(r.max) + "]"
	}
	switch {
	case r.hasMin && r.hasMax:
		return lo + ", " + hi
	case r.hasMin && r.exclusiveMin:
		return "> " + fmtNum(r.min)
	case r.hasMin:
		return "≥ " + fmtNum(r.min)
	case r.hasMax:
		return "≤ " + fmtNum(r.max)
	}
	return ""
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func withEmpty(r rule) rule { r.allowEmptyString = true; return r }

// fieldRules: type → yaml field name → rule. "*" applies to every field of
// the type (maps: to every value).
var fieldRules = map[reflect.Type]map[string]rule{
	reflect.TypeOf(Scenario{}): {"horizon_days": dayMin1, "warmup_days": rng(0, 3650),
		"replications": rng(1, 100000), "scale": positive()},
	reflect.TypeOf(Platform{}): {"frequency_cap": rng(0, 1000), "paid_attention": prob, "trust_per_cooperation": prob, "impressions_per_active_user": rng(0, 1000), "follow_share": prob, "cpm": nonNeg,
		"impulse_rate": prob, "refund_delay_days": rng(0, 3650), "repurchase_cycle_days": dayMin1,
		"trust_uplift": nonNeg, "novelty_reach": nonNeg, "background_content": nonNeg},
	reflect.TypeOf(Ranking{}):           {"*": rng(0, 10)},
	reflect.TypeOf(Exposure{}):          {"effective_frequency": rng(0, 1000), "wearout": rng(0, 100), "memory_days": rng(0, 10000)},
	reflect.TypeOf(Transitions{}):       {"*": nonNeg},
	reflect.TypeOf(StageValues{}):       {"*": nonNeg},
	reflect.TypeOf(FormatParams{}):      {"reach": nonNeg, "conversion": nonNeg, "lifetime_days": dayMin1},
	reflect.TypeOf(ProductStageMap{}):   {"*": nonNeg},
	reflect.TypeOf(CustomerLifecycle{}): {"active_after_days": dayMin1, "loyal_after_orders": rng(1, 1000), "at_risk_after_days": dayMin1, "churn_after_days": dayMin1},
	reflect.TypeOf(LifecycleActivity{}): {"*": nonNeg, "churned": prob},
	reflect.TypeOf(CreatorGrowth{}): {"follow_per_engagement": prob, "rising_after_days": dayMin1,
		"established_followers": nonNeg, "established_after_days": rng(0, 10000), "dormant_after_days": dayMin1},
	reflect.TypeOf(Linkage{}):        {"window_days": dayMin1, "exposure_boost": nonNeg, "conversion_uplift": nonNeg, "seeding_credit": prob},
	reflect.TypeOf(Population{}):     {"users": rng(1, 200_000_000), "follows_per_user": rng(0, 10000)},
	reflect.TypeOf(ConsumerGroup{}):  {"share": prob, "activity": prob, "price_sensitivity": rng(0, 3), "spending_level": positive()},
	reflect.TypeOf(TierThresholds{}): {"*": positive()},
	reflect.TypeOf(CreatorGeneration{}): {"count": rng(0, 100_000_000), "follower_alpha": positive(),
		"commission": prob, "reservation_ratio": nonNeg},
	reflect.TypeOf(TierMap[float64]{}):            {"*": prob},
	reflect.TypeOf(FormatMap[float64]{}):          {"*": rng(0, 1000)},
	reflect.TypeOf(MeanSD{}):                      {"mean": rng(0, 1), "sd": rng(0, 0.5)},
	reflect.TypeOf(RateCard{}):                    {"k": nonNeg, "b": rng(0, 2)},
	reflect.TypeOf(Product{}):                     {"repurchase_cycle_days": rng(0, 10000), "price": nonNeg, "margin": prob, "refund_rate": prob, "stage": withEmpty(oneOf(ProductStages()...))},
	reflect.TypeOf(ProductBass{}):                 {"p": prob, "q": rng(0, 10), "start_f": rng(0, 0.99)},
	reflect.TypeOf(Budget{}):                      {"creator_fees": nonNeg, "paid_traffic": nonNeg, "campaigns": nonNeg, "pacing": oneOf("even", "front_loaded", "by_stage")},
	reflect.TypeOf(LiveRoom{}):                    {"hours_per_day": rng(0, 24), "quality": prob},
	reflect.TypeOf(Partners{}):                    {"count": rng(0, 1_000_000), "trust": prob, "tier": oneOf(Tiers()...)},
	reflect.TypeOf(Strategy{}):                    {"replan_days": dayMin1},
	reflect.TypeOf(MatrixEntry{}):                 {"stage": oneOf(append([]string{"any"}, ProductStages()...)...), "tier": oneOf(Tiers()...), "format": oneOf(Formats()...), "count": rng(0, 1_000_000), "contract": oneOf(ContractKinds()...), "partners": oneOf("existing", "new"), "posts": rng(1, 1000)},
	reflect.TypeOf(TaskTerms{}):                   {"budget": nonNeg, "ecommerce_share": prob},
	reflect.TypeOf(RosterEntry{}):                 {"stage": oneOf(append([]string{"any"}, ProductStages()...)...), "format": oneOf(Formats()...), "contract": oneOf(ContractKinds()...), "posts": rng(1, 1000)},
	reflect.TypeOf(PaidTraffic{}):                 {"daily": nonNeg},
	reflect.TypeOf(Campaign{}):                    {"discount": rng(0, 0.9), "traffic_multiplier": nonNeg, "conversion_uplift": rng(-1, 100), "fee": nonNeg},
	reflect.TypeOf(Trend{}):                       {"p": prob, "q": rng(0, 10), "mixing": oneOf("full", "follow_graph"), "potential": prob, "submissions_per_day": rng(0, 100), "fade_days": rng(0, 10000), "connect": prob, "boost": nonNeg},
	reflect.TypeOf(Optimize{}):                    {"objective": oneOf("gmv", "profit", "new_customers", "roi", "spend"), "min_roi": nonNeg, "method": oneOf("cmaes", "discrete", "random", "neldermead"), "evals": rng(1, 10_000_000), "replications": rng(1, 100000), "confidence": rng(0.5, 0.9999)},
	reflect.TypeOf(KPITarget{}):                   {"kpi": oneOf("gmv", "profit", "new_customers", "roi", "orders", "buyers")},
	reflect.TypeOf(BudgetConstraint{}):            {"*": nonNeg},
	reflect.TypeOf(TierMap[FormatMap[float64]]{}): {},
}

// mapValueRules: rules for the values of map fields, by parent type and
// field name.
var mapValueRules = map[reflect.Type]map[string]rule{
	reflect.TypeOf(CreatorType{}):       {"affinity": rng(0, 100)},
	reflect.TypeOf(CreatorGeneration{}): {"types": prob},
}

var idRE = regexp.MustCompile(`^[^.=\s]+$`)
var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// posFor returns where the value at path was written, or the nearest
// enclosing field's position.
func (sc *Scenario) posFor(path string) Pos {
	for p := path; ; {
		if pos, ok := sc.pos[p]; ok {
			return pos
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	if pos, ok := sc.pos[""]; ok {
		return pos
	}
	return Pos{File: sc.file}
}

type validator struct {
	sc *Scenario
	c  errs
}

func (v *validator) fail(path, msg, got, allowed string) {
	v.c.add(v.sc.posFor(path), path, msg, got, allowed)
}

// Validate checks a scenario (after defaults) against every rule above and
// returns Errors listing all problems, or nil.
func Validate(sc *Scenario) error {
	v := &validator{sc: sc}
	v.ranges(reflect.ValueOf(sc).Elem(), make([]byte, 0, 128))
	v.semantics()
	v.question()
	return v.c.err()
}

// rangeField is one field of a struct type as ranges walks it: its rule
// (fieldRules, or the type's "*" rule), the rule of its map values, and
// whether its value can hold further fields.
type rangeField struct {
	name    string
	index   int
	rule    *rule
	mapRule *rule
	walk    bool
}

var rangeCache sync.Map // reflect.Type -> []rangeField

// rangeFields returns t's fields with their rules, computed once per type
// (fieldRules is complete once the package is initialised).
func rangeFields(t reflect.Type) []rangeField {
	if v, ok := rangeCache.Load(t); ok {
		return v.([]rangeField)
	}
	rules := fieldRules[t]
	var out []rangeField
	for _, f := range yamlFields(t) {
		rf := rangeField{name: f.name, index: f.index}
		if r, ok := rules[f.name]; ok {
			rf.rule = &r
		} else if r, ok := rules["*"]; ok {
			rf.rule = &r
		}
		ft := t.Field(f.index).Type
		switch ft.Kind() {
		case reflect.Map:
			if r, ok := mapValueRules[t][f.name]; ok {
				rf.mapRule = &r
			}
		case reflect.Pointer, reflect.Struct, reflect.Slice:
			rf.walk = f.name != "variants"
		}
		out = append(out, rf)
	}
	rangeCache.Store(t, out)
	return out
}

// appendSeg appends a path segment to path.
func appendSeg(path []byte, seg string) []byte {
	if len(path) > 0 {
		path = append(path, '.')
	}
	return append(path, seg...)
}

// ranges walks every field, checking fieldRules. The field's dotted path
// is built in one buffer (each level appends to its parent's bytes); a
// string is made of it only for a failure.
func (v *validator) ranges(val reflect.Value, path []byte) {
	switch val.Kind() {
	case reflect.Pointer:
		if !val.IsNil() {
			v.ranges(val.Elem(), path)
		}
	case reflect.Struct:
		for _, f := range rangeFields(val.Type()) {
			fv := val.Field(f.index)
			p := appendSeg(path, f.name)
			if f.rule != nil {
				v.check(fv, p, f.rule)
			}
			if f.mapRule != nil {
				v.mapValues(fv.Interface().(map[string]float64), p, f.mapRule)
			}
			if f.walk {
				v.ranges(fv, p)
			}
		}
	case reflect.Slice:
		var idx [20]byte
		for i := 0; i < val.Len(); i++ {
			e := val.Index(i)
			var p []byte
			if e.Kind() == reflect.Struct {
				if f, ok := fieldByName(e.Type(), "id"); ok && e.Field(f.index).String() != "" {
					p = appendSeg(path, e.Field(f.index).String())
				}
			}
			if p == nil {
				if len(path) > 0 {
					p = append(path, '.')
				}
				p = append(p, strconv.AppendInt(idx[:0], int64(i), 10)...)
			}
			v.ranges(e, p)
		}
	}
}

// mapValues checks every value of m against r, reporting in key order.
func (v *validator) mapValues(m map[string]float64, path []byte, r *rule) {
	bad := false
	for _, x := range m {
		if r.failsNum(x) {
			bad = true
			break
		}
	}
	if !bad {
		return
	}
	for _, k := range sortedKeys(m) {
		v.checkNum(m[k], fmtNum(m[k]), appendSeg(path, k), r)
	}
}

// failsNum reports whether x breaks r (or is not finite).
func (r *rule) failsNum(x float64) bool {
	return math.IsNaN(x) || math.IsInf(x, 0) ||
		(r.hasMin && (x < r.min || (r.exclusiveMin && x == r.min))) || (r.hasMax && x > r.max)
}

func (v *validator) check(fv reflect.Value, path []byte, r *rule) {
	switch fv.Kind() {
	case reflect.Int:
		if x := float64(fv.Int()); r.failsNum(x) {
			v.checkNum(x, strconv.FormatInt(fv.Int(), 10), path, r)
		}
	case reflect.Float64:
		if x := fv.Float(); r.failsNum(x) {
			v.checkNum(x, fmtNum(x), path, r)
		}
	case reflect.String:
		if len(r.enum) == 0 {
			return
		}
		s := fv.String()
		if s == "" && r.allowEmptyString {
			return
		}
		if !slices.Contains(r.enum, s) {
			v.fail(string(path), "invalid value"+DidYouMean(s, r.enum), quote(s), r.allowed())
		}
	}
}

// checkNum reports x (shown as got) when it breaks r.
func (v *validator) checkNum(x float64, got string, path []byte, r *rule) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		v.fail(string(path), "must be a finite number", got, r.allowed())
		return
	}
	if r.failsNum(x) {
		v.fail(string(path), "out of range", got, r.allowed())
	}
}

// idsOf lists the ids of a section's elements, in order.
func idsOf[T any](xs []T, id func(T) string) []string {
	ids := make([]string, len(xs))
	for i, x := range xs {
		ids[i] = id(x)
	}
	return ids
}

func (v *validator) uniqueIDs(path string, ids []string, what string) map[string]bool {
	seen := map[string]bool{}
	for i, id := range ids {
		p := joinPath(path, id)
		switch {
		case id == "":
			v.fail(joinPath(path, strconv.Itoa(i)), what+" must not be empty", "", "")
		case !idRE.MatchString(id):
			v.fail(p, what+" must not contain '.', '=' or white space", quote(id), "")
		case seen[id]:
			v.fail(p, "duplicate "+what, quote(id), "")
		}
		seen[id] = true
	}
	return seen
}

func (v *validator) ref(path, kind, got string, known map[string]bool) {
	if known[got] {
		return
	}
	keys := sortedKeys(known)
	allowed := strings.Join(keys, ", ")
	if len(keys) > 12 {
		allowed = strings.Join(keys[:12], ", ") + ", …"
	}
	if len(keys) == 0 {
		allowed = "none defined"
	}
	v.fail(path, fmt.Sprintf("unknown %s%s", kind, DidYouMean(got, keys)), quote(got), allowed)
}

func setOf(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func (v *validator) shares(path string, sum float64) {
	if math.Abs(sum-1) > 1e-6 {
		v.fail(path, "shares must sum to 1 (within 1e-6)", fmtNum(sum), "1")
	}
}

// semantics checks what the field rules cannot: references between
// sections, sums of shares and consistency, section by section. Each
// section returns the ids the later ones refer to.
func (v *validator) semantics() {
	v.general()
	groups := v.groups()
	types := v.creatorTypes(groups)
	roster := v.creators(types)
	merchants, products := v.merchants(groups, types, roster)
	v.campaigns(merchants, products, types)
	v.trends(merchants)
	v.optimizeSection(merchants)
	v.sweep()
	v.variants()
}

// general checks the scenario's top-level fields.
func (v *validator) general() {
	sc := v.sc
	if sc.Name == "" {
		v.fail("name", "must not be empty", "", "")
	}
	if !currencyRE.MatchString(sc.Currency) {
		v.fail("currency", "must be an ISO 4217 code", quote(sc.Currency), "three capital letters, e.g. CNY")
	}
	if sc.Extends != "" {
		v.fail("extends", "unresolved extends (internal)", quote(sc.Extends), "")
	}
	if d := sc.Platform.Customers; d.ChurnAfterDays < d.AtRiskAfterDays {
		v.fail("platform.customers.churn_after_days", "must be at least at_risk_after_days", strconv.Itoa(d.ChurnAfterDays), "≥ "+strconv.Itoa(d.AtRiskAfterDays))
	}
}

// groups checks the consumer groups and returns their ids.
func (v *validator) groups() map[string]bool {
	sc := v.sc
	var gids []string
	sum := 0.0
	for _, g := range sc.Population.Groups {
		gids = append(gids, g.ID)
		sum += g.Share
	}
	if len(gids) == 0 {
		v.fail("population.groups", "at least one consumer group is needed", "", "")
	} else {
		v.shares("population.groups", sum)
	}
	return v.uniqueIDs("population.groups", gids, "group id")
}

// creatorTypes checks the creator types and returns their ids.
func (v *validator) creatorTypes(groups map[string]bool) map[string]bool {
	sc := v.sc
	tids := idsOf(sc.CreatorTypes, func(t CreatorType) string { return t.ID })
	if len(tids) == 0 {
		v.fail("creator_types", "at least one creator type is needed", "", "")
	}
	types := v.uniqueIDs("creator_types", tids, "creator type id")
	for _, t := range sc.CreatorTypes {
		for _, g := range sortedKeys(t.Affinity) {
			v.ref("creator_types."+t.ID+".affinity."+g, "consumer group", g, groups)
		}
	}
	return types
}

// creators checks the creator population and returns the roster's ids.
func (v *validator) creators(types map[string]bool) map[string]bool {
	sc := v.sc
	cr := sc.Creators
	tt := cr.TierThresholds
	if !(tt.Head > tt.Waist && tt.Waist > tt.Tail) {
		v.fail("creators.tier_thresholds", "must decrease strictly: head > waist > tail", fmt.Sprintf("%s / %s / %s", fmtNum(tt.Head), fmtNum(tt.Waist), fmtNum(tt.Tail)), "")
	}
	if cr.Generate == nil && cr.Roster == "" {
		v.fail("creators", "no creators: give generate, roster or both", "", "")
	}
	if g := cr.Generate; g != nil {
		v.shares("creators.generate.tiers", g.Tiers.Head+g.Tiers.Waist+g.Tiers.Tail+g.Tiers.KOC)
		if len(g.Types) > 0 {
			s := 0.0
			for _, k := range sortedKeys(g.Types) {
				v.ref("creators.generate.types."+k, "creator type", k, types)
				s += g.Types[k]
			}
			v.shares("creators.generate.types", s)
		}
		for _, ms := range []struct {
			name string
			m    MeanSD
		}{{"quality", g.Quality}, {"live_skill", g.LiveSkill}} {
			if ms.m.Mean <= 0 || ms.m.Mean >= 1 {
				v.fail("creators.generate."+ms.name+".mean", "a Beta mean must be strictly inside (0, 1)", fmtNum(ms.m.Mean), "(0, 1)")
			} else if lim := math.Sqrt(ms.m.Mean * (1 - ms.m.Mean)); ms.m.SD >= lim {
				v.fail("creators.generate."+ms.name+".sd", "too large for a Beta with this mean", fmtNum(ms.m.SD), "< "+strconv.FormatFloat(lim, 'f', 3, 64))
			}
		}
	}
	rosterIDs := map[string]bool{}
	for _, rc := range cr.RosterCreators {
		rosterIDs[rc.ID] = true
		if !types[rc.Type] {
			v.fail("creators.roster", fmt.Sprintf("roster creator %q has unknown type", rc.ID), quote(rc.Type), strings.Join(sortedKeys(types), ", "))
		}
	}
	return rosterIDs
}

// merchants checks the merchants and returns their ids and each one's
// product ids.
func (v *validator) merchants(groups, types, rosterIDs map[string]bool) (map[string]bool, map[string]map[string]bool) {
	sc := v.sc
	if len(sc.Merchants) == 0 {
		v.fail("merchants", "at least one merchant is needed", "", "")
	}
	var mids []string
	products := map[string]map[string]bool{}
	for _, m := range sc.Merchants {
		mids = append(mids, m.ID)
	}
	merchants := v.uniqueIDs("merchants", mids, "merchant id")
	stages := setOf(FunnelStages()...)
	for _, m := range sc.Merchants {
		mp := "merchants." + m.ID
		var pids []string
		for _, p := range m.Products {
			pids = append(pids, p.ID)
			pp := mp + ".products." + p.ID
			if p.Stage != "" && p.Bass != nil {
				v.fail(pp+".bass", "give stage or bass, not both", "", "")
			}
			if p.Bass != nil && p.Bass.P+p.Bass.Q <= 0 {
				v.fail(pp+".bass", "p + q must be positive", "", "")
			}
		}
		products[m.ID] = v.uniqueIDs(mp+".products", pids, "product id")
		f := m.Initial.Funnel
		if s := f.A1 + f.A2 + f.A3 + f.A4 + f.A5; s > 1+1e-6 {
			v.fail(mp+".initial.funnel", "stage shares must sum to at most 1", fmtNum(s), "≤ 1")
		}
		for _, fs := range []struct {
			n string
			x float64
		}{{"a1", f.A1}, {"a2", f.A2}, {"a3", f.A3}, {"a4", f.A4}, {"a5", f.A5}} {
			if fs.x > 1 {
				v.fail(mp+".initial.funnel."+fs.n, "out of range", fmtNum(fs.x), "[0, 1]")
			}
		}
		for i, pt := range m.Initial.Partners {
			v.ref(fmt.Sprintf("%s.initial.partners.%d.type", mp, i), "creator type", pt.Type, types)
		}
		v.uniqueIDs(mp+".strategy.matrix", idsOf(m.Strategy.Matrix, func(e MatrixEntry) string { return e.ID }), "matrix entry id")
		for _, e := range m.Strategy.Matrix {
			ep := mp + ".strategy.matrix." + e.ID
			v.ref(ep+".type", "creator type", e.Type, types)
			if e.Product != "" {
				v.ref(ep+".product", "product of "+m.ID, e.Product, products[m.ID])
			} else if len(m.Products) == 0 {
				v.fail(ep, "the merchant has no products to promote", "", "")
			}
			if e.Contract == "task" && e.Task == nil {
				v.fail(ep+".task", "a task contract needs task terms (budget, ecommerce_share)", "", "")
			}
			if e.Contract != "task" && e.Task != nil {
				v.fail(ep+".task", "task terms are only for contract task", quote(e.Contract), "")
			}
		}
		for i, e := range m.Strategy.Roster {
			ep := fmt.Sprintf("%s.strategy.roster.%d", mp, i)
			v.ref(ep+".creator", "roster creator", e.Creator, rosterIDs)
			if e.Product != "" {
				v.ref(ep+".product", "product of "+m.ID, e.Product, products[m.ID])
			}
		}
		tg := m.Strategy.PaidTraffic.Target
		for i, g := range tg.Groups {
			v.ref(fmt.Sprintf("%s.strategy.paid_traffic.target.groups.%d", mp, i), "consumer group", g, groups)
		}
		for i, s := range tg.Stages {
			v.ref(fmt.Sprintf("%s.strategy.paid_traffic.target.stages.%d", mp, i), "funnel stage", s, stages)
		}
		if m.Strategy.PaidTraffic.Daily > 0 && m.Budget.PaidTraffic == 0 {
			v.fail(mp+".strategy.paid_traffic.daily", "paid traffic without a paid_traffic budget buys nothing", fmtNum(m.Strategy.PaidTraffic.Daily), "budget.paid_traffic > 0")
		}
	}
	return merchants, products
}

// campaigns checks the campaigns' windows and eligibility.
func (v *validator) campaigns(merchants map[string]bool, products map[string]map[string]bool, types map[string]bool) {
	sc := v.sc
	tiers := setOf(Tiers()...)
	v.uniqueIDs("campaigns", idsOf(sc.Campaigns, func(c Campaign) string { return c.ID }), "campaign id")
	for _, c := range sc.Campaigns {
		cp := "campaigns." + c.ID
		if c.Window[0] < 1 || c.Window[1] > sc.HorizonDays || c.Window[0] > c.Window[1] {
			v.fail(cp+".window", "must be [first, last] inside the horizon with first ≤ last", fmt.Sprintf("[%d, %d]", c.Window[0], c.Window[1]), fmt.Sprintf("1 ≤ first ≤ last ≤ %d", sc.HorizonDays))
		}
		for i, m := range c.Eligible.Merchants {
			v.ref(fmt.Sprintf("%s.eligible.merchants.%d", cp, i), "merchant", m, merchants)
		}
		elig := map[string]bool{}
		for _, m := range c.Eligible.Merchants {
			for p := range products[m] {
				elig[p] = true
			}
		}
		for i, p := range c.Eligible.Products {
			v.ref(fmt.Sprintf("%s.eligible.products.%d", cp, i), "product of an eligible merchant", p, elig)
		}
		for i, t := range c.Eligible.CreatorTypes {
			v.ref(fmt.Sprintf("%s.eligible.creator_types.%d", cp, i), "creator type", t, types)
		}
		for i, t := range c.Eligible.CreatorTiers {
			v.ref(fmt.Sprintf("%s.eligible.creator_tiers.%d", cp, i), "creator tier", t, tiers)
		}
	}
}

// trends checks the trends.
func (v *validator) trends(merchants map[string]bool) {
	sc := v.sc
	v.uniqueIDs("trends", idsOf(sc.Trends, func(t Trend) string { return t.ID }), "trend id")
	for _, t := range sc.Trends {
		tp := "trends." + t.ID
		if t.StartDay < 1-sc.WarmupDays || t.StartDay > sc.HorizonDays {
			v.fail(tp+".start_day", "outside the simulated days", strconv.Itoa(t.StartDay), fmt.Sprintf("[%d, %d]", 1-sc.WarmupDays, sc.HorizonDays))
		}
		if t.P+t.Q <= 0 {
			v.fail(tp, "p + q must be positive", "", "")
		}
		for i, r := range t.Riders {
			v.ref(fmt.Sprintf("%s.riders.%d", tp, i), "merchant", r, merchants)
		}
	}
}

// optimizeSection checks the optimize block.
func (v *validator) optimizeSection(merchants map[string]bool) {
	sc := v.sc
	if o := sc.Optimize; o != nil {
		v.ref("optimize.merchant", "merchant", o.Merchant, merchants)
		if o.Objective == "spend" && o.Target == nil {
			v.fail("optimize.target", "objective spend needs a target (kpi, at_least)", "", "")
		}
		if o.Objective != "spend" && o.Target != nil {
			v.fail("optimize.target", "a target is only for objective spend", quote(o.Objective), "")
		}
		if o.Budget.TotalAtMost > 0 && o.Budget.TotalExactly > 0 {
			v.fail("optimize.budget", "give total_at_most or total_exactly, not both", "", "")
		}
		for i, d := range o.Decide {
			dp := fmt.Sprintf("optimize.decide.%d", i)
			if _, err := GetFloat(sc, d.Path); err != nil {
				v.fail(dp+".path", "must name a numeric field: "+pathMsg(err), quote(d.Path), "")
			}
			if d.Min > d.Max {
				v.fail(dp, "min must not exceed max", fmt.Sprintf("min %s, max %s", fmtNum(d.Min), fmtNum(d.Max)), "")
			}
		}
		for i, f := range o.Frontier {
			if f < 0 {
				v.fail(fmt.Sprintf("optimize.frontier.%d", i), "out of range", fmtNum(f), "≥ 0")
			}
		}
	}
}

// sweep checks the sweep block and the parameters every experiment block
// shares (experiments.go).
func (v *validator) sweep() {
	v.experiments()
	v.sensitivity() // sensitivity.go
	v.calibrate()   // calibrate.go
}

// variants checks that each variant applies to a copy and leaves it valid.
func (v *validator) variants() {
	sc := v.sc
	names := map[string]bool{}
	baselineBad := len(v.c.list) > 0
	for i, vr := range sc.Variants {
		vp := "variants." + vr.Name
		switch {
		case vr.Name == "":
			v.fail(fmt.Sprintf("variants.%d.name", i), "must not be empty", "", "")
			continue
		case vr.Name == "baseline":
			v.fail(vp+".name", "\"baseline\" names the scenario itself", quote(vr.Name), "")
		case !idRE.MatchString(vr.Name):
			v.fail(vp+".name", "must not contain '.', '=' or white space", quote(vr.Name), "")
		case names[vr.Name]:
			v.fail(vp+".name", "duplicate variant name", quote(vr.Name), "")
		}
		names[vr.Name] = true
		if len(vr.Set) == 0 {
			v.fail(vp+".set", "a variant must set at least one path", "", "")
			continue
		}
		if baselineBad {
			// Only check that the paths can be set: validating the copy
			// would repeat the baseline's own problems.
			c := Clone(sc)
			c.Variants = nil
			for _, p := range sortedKeys(vr.Set) {
				if err := setAt(c, p, vr.Set[p], sc.posFor(vp+".set."+p)); err != nil {
					v.c.addErr(sc.posFor(vp+".set."+p), vp+".set."+p, err)
				}
			}
			continue
		}
		if _, err := ApplyVariant(sc, vr); err != nil {
			if es, ok := err.(Errors); ok {
				for _, e := range es {
					e2 := *e
					if e2.Path != "" && !strings.HasPrefix(e2.Path, "variants.") {
						e2.Msg = "in variant " + vr.Name + ": " + e2.Msg
					}
					v.c.list = append(v.c.list, &e2)
				}
			} else {
				v.fail(vp, err.Error(), "", "")
			}
		}
	}
}

func pathMsg(err error) string {
	if pe, ok := err.(*pathError); ok {
		return pe.Msg
	}
	return err.Error()
}
