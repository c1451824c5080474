package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
)

// This file is the language of experiments: the parameters a sweep, a
// sensitivity analysis, a calibration or an optimisation varies, and the
// sweep block. Every experiment names its inputs with one syntax,
// Parameter: a field path (the path syntax of paths.go) with the values it
// may take.
//
//	sweep:
//	  design: grid                 # grid, zip, random, lhs or sobol
//	  replications: 10             # per point (default: the scenario's)
//	  parameters:
//	    - path: campaigns.super_value.discount
//	      min: 0
//	      max: 0.3
//	      step: 0.05               # grid: 0, 0.05, …, 0.3
//	    - path: merchants.brand_a.budget.pacing
//	      values: [even, front_loaded]   # a categorical parameter
//	    - path: merchants.brand_a.strategy.matrix.any-reach-koc-post.count
//	      min: 0
//	      max: 40
//	      levels: 5                # grid: 0, 10, 20, 30, 40 (integer field)
//
// A numeric parameter has bounds min ≤ max; a grid or zip design lists its
// values with step (min, min+step, … up to max) or levels (that many evenly
// spaced values from min to max inclusive), and sampled designs (random,
// lhs, sobol) draw within the bounds. A parameter with values is
// categorical for sampled designs (each value equally likely) and takes the
// values in order in a grid or zip. Integer fields (counts, days) take whole
// numbers only: sampled values are spread evenly over the integers min..max.
// Money (optimize), unit_cost, fixed (optimize) and prior (calibrate) are
// read by the methods that need them and ignored by the others.

// Parameter is one input of an experiment: a field addressed by path with
// the values it may take (bounds, a step or levels, or a list).
type Parameter struct {
	// Path names the field (e.g. campaigns.super_value.discount).
	Path string `yaml:"path" json:"path"`
	// Values lists the values explicitly (numbers, or categories such as
	// pacing names); not together with min, max, step or levels.
	Values []any `yaml:"values,omitempty" json:"values,omitempty"`
	// Min and Max bound a numeric parameter (min ≤ max).
	Min float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max float64 `yaml:"max,omitempty" json:"max,omitempty"`
	// Step spaces a grid's values: min, min+step, … up to max (> 0).
	Step float64 `yaml:"step,omitempty" json:"step,omitempty"`
	// Levels is the number of evenly spaced grid values from min to max
	// inclusive (≥ 1; 1 gives min).
	Levels int `yaml:"levels,omitempty" json:"levels,omitempty"`
	// Integer restricts the values to whole numbers (implied for integer
	// fields such as counts).
	Integer bool `yaml:"integer,omitempty" json:"integer,omitempty"`
	// Money marks a parameter counted in optimize's budget constraint, at
	// unit_cost per unit of the value (1 for a budget field; computed when
	// 0 for a count of cooperations).
	Money    bool    `yaml:"money,omitempty" json:"money,omitempty"`
	UnitCost float64 `yaml:"unit_cost,omitempty" json:"unit_cost,omitempty"`
	// Fixed keeps the scenario's value (reported, not varied).
	Fixed bool `yaml:"fixed,omitempty" json:"fixed,omitempty"`
	// Prior is calibrate's prior distribution of the parameter (default
	// uniform on [min, max]).
	Prior *Prior `yaml:"prior,omitempty" json:"prior,omitempty"`
}

// Prior is a prior distribution of a parameter, truncated to the
// parameter's bounds.
type Prior struct {
	// Dist is uniform, normal or lognormal (mean and sd of the log).
	Dist string  `yaml:"dist" json:"dist"`
	Mean float64 `yaml:"mean,omitempty" json:"mean,omitempty"`
	SD   float64 `yaml:"sd,omitempty" json:"sd,omitempty"`
}

// Sweep describes a parameter sweep for `startrend sweep`: a design of
// points over the parameters, each run for a number of replications with
// common random numbers (replication r of every point uses the same random
// streams, so differences between points are paired).
type Sweep struct {
	// Design is grid (every combination of the parameters' values), zip
	// (the i-th value of every parameter together; equal counts), random
	// (uniform), lhs (Latin hypercube) or sobol (low-discrepancy sequence).
	Design string `yaml:"design" json:"design"`
	// Points is the number of points of a random, lhs or sobol design.
	Points int `yaml:"points,omitempty" json:"points,omitempty"`
	// Replications per point (default: the scenario's replications).
	Replications int `yaml:"replications,omitempty" json:"replications,omitempty"`
	// Seed of a random or lhs design's draws (default: the scenario's
	// seed). The simulation's own streams always come from the scenario's
	// seed.
	Seed uint64 `yaml:"seed,omitempty" json:"seed,omitempty"`
	// Metrics lists the KPIs recorded per run (default: every KPI).
	Metrics []string `yaml:"metrics,omitempty" json:"metrics,omitempty"`
	// Parameters are the swept fields (at least one).
	Parameters []Parameter `yaml:"parameters" json:"parameters"`
}

