package scenarios

// TEMPORARY: stand-ins for the shared parameter syntax of experiments.go
// (Parameter, Prior, given, Position, parameters), which the experiments
// work brings to main. Same names and fields, a subset of the behaviour;
// delete this file when experiments.go is merged.

import (
	"fmt"
	"reflect"
)

// Parameter is one input of an experiment: a field addressed by path with
// the values it may take.
type Parameter struct {
	// Path names the field (e.g. campaigns.super_value.discount).
	Path string `yaml:"path" json:"path"`
	// Min and Max bound a numeric parameter (min ≤ max).
	Min float64 `yaml:"min,omitempty" json:"min,omitempty"`
	Max float64 `yaml:"max,omitempty" json:"max,omitempty"`
	// Integer restricts the values to whole numbers.
	Integer bool `yaml:"integer,omitempty" json:"integer,omitempty"`
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

// PriorDists are the distributions a Prior may name.
var PriorDists = []string{"uniform", "normal", "lognormal"}

func init() {
	fieldRules[reflect.TypeOf(Prior{})] = map[string]rule{"dist": oneOf(PriorDists...), "sd": nonNeg}
	requiredFields[reflect.TypeOf(Parameter{})] = []string{"path"}
	requiredFields[reflect.TypeOf(Prior{})] = []string{"dist"}
}

func (sc *Scenario) given(path string) bool {
	_, ok := sc.pos[path]
	return ok
}

// Position returns where the value at path was written.
func (sc *Scenario) Position(path string) Pos { return sc.posFor(path) }

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
		switch cur.(type) {
		case float64, int, uint64:
		default:
			v.fail(pp+".path", "min/max need a numeric field", quote(p.Path), "")
			continue
		}
		if p.Min > p.Max {
			v.fail(pp, "bounds reversed: min must not exceed max", fmt.Sprintf("min %s, max %s", fmtNum(p.Min), fmtNum(p.Max)), "min ≤ max")
		}
		if p.Prior != nil && p.Prior.Dist == "lognormal" && p.Min < 0 {
			v.fail(pp+".prior", "a lognormal prior needs min ≥ 0", fmtNum(p.Min), "")
		}
	}
}
