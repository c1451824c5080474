package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"strings"
)

// This file is the language of `startrend calibrate`: the calibrate block
// states what was observed (targets) and which fields may change to
// reproduce it (parameters, in the shared parameter syntax).
//
//	calibrate:
//	  method: smm                    # smm (default) or abc-smc
//	  runs: 3000                     # budget: runs = replications × arms
//	  replications: 4                # smm: per candidate (default 4)
//	  targets:
//	    - name: orders_per_cooperation
//	      kpi: orders / cooperations # a KPI, or the ratio NUM / DEN
//	      observed: 60
//	      tolerance: 0.1             # ±10%; or se: 3
//	    - name: campaign_conversion_lift
//	      kpi: orders / impressions_k
//	      variant: with_campaign     # measured on a variant (default baseline)
//	      versus: baseline           # relative change against another arm
//	      observed: 0.264
//	      se: 0.02
//	    - {name: jacket_orders, kpi: orders, merchant: spring_jacket, window: [1, 30], observed: 900, se: 40}
//	    - name: creator_orders_per_cooperation # a side on a breakdown row
//	      kpi: orders@contract:!own / cooperations
//	      observed: 60
//	      tolerance: 0.1
//	  parameters:
//	    - {path: platform.base_conversion.a3_a4, min: 0.01, max: 0.4}
//	    - path: trends.mint_manbo.q
//	      min: 0.05
//	      max: 1.2
//	      prior: {dist: lognormal, mean: -1.2, sd: 0.5}
//
// KPI names are checked against the simulator's metric registry by the
// command (this package does not know them).

// Calibrate is the calibration problem of `startrend calibrate`.
type Calibrate struct {
	// Method is smm (simulated method of moments, default) or abc-smc.
	Method string `yaml:"method,omitempty" json:"method,omitempty"`
	// Runs is the run budget; a run is one replication of one arm (the
	// baseline or a variant a target is measured on). Default 2000.
	Runs int `yaml:"runs,omitempty" json:"runs,omitempty"`
	// Replications per candidate for smm (default 4, at least 2).
	Replications int `yaml:"replications,omitempty" json:"replications,omitempty"`
	// Seed of the method's own random numbers (default: the scenario's seed).
	Seed uint64 `yaml:"seed,omitempty" json:"seed,omitempty"`
	// Bootstrap is the number of smm parametric-bootstrap refits (0: the
	// asymptotic sandwich only).
	Bootstrap int `yaml:"bootstrap,omitempty" json:"bootstrap,omitempty"`
	// Population is abc-smc's particles per generation (default 200).
	Population int `yaml:"population,omitempty" json:"population,omitempty"`
	// Generations caps abc-smc's generations (default 8).
	Generations int `yaml:"generations,omitempty" json:"generations,omitempty"`
	// Targets are the observed statistics to reproduce (at least one).
	Targets []CalibrationTarget `yaml:"targets" json:"targets"`
	// Parameters are the fields the calibration may change, with bounds
	// and an optional prior (at least one).
	Parameters []Parameter `yaml:"parameters" json:"parameters"`
}

// CalibrationTarget is one observed statistic.
type CalibrationTarget struct {
	// Name identifies the target in the report (unique).
	Name string `yaml:"name" json:"name"`
	// KPI is a KPI name (orders, gmv, trend_submissions, …) or the ratio of
	// two, "NUM / DEN" (orders / cooperations). A side may name its own
	// breakdown row, NAME@DIMENSION:KEY (orders@contract:!own: creator
	// content orders; !KEY sums every key but KEY).
	KPI string `yaml:"kpi" json:"kpi"`
	// Merchant, Trend or Campaign (at most one) measure the KPI on that
	// element's breakdown instead of the whole market.
	Merchant string `yaml:"merchant,omitempty" json:"merchant,omitempty"`
	Trend    string `yaml:"trend,omitempty" json:"trend,omitempty"`
	Campaign string `yaml:"campaign,omitempty" json:"campaign,omitempty"`
	// Breakdown measures the KPI on any breakdown row of the engine, as
	// DIMENSION:KEY (creator_type:own, campaign_window:glow_beauty/super_value),
	// or DIMENSION:!KEY for the sum over every key but KEY (contract:!own:
	// orders of creator content); not together with merchant, trend or
	// campaign.
	Breakdown string `yaml:"breakdown,omitempty" json:"breakdown,omitempty"`
	// Variant is the arm the KPI is measured on (default baseline).
	Variant string `yaml:"variant,omitempty" json:"variant,omitempty"`
	// Versus makes the target a relative change: KPI(variant) /
	// KPI(versus) − 1, paired by replication.
	Versus string `yaml:"versus,omitempty" json:"versus,omitempty"`
	// Window is [first day, last day] of KPI days summed (default: the
	// whole horizon); market KPIs and trend series only.
	Window []int `yaml:"window,omitempty" json:"window,omitempty"`
	// Observed is the observed value.
	Observed float64 `yaml:"observed" json:"observed"`
	// SE is the observed value's standard error (≥ 0).
	SE float64 `yaml:"se,omitempty" json:"se,omitempty"`
	// Tolerance is the relative tolerance of the fit (0.1 = ±10%); with se
	// 0 it also stands for the observation's uncertainty as a 95% band.
	Tolerance float64 `yaml:"tolerance,omitempty" json:"tolerance,omitempty"`
}

