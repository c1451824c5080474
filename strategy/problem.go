package strategy

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/startrend/startrend/optimize"
	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

// Simulate is the optimiser's only view of the simulator: it runs sc (a
// validated scenario without variants) for reps replications seeded by seed
// (replication r draws its random numbers from (seed, r) alone, so two
// scenarios run with the same seed share random numbers) and returns, per KPI
// name, the value in each replication, for the decided merchant (GMV, spend,
// profit, new_customers, roi, orders, … as the caller can provide them). It
// must be safe for concurrent use and must not depend on how many calls run
// at once. `startrend optimize` supplies one that calls sim.Run with one
// worker (candidates are evaluated in parallel).
type Simulate func(ctx context.Context, sc *scenarios.Scenario, seed uint64, reps int) (map[string][]float64, error)

// Decided is one decision variable of a Problem.
type Decided struct {
	// Path is the scenario field (scenarios path syntax).
	Path string `json:"path"`
	// Label is a short name for tables and plots (the path without the
	// merchant prefix).
	Label string `json:"label"`
	// Min, Max are the bounds (equal for a fixed decision).
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	// Integer decisions take whole values; IntField says the scenario field
	// is an integer (written back as one).
	Integer  bool `json:"integer"`
	IntField bool `json:"-"`
	Fixed    bool `json:"fixed"`
	// UnitCost is the cost in the budget constraint of one unit of the
	// value (0: not in the budget).
	UnitCost float64 `json:"unit_cost"`
	// Baseline is the value in the scenario as written.
	Baseline float64 `json:"baseline"`
	// Group classifies the decision for the allocation plot: the matrix
	// cell "type × tier × format" for a count, or the budget line.
	Group string `json:"group"`
}

// Problem is a scenario's optimize block made concrete: the decision Space
// (bounds, integers, fixed items, budget weighted by unit costs), the
// objective and its constraints, and Apply, which turns a point of the
// Space into a scenario.
//
// Objectives: gmv, profit, new_customers and roi are maximised; spend is
// minimised subject to Target. Constraints that depend on the simulated
// outcome are penalties on the value (documented in Value), so that every
// candidate has a value and the search can move through infeasible regions.
type Problem struct {
	Base      *scenarios.Scenario
	Merchant  string
	Objective string
	Maximize  bool
	Target    *scenarios.KPITarget
	MinROI    float64
	// Replications per candidate evaluation during the search.
	Replications int
	Decisions    []Decided
	Space        optimize.Space
	// BudgetPath is where the budget constraint was written (for messages).
	BudgetPath string
	// penaltyScale converts a relative shortfall into objective units for
	// the spend objective (the budget total or the baseline's money).
	penaltyScale float64
}

// ProblemOptions are optional inputs of NewProblem.
type ProblemOptions struct {
	// BudgetTotal, when not nil, replaces the block's budget total (the
	// efficient frontier's levels).
	BudgetTotal *float64
}

