package stats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Float is a float64 that is written to JSON as a number, or as null when
// undefined (NaN or ±Inf) — never as a "NaN" string. null reads back as
// NaN. For files written before this rule, the strings "NaN", "+Inf",
// "-Inf" and "Inf" are also read (as NaN, ±Inf).
type Float float64

// Defined reports whether f is finite.
func (f Float) Defined() bool { return finite(float64(f)) }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// MarshalJSON implements [json.Marshaler]: the shortest decimal that reads
// back exactly, or null.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if !finite(v) {
		return []byte("null"), nil
	}
	if v == 0 {
		return []byte("0"), nil // no "-0"
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements [json.Unmarshaler].
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	v, err := ParseJSONFloat(b)
	if err != nil {
		return fmt.Errorf("stats: %w (want a number or null)", err)
	}
	*f = Float(v)
	return nil
}

// ParseJSONFloat reads a JSON number, or one of the strings "NaN", "+Inf",
// "Inf" and "-Inf" by which some writers carry what a JSON number cannot
// hold. It is [Float]'s reading without the null rule, for a type that
// keeps non-finite values in its own JSON form (as optimize.Float does for
// a checkpoint to round-trip bit for bit).
func ParseJSONFloat(b []byte) (float64, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		switch s {
		case "NaN":
			return math.NaN(), nil
		case "+Inf", "Inf":
			return math.Inf(1), nil
		case "-Inf":
			return math.Inf(-1), nil
		}
		return 0, fmt.Errorf("%s is not a number", b)
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a number", b)
	}
	return v, nil
}

// estimateJSON is Estimate's JSON form.
type estimateJSON struct {
	Mean      Float  `json:"mean"`
	SD        Float  `json:"sd"`
	SE        Float  `json:"se"`
	N         int    `json:"n"`
	Level     Float  `json:"level"`
	Lo        Float  `json:"lo"`
	Hi        Float  `json:"hi"`
	Undefined string `json:"undefined,omitempty"`
}

// MarshalJSON implements [json.Marshaler]:
//
//	{"mean":2.5,"sd":null,"se":null,"n":1,"level":0.95,"lo":null,"hi":null,"undefined":"one observation: …"}
//
// Undefined values are null; "undefined" is omitted when the interval is
// defined.
func (e Estimate) MarshalJSON() ([]byte, error) {
	return json.Marshal(estimateJSON{Float(e.Mean), Float(e.SD), Float(e.SE), e.N, Float(e.Level),
		Float(e.Lo), Float(e.Hi), e.Undefined})
}

// UnmarshalJSON implements [json.Unmarshaler]; null reads as NaN.
func (e *Estimate) UnmarshalJSON(b []byte) error {
	var j estimateJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Estimate{float64(j.Mean), float64(j.SD), float64(j.SE), j.N, float64(j.Level),
		float64(j.Lo), float64(j.Hi), j.Undefined}
	return nil
}