// CalibrateMethods returns the methods a calibrate block may name.
func CalibrateMethods() []string { return []string{"smm", "abc-smc"} }

func init() {
	fieldRules[reflect.TypeOf(Calibrate{})] = map[string]rule{"method": withEmpty(oneOf(CalibrateMethods()...)),
		"runs": rng(0, 100_000_000), "replications": rng(0, 100000), "bootstrap": rng(0, 100000),
		"population": rng(0, 1_000_000), "generations": rng(0, 1000)}
	fieldRules[reflect.TypeOf(CalibrationTarget{})] = map[string]rule{"se": nonNeg, "tolerance": nonNeg}
	requiredFields[reflect.TypeOf(Calibrate{})] = []string{"targets", "parameters"}
	requiredFields[reflect.TypeOf(CalibrationTarget{})] = []string{"name", "kpi", "observed"}
}

// SplitKPI splits a target's kpi into its numerator and denominator ("" when
// it is a single KPI). The ratio's slash has spaces around it ("orders /
// cooperations"; "orders/cooperations" too when no breakdown key, which may
// hold a slash, is named).
func SplitKPI(kpi string) (num, den string) {
	if a, b, ok := strings.Cut(kpi, " / "); ok {
		return strings.TrimSpace(a), strings.TrimSpace(b)
	}
	if !strings.Contains(kpi, ":") {
		if a, b, ok := strings.Cut(kpi, "/"); ok {
			return strings.TrimSpace(a), strings.TrimSpace(b)
		}
	}
	return strings.TrimSpace(kpi), ""
}

// Arm returns the variant a target is measured on ("baseline" by default).
func (t CalibrationTarget) Arm() string {
	if t.Variant == "" {
		return "baseline"
	}
	return t.Variant
}