// designs an experiment may use.
var designs = []string{"grid", "zip", "random", "lhs", "sobol"}

// priorDists are the distributions a Prior may name.
var priorDists = []string{"uniform", "normal", "lognormal"}

func init() {
	fieldRules[reflect.TypeOf(Sweep{})] = map[string]rule{"design": oneOf(designs...),
		"points": rng(0, 100_000_000), "replications": rng(0, 100000)}
	fieldRules[reflect.TypeOf(Parameter{})] = map[string]rule{"levels": rng(0, 100_000_000), "step": nonNeg, "unit_cost": nonNeg}
	fieldRules[reflect.TypeOf(Prior{})] = map[string]rule{"dist": oneOf(priorDists...), "sd": nonNeg}
	requiredFields[reflect.TypeOf(Sweep{})] = []string{"parameters"}
	requiredFields[reflect.TypeOf(Parameter{})] = []string{"path"}
	requiredFields[reflect.TypeOf(Prior{})] = []string{"dist"}
}

// given reports whether the scenario file wrote the field at path (as
// opposed to leaving it at its zero value).
func (sc *Scenario) given(path string) bool {
	_, ok := sc.pos[path]
	return ok
}

// ParameterKind says how a parameter's values are represented.
type ParameterKind int

const (
	// Real parameters take any number within their bounds.
	Real ParameterKind = iota
	// Whole parameters take whole numbers within their bounds.
	Whole
	// Categorical parameters take one of their listed values.
	Categorical
)

// KindOf returns how p's values are represented in sc: categorical when it
// lists values that are not all numbers, whole when it says integer or
// names an integer field, real otherwise.
func KindOf(sc *Scenario, p Parameter) ParameterKind {
	if len(p.Values) > 0 {
		for _, v := range p.Values {
			if _, ok := toFloat(v); !ok {
				return Categorical
			}
		}
	}
	if p.Integer {
		return Whole
	}
	if x, err := Get(sc, p.Path); err == nil {
		switch x.(type) {
		case int, uint64:
			return Whole
		}
	}
	return Real
}

// toFloat is a number of the language (a float64, or an int, int64 or
// uint64 field or list element) as a float64.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// GridValues returns a numeric parameter's grid values (values, step or
// levels) in order, or nil when it has none (a sampled-only parameter or a
// categorical one).
func GridValues(sc *Scenario, p Parameter) []float64 {
	whole := KindOf(sc, p) == Whole
	round := func(x float64) float64 {
		if whole {
			return math.Round(x)
		}
		return x
	}
	switch {
	case len(p.Values) > 0:
		out := make([]float64, 0, len(p.Values))
		for _, v := range p.Values {
			x, ok := toFloat(v)
			if !ok {
				return nil
			}
			out = append(out, x)
		}
		return out
	case p.Step > 0:
		n := int(math.Floor((p.Max-p.Min)/p.Step*(1+1e-12))) + 1
		out := make([]float64, 0, max(n, 0))
		for i := 0; i < n; i++ {
			out = append(out, round(tidy(p.Min+float64(i)*p.Step)))
		}
		return out
	case p.Levels > 0:
		out := make([]float64, p.Levels)
		for i := range out {
			if p.Levels == 1 {
				out[i] = round(p.Min)
			} else {
				out[i] = round(tidy(p.Min + (p.Max-p.Min)*float64(i)/float64(p.Levels-1)))
			}
		}
		return out
	}
	return nil
}

// tidy rounds a computed grid value to 12 significant digits, so that
// 6 × 0.05 is 0.3, not 0.30000000000000004.
func tidy(x float64) float64 {
	y, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 12, 64), 64)
	if err != nil {
		return x
	}
	return y
}

