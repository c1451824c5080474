package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// This file is the sensitivity block read by `startrend sensitivity`:
//
//	sensitivity:
//	  method: all               # morris, sobol, oat or all (default all)
//	  kpis: [gmv, roi, merchant.glow_beauty.gmv]
//	  n: 256                    # Sobol base points (a power of two)
//	  until_ci: 0.05            # optional stop rule: double n until every ST CI is within ±0.05
//	  max_n: 1024               # the stop rule's cap (a power of two ≥ n)
//	  replications: 2           # per design point, independent seeds (≥ 2 to measure noise)
//	  trajectories: 20          # Morris r
//	  levels: 4                 # Morris p (even)
//	  candidates: 100           # Morris: keep the r most spread of this many
//	  parameters:
//	    - {path: platform.cpm, min: 20, max: 60}
//	    - {path: merchants.spring_jacket.strategy.matrix.0.count, min: 2, max: 12}   # integer field
//
// Parameters use the experiments' syntax (scenarios.Parameter, as sweep,
// calibrate and optimize): a numeric field path and bounds min < max (whole
// bounds for integer fields, whose values spread evenly over the integers).

// Sensitivity describes a sensitivity analysis: which parameters to vary
// within which bounds, which KPIs to explain, and how.
type Sensitivity struct {
	// Method is morris (elementary effects), sobol (Saltelli sampling), oat
	// (one at a time) or all (default: all three).
	Method string `yaml:"method,omitempty" json:"method,omitempty"`
	// KPIs to explain: a market KPI by name (gmv, roi, new_customers, …)
	// or a merchant's as merchant.ID.METRIC (METRIC one of gmv, orders,
	// new_customers, impressions, spend, creator_income, roi).
	KPIs []string `yaml:"kpis" json:"kpis"`
	// N is the number of Sobol base points (a power of two; default 256):
	// N·(D+2) runs, N·(2D+2) with second order.
	N int `yaml:"n,omitempty" json:"n,omitempty"`
	// UntilCI, when positive, doubles N until every total index's 95% CI
	// half-width is below it (resuming, never recomputing), up to MaxN.
	UntilCI float64 `yaml:"until_ci,omitempty" json:"until_ci,omitempty"`
	// MaxN caps the stop rule (a power of two ≥ n; default 16·n).
	MaxN int `yaml:"max_n,omitempty" json:"max_n,omitempty"`
	// SecondOrder also estimates pairwise indices S2.
	SecondOrder bool `yaml:"second_order,omitempty" json:"second_order,omitempty"`
	// Replications per design point, each with its own seed (default 2;
	// ≥ 2 measures the simulation noise and corrects the indices for it).
	Replications int `yaml:"replications,omitempty" json:"replications,omitempty"`
	// Trajectories r of the Morris design (default 20, at least 4).
	Trajectories int `yaml:"trajectories,omitempty" json:"trajectories,omitempty"`
	// Levels p of the Morris grid (even, default 4).
	Levels int `yaml:"levels,omitempty" json:"levels,omitempty"`
	// Candidates: when above trajectories, the r most spread out of this
	// many random trajectories are used (optimised trajectories).
	Candidates int `yaml:"candidates,omitempty" json:"candidates,omitempty"`
	// Resamples of the bootstrap behind every CI (default 1000, ≥ 100).
	Resamples int `yaml:"resamples,omitempty" json:"resamples,omitempty"`
	// Seed of the designs and the runs' seeds (default: the scenario's).
	Seed uint64 `yaml:"seed,omitempty" json:"seed,omitempty"`
	// Parameters are the varied fields (at least one), in the experiments'
	// syntax: a numeric field path with bounds min < max (whole bounds for
	// integer fields).
	Parameters []Parameter `yaml:"parameters" json:"parameters"`
}

// SensitivityMethods returns the methods a sensitivity block may name.
func SensitivityMethods() []string { return []string{"all", "morris", "sobol", "oat"} }

// merchantKPIMetrics are the per-merchant metrics a KPI merchant.ID.METRIC
// may name (the engine's merchant breakdown).
var merchantKPIMetrics = []string{"gmv", "orders", "new_customers", "impressions", "spend", "creator_income", "roi"}

func init() {
	fieldRules[reflect.TypeOf(Sensitivity{})] = map[string]rule{
		"method": withEmpty(oneOf(SensitivityMethods()...)), "n": rng(0, 1<<24), "max_n": rng(0, 1<<26),
		"until_ci": rng(0, 1), "replications": rng(0, 1000), "trajectories": rng(0, 100000),
		"levels": rng(0, 1000), "candidates": rng(0, 100000), "resamples": rng(0, 1_000_000)}
	requiredFields[reflect.TypeOf(Sensitivity{})] = []string{"kpis", "parameters"}
}

func isPow2(n int) bool { return n > 0 && n&(n-1) == 0 }

