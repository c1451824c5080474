package scenarios

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Warning is a field of a valid scenario that cannot act in it: the run
// would go on as if the field were not there. Warnings do not stop a run;
// `validate` and `run` print them on stderr and the run directory lists
// them (summary.json "warnings", the report).
type Warning struct {
	Path    string // field path, e.g. campaigns.super_value.eligible.merchants
	Message string
	Pos     Pos // where the field (or its nearest enclosing field) was written
}

// String formats the warning as FILE:LINE:COL: warning: path: message.
func (w Warning) String() string {
	var b strings.Builder
	if w.Pos.File != "" {
		b.WriteString(w.Pos.File)
		if w.Pos.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", w.Pos.Line, w.Pos.Col)
		}
		b.WriteString(": ")
	}
	b.WriteString("warning: ")
	if w.Path != "" {
		b.WriteString(w.Path + ": ")
	}
	b.WriteString(w.Message)
	return b.String()
}

// Commands whose reading of the scenario Warnings knows: blocks only
// another command reads are reported as unread.
const (
	CommandRun      = "run"
	CommandOptimize = "optimize"
	CommandValidate = "validate"
)

// Warnings lists the fields of sc that cannot act in this scenario, in file
// order: a campaign an eligible merchant cannot afford (its campaigns budget
// is below the fee, campaigns taken by first day as the engine does), a
// campaign nobody joins, Xingque linkage without seeding or harvesting
// content, a matrix cell whose pool of creators is empty, smaller than its
// count, runs out of incremental authors, or whose cheapest creator's fee
// exceeds the merchant's creator-fee budget, matrix entries of a stage the
// product never reaches, a budget no strategy spends, a trend's connect
// without riders, a live-room quality without live hours, and — for command run or validate — blocks no such command
// reads (optimize:, sweep:). command is one of the Command constants or ""
// (no block check).
func Warnings(sc *Scenario, command string) []Warning {
	wa := &warner{sc: sc}
	wa.campaigns()
	wa.linkage()
	for mi := range sc.Merchants {
		wa.merchant(&sc.Merchants[mi])
	}
	wa.trends()
	wa.blocks(command)
	slices.SortStableFunc(wa.list, func(a, b Warning) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return wa.list
}

type warner struct {
	sc   *Scenario
	list []Warning
}

func (wa *warner) add(path, format string, args ...any) {
	wa.list = append(wa.list, Warning{Path: path, Message: fmt.Sprintf(format, args...), Pos: wa.sc.posFor(path)})
}

func (wa *warner) merchantByID(id string) *Merchant {
	for i := range wa.sc.Merchants {
		if wa.sc.Merchants[i].ID == id {
			return &wa.sc.Merchants[i]
		}
	}
	return nil
}

// campaigns mirrors the engine's joining rule: campaigns in order of their
// first day (then file order), an eligible merchant joins while its
// campaigns budget covers the fees of the campaigns it joined so far.
func (wa *warner) campaigns() {
	sc := wa.sc
	order := make([]int, len(sc.Campaigns))
	for j := range order {
		order[j] = j
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return max(sc.Campaigns[a].Window[0], 1) - max(sc.Campaigns[b].Window[0], 1)
	})
	spent := map[string]float64{}
	for _, j := range order {
		c := &sc.Campaigns[j]
		p := "campaigns." + c.ID
		if c.Window[1] < max(c.Window[0], 1) {
			wa.add(p+".window", "the window ends in the warm-up: the campaign never opens")
			continue
		}
		if len(c.Eligible.Merchants) == 0 {
			wa.add(p+".eligible.merchants", "no eligible merchants: nobody joins, the campaign has no effect")
			continue
		}
		joined := 0
		for _, id := range c.Eligible.Merchants {
			m := wa.merchantByID(id)
			if m == nil {
				continue
			}
			if spent[id]+c.Fee > m.Budget.Campaigns+1e-9 {
				wa.add(p+".eligible.merchants",
					"merchant %s cannot afford the fee %s (merchants.%s.budget.campaigns is %s, %s already committed): it does not join",
					id, num(c.Fee), id, num(m.Budget.Campaigns), num(spent[id]))
				continue
			}
			spent[id] += c.Fee
			joined++
		}
		if joined == 0 {
			wa.add(p, "no eligible merchant can join: discount, traffic_multiplier and conversion_uplift have no effect")
		}
	}
}

