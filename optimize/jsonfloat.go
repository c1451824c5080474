package optimize

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/startrend/startrend/stats"
)

// Float is a float64 whose JSON form also carries the non-finite values
// ("+Inf", "-Inf", "NaN" as strings), which encoding/json rejects. Finite
// values are written with the shortest representation that round-trips, so a
// state written and read back is bit-for-bit the same.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler: a number or one of the
// strings above (stats.ParseJSONFloat).
func (f *Float) UnmarshalJSON(b []byte) error {
	v, err := stats.ParseJSONFloat(b)
	if err != nil {
		return fmt.Errorf(`optimize: %w (want a number, "NaN", "+Inf" or "-Inf")`, err)
	}
	*f = Float(v)
	return nil
}

// Floats is a []float64 with the JSON form of Float for each element.
type Floats []float64

// MarshalJSON implements json.Marshaler.
func (fs Floats) MarshalJSON() ([]byte, error) {
	if fs == nil {
		return []byte("null"), nil
	}
	b := []byte{'['}
	for i, v := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		e, _ := Float(v).MarshalJSON()
		b = append(b, e...)
	}
	return append(b, ']'), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (fs *Floats) UnmarshalJSON(b []byte) error {
	var raw []Float
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		*fs = nil
		return nil
	}
	out := make([]float64, len(raw))
	for i, v := range raw {
		out[i] = float64(v)
	}
	*fs = out
	return nil
}