// calibrate validates the calibrate block.
func (v *validator) calibrate() {
	c := v.sc.Calibrate
	if c == nil {
		return
	}
	if c.Method == "smm" || c.Method == "" {
		if c.Replications == 1 {
			v.fail("calibrate.replications", "smm needs at least 2 replications per candidate to estimate the simulation noise", "1", "≥ 2")
		}
	}
	if v.sc.given("calibrate.population") && c.Population < 10 {
		v.fail("calibrate.population", "too few particles", fmt.Sprint(c.Population), "≥ 10")
	}
	v.parameters("calibrate.parameters", c.Parameters, "")
	for i, p := range c.Parameters {
		pp := fmt.Sprintf("calibrate.parameters.%d", i)
		if p.Min == p.Max {
			v.fail(pp, "a calibrated parameter needs a range: min < max", fmt.Sprintf("min %s, max %s", fmtNum(p.Min), fmtNum(p.Max)), "min < max")
		}
		if pr := p.Prior; pr != nil && pr.Dist != "uniform" && p.Min < p.Max {
			center := pr.Mean
			if pr.Dist == "lognormal" {
				center = math.Exp(pr.Mean)
			}
			if center < p.Min || center > p.Max {
				v.fail(pp+".prior.mean", fmt.Sprintf("the prior's centre %s is outside the parameter's bounds", fmtNum(center)), fmtNum(pr.Mean), fmt.Sprintf("a centre in [%s, %s]", fmtNum(p.Min), fmtNum(p.Max)))
			}
			if !(pr.SD > 0) {
				v.fail(pp+".prior.sd", "a "+pr.Dist+" prior needs sd > 0", fmtNum(pr.SD), "> 0")
			}
		}
	}
	if len(c.Targets) == 0 {
		v.fail("calibrate.targets", "at least one target is needed", "", "")
	}
	arms := map[string]bool{"baseline": true}
	for _, vr := range v.sc.Variants {
		arms[vr.Name] = true
	}
	merchants, trends, campaigns := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, m := range v.sc.Merchants {
		merchants[m.ID] = true
	}
	for _, t := range v.sc.Trends {
		trends[t.ID] = true
	}
	for _, cp := range v.sc.Campaigns {
		campaigns[cp.ID] = true
	}
	names := map[string]bool{}
	for i, t := range c.Targets {
		tp := fmt.Sprintf("calibrate.targets.%d", i)
		if t.Name != "" && names[t.Name] {
			v.fail(tp+".name", "duplicate target name", quote(t.Name), "")
		}
		names[t.Name] = true
		num, den := SplitKPI(t.KPI)
		if num == "" || (strings.HasSuffix(strings.TrimSpace(t.KPI), "/") && den == "") || strings.Count(t.KPI, " / ") > 1 || strings.Contains(den, " / ") {
			v.fail(tp+".kpi", "a KPI name or a ratio NUM / DEN", quote(t.KPI), "e.g. orders or orders / cooperations")
		}
		scopes := 0
		for _, s := range []struct {
			field, id string
			known     map[string]bool
			kind      string
		}{{"merchant", t.Merchant, merchants, "merchant"}, {"trend", t.Trend, trends, "trend"}, {"campaign", t.Campaign, campaigns, "campaign"}} {
			if s.id != "" {
				scopes++
				v.ref(tp+"."+s.field, s.kind, s.id, s.known)
			}
		}
		if t.Breakdown != "" {
			scopes++
			if i := strings.IndexByte(t.Breakdown, ':'); i <= 0 || i == len(t.Breakdown)-1 {
				v.fail(tp+".breakdown", "a breakdown row is DIMENSION:KEY", quote(t.Breakdown), "e.g. creator_type:own")
			}
		}
		if scopes > 1 {
			v.fail(tp, "give at most one of merchant, trend, campaign and breakdown", "", "")
		}
		for _, a := range []struct{ field, name string }{{"variant", t.Variant}, {"versus", t.Versus}} {
			if a.name != "" && !arms[a.name] {
				v.fail(tp+"."+a.field, "unknown variant"+DidYouMean(a.name, sortedKeys(arms)), quote(a.name), "baseline or a variant's name")
			}
		}
		if t.Versus != "" && t.Versus == t.Arm() {
			v.fail(tp+".versus", "a relative change needs two different arms", quote(t.Versus), "")
		}
		if len(t.Window) > 0 {
			switch {
			case len(t.Window) != 2:
				v.fail(tp+".window", "a window is [first day, last day]", fmt.Sprint(t.Window), "two days")
			case t.Window[0] < 1 || t.Window[1] > v.sc.HorizonDays || t.Window[0] > t.Window[1]:
				v.fail(tp+".window", "out of range", fmt.Sprint(t.Window), fmt.Sprintf("1 ≤ first ≤ last ≤ %d (horizon_days)", v.sc.HorizonDays))
			case t.Merchant != "" || t.Campaign != "" || t.Breakdown != "":
				v.fail(tp+".window", "a window applies to market KPIs and trend series, not to breakdown rows", fmt.Sprint(t.Window), "")
			}
		}
		if math.IsNaN(t.Observed) || math.IsInf(t.Observed, 0) {
			v.fail(tp+".observed", "must be a finite number", fmtNum(t.Observed), "")
		}
		if !(t.SE > 0) && !(t.Tolerance > 0 && t.Observed != 0) {
			v.fail(tp, "needs se > 0 or tolerance > 0 (with a non-zero observed value)", fmt.Sprintf("se %s, tolerance %s", fmtNum(t.SE), fmtNum(t.Tolerance)), "")
		}
	}
}