// linkage: Xingque linkage acts only through seed_harvest cooperations
// (seeding: non-live seed_harvest content; harvesting: live seed_harvest
// content or the merchant's own live room). A live seed_harvest entry of a
// merchant without seeding content harvests nobody (it acts as fee_cps);
// linkage settings written in a scenario without any seeding content link
// nothing.
func (wa *warner) linkage() {
	anySeed := false
	for _, m := range wa.sc.Merchants {
		seed, harvest := false, m.LiveRoom.HoursPerDay > 0
		var liveSH []string
		for _, e := range m.Strategy.Matrix {
			if e.Contract == "seed_harvest" && e.Count > 0 {
				if e.Format == "live" {
					harvest = true
					liveSH = append(liveSH, "merchants."+m.ID+".strategy.matrix."+e.ID+".contract")
				} else {
					seed = true
				}
			}
		}
		for _, e := range m.Strategy.Roster {
			if e.Contract == "seed_harvest" {
				if e.Format == "live" {
					harvest = true
				} else {
					seed = true
				}
			}
		}
		anySeed = anySeed || seed
		if seed && !harvest {
			wa.add("merchants."+m.ID+".strategy", "seed_harvest seeding content but no live room to harvest in (no live seed_harvest entry, live_room.hours_per_day 0): linked users have nothing to be shown")
		}
		if !seed {
			for _, p := range liveSH {
				wa.add(p, "seed_harvest live content harvests users linked by the merchant's seeding content, and merchant %s has none (no non-live seed_harvest entry): no user is ever linked, the entry acts as fee_cps", m.ID)
			}
		}
	}
	if !anySeed {
		for p := range wa.sc.pos {
			if p == "platform.linkage" || strings.HasPrefix(p, "platform.linkage.") {
				wa.add("platform.linkage", "no merchant has seed_harvest seeding content (a non-live matrix or roster entry with contract seed_harvest): the linkage settings link nothing")
				break
			}
		}
	}
}

// poolSize is the expected number of creators of type and tier: generated
// (count × tier share × type share) plus roster creators.
func (wa *warner) poolSize(typ, tier string) float64 {
	sc := wa.sc
	n := 0.0
	if g := sc.Creators.Generate; g != nil && g.Count > 0 {
		var tiers float64
		for _, t := range Tiers() {
			tiers += max(tierShare(g.Tiers, t), 0)
		}
		share := 0.0
		if tiers > 0 {
			share = max(tierShare(g.Tiers, tier), 0) / tiers
		}
		ts := 1 / float64(max(1, len(sc.CreatorTypes)))
		if len(g.Types) > 0 {
			sum := 0.0
			for _, v := range g.Types {
				sum += v
			}
			ts = 0
			if sum > 0 {
				ts = g.Types[typ] / sum
			}
		}
		n += float64(g.Count) * share * ts
	}
	for _, rc := range sc.Creators.RosterCreators {
		if rc.Type == typ && tierOfFollowers(sc.Creators.TierThresholds, rc.Followers) == tier {
			n++
		}
	}
	return n
}

func tierShare(m TierMap[float64], tier string) float64 {
	switch tier {
	case TierHead:
		return m.Head
	case TierWaist:
		return m.Waist
	case TierTail:
		return m.Tail
	}
	return m.KOC
}

func tierOfFollowers(th TierThresholds, f float64) string { return Tiers()[th.TierIndex(f)] }

// cheapestFee is the lowest fee of a creator of the tier: the rate card
// (the engine's, [RateCard.Fee]) at the tier's lowest follower count
// ([TierThresholds.FollowerRange]), or the lowest roster fee.
func (wa *warner) cheapestFee(typ, tier string) float64 {
	sc := wa.sc
	fee := math.Inf(1)
	if t := slices.Index(Tiers(), tier); t >= 0 && sc.Creators.Generate != nil && sc.Creators.Generate.Count > 0 {
		g := sc.Creators.Generate
		lo, _ := sc.Creators.TierThresholds.FollowerRange(t)
		fee = g.RateCard.Fee(lo)
	}
	for _, rc := range sc.Creators.RosterCreators {
		if rc.Type == typ && tierOfFollowers(sc.Creators.TierThresholds, rc.Followers) == tier {
			fee = math.Min(fee, rc.Fee)
		}
	}
	return fee
}

