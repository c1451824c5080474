package experiments

import (
	"fmt"
	"math"
	"strconv"

	"github.com/startrend/startrend/scenarios"
)

// Dim is one varied parameter of a Space.
type Dim struct {
	Path string
	// Kind is KindReal, KindWhole or KindCategorical.
	Kind string
	// Min and Max bound a numeric parameter.
	Min, Max float64
	// Values lists a numeric parameter's explicit values (or nil).
	Values []float64
	// Grid lists the values of a grid or zip design (numbers, or category
	// indices 0 … len(Categories)−1); nil when the parameter has none.
	Grid []float64
	// Categories are a categorical parameter's values as written, and
	// Labels the way the files show them.
	Categories []any
	Labels     []string
	// Param is the parameter as written.
	Param scenarios.Parameter
}

// Space is the set of parameters an experiment varies (fixed parameters
// left out), in the order the scenario lists them.
type Space struct {
	Dims []Dim
}

// NewSpace reads parameters of sc (already validated by the scenario's
// loader) into a Space.
func NewSpace(sc *scenarios.Scenario, ps []scenarios.Parameter) (*Space, error) {
	s := &Space{}
	for _, p := range ps {
		if p.Fixed {
			continue
		}
		d := Dim{Path: p.Path, Min: p.Min, Max: p.Max, Param: p}
		switch scenarios.KindOf(sc, p) {
		case scenarios.Categorical:
			d.Kind = KindCategorical
			for i, v := range p.Values {
				d.Categories = append(d.Categories, v)
				d.Labels = append(d.Labels, fmt.Sprint(v))
				d.Grid = append(d.Grid, float64(i))
			}
			d.Min, d.Max = 0, float64(len(p.Values)-1)
		case scenarios.Whole:
			d.Kind = KindWhole
		default:
			d.Kind = KindReal
		}
		if d.Kind != KindCategorical {
			d.Grid = scenarios.GridValues(sc, p)
			if len(p.Values) > 0 {
				d.Values = d.Grid
				d.Min, d.Max = math.Inf(1), math.Inf(-1)
				for _, v := range d.Values {
					d.Min, d.Max = math.Min(d.Min, v), math.Max(d.Max, v)
				}
			}
		}
		if d.Kind != KindCategorical && d.Values == nil && d.Min > d.Max {
			return nil, fmt.Errorf("%s: bounds reversed (min %s > max %s)", p.Path, formatValue(d.Min), formatValue(d.Max))
		}
		s.Dims = append(s.Dims, d)
	}
	if len(s.Dims) == 0 {
		return nil, fmt.Errorf("no parameter to vary")
	}
	return s, nil
}

// Columns returns the store columns of the space.
func (s *Space) Columns() []Column {
	out := make([]Column, len(s.Dims))
	for i, d := range s.Dims {
		out[i] = Column{Name: d.Path, Kind: d.Kind, Categories: d.Labels}
	}
	return out
}

// FromUnit maps u in [0, 1) to a value of the parameter: uniform over
// [min, max] for a real one, over the whole numbers min … max for a whole
// one, and over the listed values or categories otherwise.
func (d *Dim) FromUnit(u float64) float64 {
	u = math.Min(math.Max(u, 0), math.Nextafter(1, 0))
	switch {
	case d.Kind == KindCategorical:
		return float64(int(u * float64(len(d.Categories))))
	case d.Values != nil:
		return d.Values[int(u*float64(len(d.Values)))]
	case d.Kind == KindWhole:
		return math.Min(math.Floor(d.Min+u*(d.Max-d.Min+1)), d.Max)
	}
	return d.Min + u*(d.Max-d.Min)
}

// Value returns what Apply writes into the field for coordinate x.
func (d *Dim) Value(x float64) any {
	switch d.Kind {
	case KindCategorical:
		return d.Categories[int(x)]
	case KindWhole:
		return int64(x)
	}
	return x
}

// Label formats coordinate x as the files show it.
func (d *Dim) Label(x float64) string {
	switch d.Kind {
	case KindCategorical:
		return d.Labels[int(x)]
	case KindWhole:
		return strconv.FormatInt(int64(x), 10)
	}
	return formatValue(x)
}

// Apply sets the point x on sc (the caller validates the result).
func (s *Space) Apply(sc *scenarios.Scenario, x []float64) error {
	for i := range s.Dims {
		d := &s.Dims[i]
		if err := scenarios.Set(sc, d.Path, d.Value(x[i])); err != nil {
			return fmt.Errorf("%s = %s: %v", d.Path, d.Label(x[i]), err)
		}
	}
	return nil
}