// sensitivity checks the sensitivity block's semantics.
func (v *validator) sensitivity() {
	s := v.sc.Sensitivity
	if s == nil {
		return
	}
	sc := v.sc
	v.parameters("sensitivity.parameters", s.Parameters, "")
	for i, p := range s.Parameters {
		pp := fmt.Sprintf("sensitivity.parameters.%d", i)
		if _, err := GetFloat(sc, p.Path); err != nil {
			continue // reported by parameters
		}
		switch {
		case len(p.Values) > 0:
			v.fail(pp+".values", "a sensitivity parameter is a range: give min and max", "", "min < max")
			continue
		case p.Fixed:
			v.fail(pp+".fixed", "a fixed parameter is not varied; leave it out", "true", "")
			continue
		case p.Min == p.Max:
			v.fail(pp, "an empty range: min must be below max", fmt.Sprintf("min %s, max %s", fmtNum(p.Min), fmtNum(p.Max)), "min < max")
			continue
		case p.Min > p.Max:
			continue // reported by parameters
		}
		// Both bounds must be values the field accepts.
		for _, b := range []struct {
			name string
			val  float64
		}{{"min", p.Min}, {"max", p.Max}} {
			c := Clone(sc)
			c.Variants, c.Sweep, c.Optimize, c.Sensitivity = nil, nil, nil, nil
			if err := setNumber(c, p.Path, b.val); err != nil {
				v.fail(pp+"."+b.name, "cannot be set: "+pathMsg(err), fmtNum(b.val), "")
			} else if es, ok := Validate(c).(Errors); ok {
				// only problems of the field itself: the rest of the
				// scenario is checked (and reported) on its own
				for _, e := range es {
					if e.Path == p.Path || strings.HasPrefix(e.Path, p.Path+".") {
						msg := e.Msg
						if e.Allowed != "" {
							msg += " (allowed " + e.Allowed + ")"
						}
						v.fail(pp+"."+b.name, "makes the scenario invalid: "+msg, fmtNum(b.val), "")
						break
					}
				}
			}
		}
	}
	if len(s.KPIs) == 0 {
		v.fail("sensitivity.kpis", "at least one KPI is needed", "", "")
	}
	mids := map[string]bool{}
	for _, m := range sc.Merchants {
		mids[m.ID] = true
	}
	for i, k := range s.KPIs {
		kp := fmt.Sprintf("sensitivity.kpis.%d", i)
		if rest, ok := strings.CutPrefix(k, "merchant."); ok {
			id, metric, ok := strings.Cut(rest, ".")
			switch {
			case !ok:
				v.fail(kp, "a merchant KPI is merchant.ID.METRIC", quote(k), "")
			case !mids[id]:
				v.fail(kp, "unknown merchant"+DidYouMean(id, sortedKeys(mids)), quote(id), "")
			case !contains(merchantKPIMetrics, metric):
				v.fail(kp, "unknown merchant metric"+DidYouMean(metric, merchantKPIMetrics), quote(metric), strings.Join(merchantKPIMetrics, ", "))
			}
		}
	}
	switch {
	case s.N != 0 && !isPow2(s.N):
		v.fail("sensitivity.n", "must be a power of two (Sobol designs are balanced at 2, 4, 8, …)", strconv.Itoa(s.N), "2, 4, 8, …")
	case s.N == 1:
		v.fail("sensitivity.n", "must be at least 2", "1", "2, 4, 8, …")
	}
	n := s.N
	if n == 0 {
		n = 256
	}
	if s.MaxN != 0 && (!isPow2(s.MaxN) || s.MaxN < n) {
		v.fail("sensitivity.max_n", "must be a power of two ≥ n", strconv.Itoa(s.MaxN), fmt.Sprintf("%d, %d, …", n, 2*n))
	}
	if s.Trajectories != 0 && s.Trajectories < 4 {
		v.fail("sensitivity.trajectories", "too few Morris trajectories", strconv.Itoa(s.Trajectories), "≥ 4")
	}
	if s.Levels != 0 && (s.Levels < 2 || s.Levels%2 != 0) {
		v.fail("sensitivity.levels", "Morris levels must be even", strconv.Itoa(s.Levels), "2, 4, 6, …")
	}
	r := s.Trajectories
	if r == 0 {
		r = 20
	}
	if s.Candidates != 0 && s.Candidates < r {
		v.fail("sensitivity.candidates", "fewer candidates than trajectories", strconv.Itoa(s.Candidates), fmt.Sprintf("0 or ≥ %d", r))
	}
	if s.Resamples != 0 && s.Resamples < 100 {
		v.fail("sensitivity.resamples", "too few bootstrap resamples", strconv.Itoa(s.Resamples), "≥ 100")
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// setNumber sets the numeric field at path to x (an int for integer fields).
func setNumber(sc *Scenario, path string, x float64) error {
	cur, err := Get(sc, path)
	if err != nil {
		return err
	}
	switch cur.(type) {
	case int:
		return Set(sc, path, int(math.Round(x)))
	case uint64:
		if x < 0 {
			return fmt.Errorf("%s: %s is negative", path, fmtNum(x))
		}
		return Set(sc, path, uint64(math.Round(x)))
	}
	return Set(sc, path, x)
}