func (wa *warner) merchant(m *Merchant) {
	sc := wa.sc
	mp := "merchants." + m.ID
	replan := max(1, m.Strategy.ReplanDays)
	feeEntries := 0
	for _, e := range m.Strategy.Matrix {
		ep := mp + ".strategy.matrix." + e.ID
		if e.Count <= 0 {
			continue
		}
		if e.Contract != "cps" {
			feeEntries++
		}
		if e.Stage != "any" && !wa.reachesStage(m, e.Product, e.Stage) {
			wa.add(ep+".stage", "the product is never at stage %s within the horizon: the entry never contracts", e.Stage)
			continue
		}
		replans := wa.replansAt(m, e.Product, e.Stage, replan)
		pool := wa.poolSize(e.Type, e.Tier)
		if _, written := sc.pos[ep+".partners"]; written && e.Contract == "task" {
			// The task board books whoever accepts the task's terms
			// (mechanisms.Board.Match); the partner rule is not read.
			wa.add(ep+".partners", "partners: %s has no effect on a task cell: the task board books the creators of the type and tier whose reservation income the task meets, partners or not", e.Partners)
		}
		switch {
		case pool < 0.5:
			wa.add(ep, "no creator of type %s and tier %s exists (expected pool %.1f): the entry never contracts", e.Type, e.Tier, pool)
			continue
		case pool < float64(e.Count):
			wa.add(ep+".count", "count %d exceeds the expected pool of %.0f %s %s creators: at most the pool is booked per re-plan", e.Count, pool, e.Type, e.Tier)
		case e.Partners == "new" && e.Contract != "task" && pool < float64(e.Count*replans):
			wa.add(ep+".partners", "incremental authors (partners: new) run out: %d re-plans × count %d need %d creators never booked, the %s %s pool holds about %.0f",
				replans, e.Count, e.Count*replans, e.Type, e.Tier, pool)
		}
		if e.Contract != "cps" && e.Contract != "task" {
			if fee := wa.cheapestFee(e.Type, e.Tier); fee > m.Budget.CreatorFees+1e-9 {
				wa.add(ep, "the cheapest %s creator's fee %s exceeds merchants.%s.budget.creator_fees (%s): no cooperation is affordable",
					e.Tier, num(fee), m.ID, num(m.Budget.CreatorFees))
			}
		}
		if e.Contract == "task" && e.Task != nil {
			if fee := e.Task.Budget * (1 - e.Task.EcommerceShare); fee > m.Budget.CreatorFees+1e-9 {
				wa.add(ep+".task.budget", "a task's fee %s exceeds merchants.%s.budget.creator_fees (%s): no task is posted", num(fee), m.ID, num(m.Budget.CreatorFees))
			}
			if boost := e.Task.Budget * e.Task.EcommerceShare; boost > m.Budget.PaidTraffic+1e-9 {
				wa.add(ep+".task.budget", "a task's boost %s exceeds merchants.%s.budget.paid_traffic (%s): no task is posted", num(boost), m.ID, num(m.Budget.PaidTraffic))
			}
		}
	}
	for _, e := range m.Strategy.Roster {
		if e.Contract != "cps" {
			feeEntries++
		}
	}
	if feeEntries > 0 && m.Budget.CreatorFees <= 0 {
		wa.add(mp+".budget.creator_fees", "0 while the strategy has fee-paying cooperations: only cps cooperations are contracted")
	}
	if feeEntries == 0 && m.Budget.CreatorFees > 0 {
		wa.add(mp+".budget.creator_fees", "no fee-paying matrix or roster entry spends this budget")
	}
	pt := m.Strategy.PaidTraffic
	if pt.Daily <= 0 && m.Budget.PaidTraffic > 0 && !hasTasks(m) {
		wa.add(mp+".budget.paid_traffic", "strategy.paid_traffic.daily is 0 and no task boosts: the budget is never spent")
	}
	if m.LiveRoom.HoursPerDay <= 0 {
		if _, written := sc.pos[mp+".live_room.quality"]; written {
			wa.add(mp+".live_room.quality", "live_room.hours_per_day is 0: there is no live room for the quality to act on")
		}
	}
	if m.Budget.Campaigns > 0 && !eligibleSomewhere(sc, m.ID) {
		wa.add(mp+".budget.campaigns", "the merchant is eligible for no campaign: the budget is never spent")
	}
}