// experiments validates the sweep block.
func (v *validator) experiments() {
	s := v.sc.Sweep
	if s == nil {
		return
	}
	sampled := s.Design == "random" || s.Design == "lhs" || s.Design == "sobol"
	if sampled && s.Points < 1 {
		v.fail("sweep.points", "a "+s.Design+" design needs the number of points", strconv.Itoa(s.Points), "≥ 1")
	}
	if !sampled && v.sc.given("sweep.points") {
		v.fail("sweep.points", "points applies to random, lhs and sobol designs; a "+s.Design+" design has one point per value combination", strconv.Itoa(s.Points), "")
	}
	v.parameters("sweep.parameters", s.Parameters, s.Design)
	if s.Design == "zip" {
		n, first := -1, ""
		for i, p := range s.Parameters {
			k := len(p.Values)
			if k == 0 {
				k = len(GridValues(v.sc, p))
			}
			pp := fmt.Sprintf("sweep.parameters.%d", i)
			if n < 0 {
				n, first = k, p.Path
			} else if k != n {
				v.fail(pp, fmt.Sprintf("a zip design takes the i-th value of every parameter: %s has %d values but %s has %d", p.Path, k, first, n), "", "")
			}
		}
	}
}

// Position returns where the value at path was written (the file, line
// and column of the nearest enclosing field that was), for messages about
// a scenario field found outside this package.
func (sc *Scenario) Position(path string) Pos { return sc.posFor(path) }

// parameters validates a list of parameters at path at for the named
// design ("" when the method does not use a design, as optimize and
// calibrate): each path names a field that can be set, bounds are ordered,
// a grid or zip has values, a step or levels for every parameter, and every
// parameter has at least one value. Sensitivity, calibrate and optimize
// blocks call it for their own parameter lists.
func (v *validator) parameters(at string, ps []Parameter, design string) {
	if len(ps) == 0 {
		v.fail(at, "at least one parameter is needed", "", "")
	}
	seen := map[string]string{}
	for i, p := range ps {
		pp := fmt.Sprintf("%s.%d", at, i)
		if q, dup := seen[p.Path]; dup && p.Path != "" {
			v.fail(pp+".path", "the same field is already varied by "+q, quote(p.Path), "")
		}
		seen[p.Path] = pp
		cur, err := Get(v.sc, p.Path)
		if err != nil {
			v.fail(pp+".path", pathMsg(err), quote(p.Path), "")
			continue
		}
		hasBounds := v.sc.given(pp+".min") || v.sc.given(pp+".max") || p.Min != 0 || p.Max != 0
		hasGrid := p.Step > 0 || p.Levels > 0
		if v.sc.given(pp+".values") && len(p.Values) == 0 {
			v.fail(pp+".values", "an empty list gives no points", "[]", "one or more values")
			continue
		}
		if len(p.Values) > 0 {
			if hasBounds || hasGrid {
				v.fail(pp, "give values or min/max (with step or levels), not both", "", "")
			}
			for j, x := range p.Values {
				c := Clone(v.sc)
				c.Variants, c.Sweep, c.Optimize = nil, nil, nil
				if err := Set(c, p.Path, x); err != nil {
					v.fail(fmt.Sprintf("%s.values.%d", pp, j), "cannot be set: "+pathMsg(err), fmt.Sprint(x), "")
				}
			}
			continue
		}
		switch cur.(type) {
		case float64, int, uint64:
		default:
			v.fail(pp+".path", "min/max need a numeric field; list the values of a "+kindName(reflect.ValueOf(cur))+" field with values", quote(p.Path), "")
			continue
		}
		if p.Min > p.Max {
			v.fail(pp, "bounds reversed: min must not exceed max", fmt.Sprintf("min %s, max %s", fmtNum(p.Min), fmtNum(p.Max)), "min ≤ max")
			continue
		}
		if p.Step > 0 && p.Levels > 0 {
			v.fail(pp, "give step or levels, not both", "", "")
		}
		if v.sc.given(pp+".levels") && p.Levels == 0 {
			v.fail(pp+".levels", "a range with no points", "0", "≥ 1")
		}
		if v.sc.given(pp+".step") && p.Step == 0 {
			v.fail(pp+".step", "a step of 0 gives no points", "0", "> 0")
		}
		if KindOf(v.sc, p) == Whole && (p.Min != math.Trunc(p.Min) || p.Max != math.Trunc(p.Max)) {
			v.fail(pp, "an integer parameter needs whole bounds", fmt.Sprintf("min %s, max %s", fmtNum(p.Min), fmtNum(p.Max)), "whole numbers")
		}
		if design == "grid" || design == "zip" {
			if !hasGrid {
				v.fail(pp, "a "+design+" design needs values, a step or levels for every parameter", "", "")
			}
		}
		if p.Prior != nil && p.Prior.Dist == "lognormal" && p.Min < 0 {
			v.fail(pp+".prior", "a lognormal prior needs min ≥ 0", fmtNum(p.Min), "")
		}
	}
}
