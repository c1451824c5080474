package reports

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"github.com/startrend/startrend/internal/humannum"
)

// Digits is the number of significant digits every float in a run
// directory's data files is written with. Fixed precision keeps the files
// byte-identical across identical runs.
const Digits = 10

// formatFloat writes v deterministically with Digits significant digits;
// NaN and ±Inf (undefined values) become "".
func formatFloat(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	if v == 0 {
		return "0" // no "-0"
	}
	s := strconv.FormatFloat(v, 'g', Digits, 64)
	if a := math.Abs(v); strings.ContainsRune(s, 'e') && a >= 1e-15 && a < 1e21 {
		// The same Digits-digit value without an exponent (people read
		// these files and the report's attributes): "0.000006025946285".
		r, _ := strconv.ParseFloat(s, 64)
		s = strconv.FormatFloat(r, 'f', -1, 64)
	}
	return s
}

// parseFloat reads what formatFloat wrote; "" is NaN (undefined).
func parseFloat(s string) (float64, error) {
	if s == "" {
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// Num is a float64 in JSON: written with Digits significant digits, and as
// null when undefined (NaN or ±Inf). null reads back as NaN. No file of a
// run directory ever holds NaN or Inf.
type Num float64

// NaN is the undefined Num.
func nan() Num { return Num(math.NaN()) }

// Defined reports whether n holds a finite value.
func (n Num) Defined() bool {
	f := float64(n)
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	if !n.Defined() {
		return []byte("null"), nil
	}
	return []byte(formatFloat(float64(n))), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*n = nan()
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*n = Num(f)
	return nil
}

// human formats v for people: 4 significant digits, thousands separated by
// commas, no exponent for everyday magnitudes; "n/a" when undefined.
func human(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if v == 0 {
		return "0"
	}
	a := math.Abs(v)
	if a >= 1e15 || a < 1e-12 {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	// Decimals needed for 4 significant digits; an integer is written as
	// an integer ("6", not "6.000").
	dec := 3 - int(math.Floor(math.Log10(a)))
	if dec < 0 || v == math.Trunc(v) {
		dec = 0
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if s == "-0" || strings.Trim(s, "-0.") == "" {
		return "0"
	}
	return humannum.Group(s)
}

// humanP formats a p-value as tables in the literature do: below 0.0001
// it is "< 0.0001" (more digits would claim a precision the normal
// approximation of a t-test's tail does not have), otherwise four
// significant digits ("0.0123", "0.4512").
func humanP(p float64) string {
	if p < 0.0001 && p >= 0 {
		return "< 0.0001"
	}
	return human(p)
}

// humanPct formats a percentage with one decimal and a sign: "+12.4%".
func humanPct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s + "%"
}

// humanSigned is human with an explicit sign for positive values.
func humanSigned(v float64) string {
	s := human(v)
	if v > 0 && s != "0" && s != "n/a" {
		return "+" + s
	}
	return s
}