// NewProblem builds the Problem of a loaded (validated, defaulted)
// scenario's optimize block. Every problem with the block is reported at
// once as scenarios.Errors, each naming its path (optimize.decide.3.max) and
// the file position the scenarios package recorded for it when loading
// ([scenarios.Scenario.Position]; a scenario built in code has none).
func NewProblem(sc *scenarios.Scenario, opts ProblemOptions) (*Problem, error) {
	var errs scenarios.Errors
	fail := func(path, msg, got, allowed string) {
		e := &scenarios.Error{Path: path, Msg: msg, Got: got, Allowed: allowed, File: "scenario"}
		if sc != nil {
			if at := sc.Position(path); at.File != "" {
				e.File, e.Line, e.Col = at.File, at.Line, at.Col
			}
		}
		errs = append(errs, e)
	}
	if sc == nil || sc.Optimize == nil {
		fail("optimize", "the scenario has no optimize block", "", "optimize: {merchant, objective, decide, budget}")
		return nil, errs
	}
	o := sc.Optimize
	p := &Problem{
		Base: sc, Merchant: o.Merchant, Objective: o.Objective, Target: o.Target,
		MinROI: o.MinROI, Replications: max(o.Replications, 1),
	}
	switch o.Objective {
	case sim.KPIGMV, sim.KPIProfit, sim.KPINewCustomers, sim.KPIROI:
		p.Maximize = true
	case sim.KPISpend:
		if o.Target == nil {
			fail("optimize.target", "objective spend needs a target (kpi, at_least)", "", "")
		}
	default:
		fail("optimize.objective", "unknown objective", strconv.Quote(o.Objective), "gmv, profit, new_customers, roi, spend")
	}
	if len(o.Decide) == 0 {
		fail("optimize.decide", "empty decision space: list at least one decision", "[]", "{path, min, max, …}")
	}
	free := p.decide(sc, fail)
	if len(errs) == 0 && free == 0 {
		fail("optimize.decide", "every decision is fixed: nothing to search", "", "at least one decision with min < max and fixed: false")
	}
	// Budget.
	var total float64
	has := false
	switch {
	case o.Budget.TotalExactly > 0:
		total, has, p.BudgetPath = o.Budget.TotalExactly, true, "optimize.budget.total_exactly"
	case o.Budget.TotalAtMost > 0:
		total, has, p.BudgetPath = o.Budget.TotalAtMost, true, "optimize.budget.total_at_most"
	}
	if opts.BudgetTotal != nil {
		total, has = *opts.BudgetTotal, true
		if p.BudgetPath == "" {
			p.BudgetPath = "optimize.frontier"
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	dims := make([]optimize.Dim, len(p.Decisions))
	w := make([]float64, len(p.Decisions))
	var fixedCost, minCost, maxCost, baseMoney float64
	inBudget := 0
	for i, d := range p.Decisions {
		dims[i] = optimize.Dim{Name: d.Path, Lo: d.Min, Hi: d.Max, Integer: d.Integer}
		w[i] = d.UnitCost
		if d.UnitCost > 0 {
			inBudget++
			baseMoney += d.UnitCost * d.Baseline
			minCost += d.UnitCost * d.Min
			maxCost += d.UnitCost * d.Max
			if d.Fixed {
				fixedCost += d.UnitCost * d.Min
			}
		}
	}
	p.Space = optimize.Space{Dims: dims}
	p.penaltyScale = baseMoney
	if has {
		exact := o.Budget.TotalExactly > 0
		switch {
		case inBudget == 0:
			fail(p.BudgetPath, "a budget needs at least one money decision (money: true)", "", "")
		case fixedCost > total:
			fail(p.BudgetPath, fmt.Sprintf("budget is below the cost of the fixed items (%s)", fmtMoney(fixedCost)), fmtMoney(total), "≥ "+fmtMoney(fixedCost))
		case minCost > total:
			fail(p.BudgetPath, fmt.Sprintf("infeasible: the decisions' minimums already cost %s", fmtMoney(minCost)), fmtMoney(total), "≥ "+fmtMoney(minCost))
		case exact && maxCost < total:
			fail(p.BudgetPath, fmt.Sprintf("infeasible: even the decisions' maximums cost only %s", fmtMoney(maxCost)), fmtMoney(total), "≤ "+fmtMoney(maxCost))
		}
		p.Space.Budget = &optimize.Budget{Total: total, Exact: exact, Weights: w}
		p.penaltyScale = total
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if err := p.Space.Validate(); err != nil {
		// Map the space's remaining complaints (e.g. exact budgets over
		// weighted integers) to the budget line.
		path := p.BudgetPath
		if path == "" {
			path = "optimize.decide"
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			fail(path, strings.TrimPrefix(line, "optimize: "), "", "")
		}
		return nil, errs
	}
	if p.penaltyScale <= 0 {
		p.penaltyScale = 1
	}
	return p, nil
}

// decide turns the optimize block's decisions into p.Decisions, reporting
// each problem through fail, and returns how many are free (min < max).
func (p *Problem) decide(sc *scenarios.Scenario, fail func(path, msg, got, allowed string)) int {
	o := sc.Optimize
	seen := map[string]int{}
	fees := &feeSource{sc: sc}
	free := 0
	for i, d := range o.Decide {
		dp := fmt.Sprintf("optimize.decide.%d", i)
		if j, ok := seen[d.Path]; ok {
			fail(dp+".path", fmt.Sprintf("decided twice (also optimize.decide.%d)", j), strconv.Quote(d.Path), "")
			continue
		}
		seen[d.Path] = i
		raw, err := scenarios.Get(sc, d.Path)
		if err != nil {
			fail(dp+".path", "must name a numeric field: "+err.Error(), strconv.Quote(d.Path), "")
			continue
		}
		var cur float64
		intField := false
		switch v := raw.(type) {
		case int:
			cur, intField = float64(v), true
		case uint64:
			cur, intField = float64(v), true
		case float64:
			cur = v
		default:
			fail(dp+".path", "must name a numeric field", strconv.Quote(d.Path), "")
			continue
		}
		dd := Decided{Path: d.Path, Label: shortLabel(d.Path, o.Merchant), Min: d.Min, Max: d.Max,
			Integer: d.Integer || intField, IntField: intField, Fixed: d.Fixed, Baseline: cur, Group: groupOf(sc, d.Path, o.Merchant)}
		if math.IsNaN(d.Min) || math.IsNaN(d.Max) {
			fail(dp, "bounds must be numbers", "", "")
			continue
		}
		if d.Fixed {
			dd.Min, dd.Max = cur, cur
		} else {
			if d.Min > d.Max {
				fail(dp+".max", "bounds reversed: max is below min", fmt.Sprintf("min %g, max %g", d.Min, d.Max), "min ≤ max")
				continue
			}
			if d.Min == d.Max {
				// A one-point range is a fixed item at that value.
				dd.Fixed = true
			} else {
				free++
			}
			if dd.Integer && math.Ceil(d.Min) > math.Floor(d.Max) {
				fail(dp, "no whole number between min and max of an integer decision", fmt.Sprintf("min %g, max %g", d.Min, d.Max), "")
				continue
			}
		}
		if d.Money {
			uc, err := fees.unitCost(d)
			if err != nil {
				fail(dp+".unit_cost", err.Error(), "", "unit_cost > 0")
				continue
			}
			dd.UnitCost = uc
		} else if d.UnitCost != 0 {
			fail(dp+".unit_cost", "unit_cost is only for money decisions (money: true)", fmt.Sprint(d.UnitCost), "")
		}
		p.Decisions = append(p.Decisions, dd)
	}
	return free
}

func fmtMoney(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// shortLabel drops the "merchants.<id>." and "strategy.matrix." prefixes.
func shortLabel(path, merchant string) string {
	s := strings.TrimPrefix(path, "merchants."+merchant+".")
	s = strings.TrimPrefix(s, "strategy.matrix.")
	s = strings.TrimPrefix(s, "strategy.")
	return s
}

// matrixEntry finds the matrix entry a "...strategy.matrix.<id>.<field>"
// path names.
func matrixEntry(sc *scenarios.Scenario, path string) (*scenarios.MatrixEntry, bool) {
	i := strings.Index(path, ".strategy.matrix.")
	if i < 0 {
		return nil, false
	}
	entryPath := path[:strings.LastIndex(path, ".")]
	v, err := scenarios.Get(sc, entryPath)
	if err != nil {
		return nil, false
	}
	e, ok := v.(scenarios.MatrixEntry)
	return &e, ok
}

// groupOf classifies a decision for the allocation plot.
func groupOf(sc *scenarios.Scenario, path, merchant string) string {
	if e, ok := matrixEntry(sc, path); ok {
		return e.Type + " × " + e.Tier + " × " + e.Format
	}
	return shortLabel(path, merchant)
}

// feeSource answers unit costs from the engine's fee model, compiling the
// scenario the first time a matrix count needs it.
type feeSource struct {
	sc    *scenarios.Scenario
	model *sim.Model
}

// meanFee is the compiled model's mean fee of a tier and creator type
// ([sim.Model.MeanFee]).
func (f *feeSource) meanFee(tier, typ string) (float64, error) {
	if f.model == nil {
		m, err := sim.Compile(f.sc)
		if err != nil {
			return 0, err
		}
		f.model = m
	}
	return f.model.MeanFee(tier, typ)
}

// unitCost is a money decision's cost per unit: unit_cost when given;
// otherwise for a matrix count the fee of one cooperation (task budget for
// task contracts, nothing for commission-only cps, for fee contracts the
// engine's mean fee of the entry's tier and type, [sim.Model.MeanFee]); the
// horizon for a daily amount (paid_traffic.daily); and 1 for any other
// money field (a budget line).
func (f *feeSource) unitCost(d scenarios.Decision) (float64, error) {
	sc := f.sc
	if d.UnitCost < 0 || math.IsNaN(d.UnitCost) || math.IsInf(d.UnitCost, 0) {
		return 0, fmt.Errorf("unit_cost must be finite and ≥ 0, got %g", d.UnitCost)
	}
	if d.UnitCost > 0 {
		return d.UnitCost, nil
	}
	if strings.HasSuffix(d.Path, ".count") {
		e, ok := matrixEntry(sc, d.Path)
		if !ok {
			return 1, nil
		}
		switch e.Contract {
		case "cps":
			return 0, fmt.Errorf("a cps (commission-only) cooperation has no fee to count; give unit_cost or drop money: true")
		case "task":
			if e.Task != nil && e.Task.Budget > 0 {
				return e.Task.Budget, nil
			}
		}
		fee, err := f.meanFee(e.Tier, e.Type)
		if err != nil {
			return 0, err
		}
		if fee > 0 {
			return fee, nil
		}
		return 0, fmt.Errorf("cannot compute the fee of a %s %s cooperation (no rate card or roster creators of that tier); give unit_cost", e.Tier, e.Type)
	}
	if strings.HasSuffix(d.Path, ".daily") {
		return float64(sc.HorizonDays), nil
	}
	return 1, nil
}

// Cost is the budget cost of x (Σ unit cost × value).
func (p *Problem) Cost(x []float64) float64 {
	c := 0.0
	for i, d := range p.Decisions {
		c += d.UnitCost * x[i]
	}
	return c
}

// BaselineX is the scenario's own decision values (which need not lie in the
// Space: the baseline is always evaluated as written).
func (p *Problem) BaselineX() []float64 {
	x := make([]float64, len(p.Decisions))
	for i, d := range p.Decisions {
		x[i] = d.Baseline
	}
	return x
}

// Apply returns a copy of the base scenario with x written into the decided
// fields, without variants, optimize or sweep blocks, validated.
func (p *Problem) Apply(x []float64) (*scenarios.Scenario, error) {
	if len(x) != len(p.Decisions) {
		return nil, fmt.Errorf("optimize: %d values for %d decisions", len(x), len(p.Decisions))
	}
	sc := scenarios.Clone(p.Base)
	sc.Variants, sc.Optimize, sc.Sweep = nil, nil, nil
	for i, d := range p.Decisions {
		if err := scenarios.Set(sc, d.Path, p.value(i, x[i])); err != nil {
			return nil, fmt.Errorf("optimize: setting %s: %w", d.Path, err)
		}
	}
	for _, path := range normalize(sc) {
		if err := scenarios.Set(sc, path, 0.0); err != nil {
			return nil, err
		}
	}
	if err := scenarios.Validate(sc); err != nil {
		return nil, fmt.Errorf("optimize: candidate is not a valid scenario: %w", err)
	}
	return sc, nil
}

// normalize lists the fields a decision makes meaningless and that must be
// zeroed for the scenario to stay valid: a merchant's daily paid-traffic
// target when its paid_traffic budget is decided to be zero (the
// scenario language rejects paid traffic without a budget).
func normalize(sc *scenarios.Scenario) []string {
	var paths []string
	for _, m := range sc.Merchants {
		if m.Budget.PaidTraffic == 0 && m.Strategy.PaidTraffic.Daily > 0 {
			paths = append(paths, "merchants."+m.ID+".strategy.paid_traffic.daily")
		}
	}
	return paths
}

// value is x[i] in the type of the scenario field.
func (p *Problem) value(i int, v float64) any {
	if p.Decisions[i].IntField {
		return int64(math.Round(v))
	}
	return v
}

// Variant returns the decision x as a scenario variant (set: path → value)
// named name.
func (p *Problem) Variant(name, desc string, x []float64) scenarios.Variant {
	set := make(map[string]any, len(x))
	for i, d := range p.Decisions {
		if d.Fixed {
			continue
		}
		set[d.Path] = p.value(i, x[i])
	}
	if sc, err := p.Apply(x); err == nil {
		for _, m := range sc.Merchants {
			if m.Budget.PaidTraffic == 0 {
				if bm := p.merchant(m.ID); bm != nil && bm.Strategy.PaidTraffic.Daily > 0 {
					set["merchants."+m.ID+".strategy.paid_traffic.daily"] = 0.0
				}
			}
		}
	}
	return scenarios.Variant{Name: name, Description: desc, Set: set}
}

func (p *Problem) merchant(id string) *scenarios.Merchant {
	for i := range p.Base.Merchants {
		if p.Base.Merchants[i].ID == id {
			return &p.Base.Merchants[i]
		}
	}
	return nil
}

// RepValues turns one evaluation's per-replication KPIs into per-replication
// values of the penalised objective (see Value).
func (p *Problem) RepValues(k map[string][]float64) ([]float64, error) {
	obj, err := p.kpi(k, p.Objective)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(obj))
	for r := range obj {
		one := map[string][]float64{}
		for name, v := range k {
			if r < len(v) {
				one[name] = v[r : r+1]
			}
		}
		out[r], err = p.Value(one)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Value is the penalised objective of one evaluation (KPIs per
// replication): the mean of the objective KPI over the replications
// (roi: total GMV / total spend), minus, when the mean ROI falls short of
// MinROI, twice the GMV missing to reach it (converted to the objective's
// units by the evaluation's own objective/GMV ratio for new_customers, and
// as ROI points for roi). For the spend objective (minimised) the value is
// the mean spend plus, when the target KPI's mean falls short, twice the
// relative shortfall times the budget total (or the baseline's money when
// there is no budget). A feasible candidate's value is its objective.
func (p *Problem) Value(k map[string][]float64) (float64, error) {
	obj, err := p.kpi(k, p.Objective)
	if err != nil {
		return 0, err
	}
	v := mean(obj)
	if p.Objective == sim.KPIROI {
		v = p.ratio(k)
	}
	if p.Objective == sim.KPISpend {
		t, err := p.kpi(k, p.Target.KPI)
		if err != nil {
			return 0, err
		}
		tv := mean(t)
		if p.Target.KPI == sim.KPIROI {
			tv = p.ratio(k)
		}
		if short := p.Target.AtLeast - tv; short > 0 && p.Target.AtLeast > 0 {
			v += 2 * short / p.Target.AtLeast * p.penaltyScale
		}
		return v, nil
	}
	if p.MinROI > 0 {
		gmv, err1 := p.kpi(k, sim.KPIGMV)
		spend, err2 := p.kpi(k, sim.KPISpend)
		if err1 != nil || err2 != nil {
			return 0, fmt.Errorf("optimize: min_roi needs gmv and spend from the simulator")
		}
		g, s := sum(gmv), sum(spend)
		n := float64(len(gmv))
		if s > 0 && g/s < p.MinROI {
			missing := (p.MinROI*s - g) / n // mean GMV missing
			switch p.Objective {
			case sim.KPIGMV, sim.KPIProfit:
				v -= 2 * missing
			case sim.KPIROI:
				v -= 2 * (p.MinROI - g/s)
			default:
				if g > 0 {
					v -= 2 * missing * math.Abs(v) / (g / n)
				} else {
					v -= 2 * missing
				}
			}
		}
	}
	return v, nil
}

// Feasible reports whether an evaluation meets MinROI and the target.
func (p *Problem) Feasible(k map[string][]float64) bool {
	if p.Objective == sim.KPISpend {
		t, err := p.kpi(k, p.Target.KPI)
		if err != nil {
			return false
		}
		tv := mean(t)
		if p.Target.KPI == sim.KPIROI {
			tv = p.ratio(k)
		}
		return tv >= p.Target.AtLeast
	}
	if p.MinROI > 0 {
		return p.ratio(k) >= p.MinROI
	}
	return true
}

// ratio is an evaluation's ROI over its replications, total GMV / total
// spend ([stats.ROI]). Where that is undefined (nothing spent) the search
// needs a number all the same: the mean of the simulator's own defined roi
// values if it reports any, else 0 (a candidate that spends nothing returns
// nothing per yuan).
func (p *Problem) ratio(k map[string][]float64) float64 {
	if r := stats.ROI(sum(k[sim.KPIGMV]), sum(k[sim.KPISpend])); !math.IsNaN(r) {
		return r
	}
	if v, ok := k[sim.KPIROI]; ok && len(v) > 0 {
		if m := stats.MeanCI(v, stats.DefaultLevel).Mean; !math.IsNaN(m) {
			return m
		}
	}
	return 0
}

func (p *Problem) kpi(k map[string][]float64, name string) ([]float64, error) {
	if v, ok := k[name]; ok && len(v) > 0 {
		return v, nil
	}
	if name == sim.KPIROI {
		if g, s := k[sim.KPIGMV], k[sim.KPISpend]; len(g) > 0 && len(g) == len(s) {
			return stats.ROIs(g, s), nil
		}
	}
	return nil, fmt.Errorf("optimize: the simulator returned no %q values", name)
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}