func hasTasks(m *Merchant) bool {
	for _, e := range m.Strategy.Matrix {
		if e.Contract == "task" && e.Count > 0 {
			return true
		}
	}
	return false
}

func eligibleSomewhere(sc *Scenario, id string) bool {
	for _, c := range sc.Campaigns {
		if slices.Contains(c.Eligible.Merchants, id) {
			return true
		}
	}
	return false
}

// replansAt counts the merchant's re-plans (every replan days from the
// first simulated day) at which the entry's product is at stage ("any":
// all of them).
func (wa *warner) replansAt(m *Merchant, productID, stage string, replan int) int {
	n := 0
	for d := 0; d < wa.sc.WarmupDays+wa.sc.HorizonDays; d += replan {
		if stage == "any" || wa.stageOn(m, productID, d-wa.sc.WarmupDays+1) == stage {
			n++
		}
	}
	return n
}

// stageOn is the stage of the entry's product on scenario day day.
func (wa *warner) stageOn(m *Merchant, productID string, day int) string {
	if len(m.Products) == 0 {
		return ""
	}
	pr := &m.Products[0]
	for i := range m.Products {
		if m.Products[i].ID == productID {
			pr = &m.Products[i]
		}
	}
	switch {
	case pr.Stage != "":
		return pr.Stage
	case pr.Bass == nil:
		return StageMaturity
	}
	return bassStage(pr.Bass.P, pr.Bass.Q, pr.Bass.StartF, float64(day-1))
}

// reachesStage reports whether the product of a matrix entry is at stage on
// some simulated day (warm-up included): a fixed stage, or the product's
// Bass curve (stages at F 0.1, the rate peak and 0.9).
func (wa *warner) reachesStage(m *Merchant, productID, stage string) bool {
	for day := 1 - wa.sc.WarmupDays; day <= wa.sc.HorizonDays; day++ {
		if wa.stageOn(m, productID, day) == stage {
			return true
		}
	}
	return false
}

// bassStage is the lifecycle stage of the Bass curve from f0 after t days
// (the engine's rule: launch below F 0.1, growth until the adoption rate
// peaks, maturity until 0.9, decline after).
func bassStage(p, q, f0, t float64) string {
	f := f0
	if a := p + q; a > 0 && f0 < 1 {
		c := 1/(1-f0) - q/a
		if u := q/a + c*math.Exp(math.Min(a*t, 700)); u > 0 {
			f = math.Min(math.Max(1-1/u, 0), 1)
		} else {
			f = 0
		}
	}
	peak := 0.0
	if q > p {
		peak = 0.5 - p/(2*q)
	}
	switch {
	case f < 0.1:
		return StageLaunch
	case f < peak:
		return StageGrowth
	case f <= 0.9:
		return StageMaturity
	}
	return StageDecline
}

func (wa *warner) trends() {
	for _, t := range wa.sc.Trends {
		p := "trends." + t.ID
		if len(t.Riders) == 0 && t.Connect > 0 {
			if _, written := wa.sc.pos[p+".connect"]; written {
				wa.add(p+".connect", "the trend has no riders: no submission features a product")
			}
		}
		if t.Potential == 0 || (t.P == 0 && t.Q == 0) || t.P == 0 {
			wa.add(p, "nobody ever adopts (p %v, potential %v): the trend has no effect", t.P, t.Potential)
		}
	}
}

func (wa *warner) blocks(command string) {
	sc := wa.sc
	switch command {
	case CommandRun, CommandValidate:
		verb := "run"
		if command == CommandValidate {
			verb = "run (and validate)"
		}
		if sc.Optimize != nil {
			wa.add("optimize", "read only by `startrend optimize`: %s ignores it", verb)
		}
		if sc.Sweep != nil {
			wa.add("sweep", "read only by a sweep: %s ignores it", verb)
		}
	case CommandOptimize:
		if sc.Sweep != nil {
			wa.add("sweep", "read only by a sweep: optimize ignores it")
		}
	}
}

// Tier and product-stage names of the scenario language.
const (
	TierHead, TierWaist, TierTail, TierKOC                = "head", "waist", "tail", "koc"
	StageLaunch, StageGrowth, StageMaturity, StageDecline = "launch", "growth", "maturity", "decline"
)

// num formats money without a trailing .000.
func num(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.2f", x)
}
