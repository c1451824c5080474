package reports

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// headlineKPIs are the KPIs a verdict sentence speaks of, in this order,
// when the run declares them; a run declaring none of them uses its first
// six metrics.
var headlineKPIs = []string{"gmv", "orders", "new_customers", "spend", "roi", "profit"}

// headline returns the indices of s.Metrics a verdict covers.
func headline(s *Summary) []int {
	var idx []int
	for _, name := range headlineKPIs {
		for i, m := range s.Metrics {
			if m.Name == name {
				idx = append(idx, i)
			}
		}
	}
	if len(idx) == 0 {
		for i := range min(6, len(s.Metrics)) {
			idx = append(idx, i)
		}
	}
	return idx
}

// Direction of a paired difference.
type Direction int

const (
	Unclear   Direction = iota // the 95% CI includes 0
	Up                         // wholly above 0
	Down                       // wholly below 0
	Undefined                  // no replication defines the difference
)

func direction(df Diff) Direction {
	lo, hi := float64(df.Diff.CI95[0]), float64(df.Diff.CI95[1])
	if !df.Diff.Mean.Defined() || !finite(lo) || !finite(hi) {
		return Undefined
	}
	switch {
	case lo > 0:
		return Up
	case hi < 0:
		return Down
	}
	return Unclear
}

// judgement says whether a clear change is good for the metric.
func judgement(m MetricDecl, dir Direction) string {
	switch dir {
	case Up, Down:
		if (dir == Up) == m.HigherIsBetter {
			return "better"
		}
		return "worse"
	case Unclear:
		return "no clear difference"
	}
	return "undefined"
}

// changeText describes a clear change: "raises GMV by 12.4% [9.8%, 15.1%]"
// for totals, "lowers ROI from 3.1 to 2.8 [2.7, 2.9]" for ratios.
func changeText(m MetricDecl, base KPI, df Diff, dir Direction) string {
	verb := "raises"
	if dir == Down {
		verb = "lowers"
	}
	label := m.Label
	if label == "" {
		label = m.Name
	}
	if m.Kind == "ratio" && base.Mean.Defined() {
		b := float64(base.Mean)
		return fmt.Sprintf("%s %s from %s to %s [%s, %s]", verb, label, human(b),
			human(b+float64(df.Diff.Mean)), human(b+float64(df.Diff.CI95[0])), human(b+float64(df.Diff.CI95[1])))
	}
	if df.Pct.Mean.Defined() {
		lo, hi := float64(df.Pct.CI95[0]), float64(df.Pct.CI95[1])
		if dir == Down { // magnitudes, smallest first: "lowers … by 8.4% [2.5%, 14.2%]"
			lo, hi = hi, lo
		}
		return fmt.Sprintf("%s %s by %s [%s, %s]", verb, label, absPct(float64(df.Pct.Mean)),
			signedPct(lo, dir), signedPct(hi, dir))
	}
	return fmt.Sprintf("%s %s by %s %s [%s, %s]", verb, label, human(abs(float64(df.Diff.Mean))), m.Unit,
		human(float64(df.Diff.CI95[0])), human(float64(df.Diff.CI95[1])))
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// absPct is a percentage without sign ("12.4%"): the verb carries it.
func absPct(v float64) string { return strings.TrimLeft(humanPct(abs(v)), "+") }

// signedPct writes a CI bound in the verb's direction: for "lowers … by
// 5.0% [3.1%, 6.9%]" the bounds are magnitudes.
func signedPct(v float64, dir Direction) string {
	if dir == Down {
		v = -v
	}
	return strings.TrimLeft(humanPct(v), "+")
}

// Verdict is the plain-language verdict of one variant against the baseline.
func Verdict(s *Summary, v *VariantSummary) string {
	subject := strings.TrimRight(strings.TrimSpace(v.Description), ".")
	if subject == "" {
		subject = fmt.Sprintf("Variant “%s”", v.Name)
	} else {
		r, n := utf8.DecodeRuneInString(subject)
		subject = string(unicode.ToUpper(r)) + subject[n:]
	}
	var changes, unclear, undefined []string
	var why string // the first undefined difference's reason
	for _, i := range headline(s) {
		m := s.Metrics[i]
		df := v.VsBaseline[m.Name]
		label := m.Label
		if label == "" {
			label = m.Name
		}
		switch dir := direction(df); dir {
		case Up, Down:
			changes = append(changes, changeText(m, s.KPIs[m.Name], df, dir))
		case Unclear:
			unclear = append(unclear, label)
		default:
			undefined = append(undefined, label)
			if why == "" {
				why = df.Reason
			}
		}
	}
	var b strings.Builder
	b.WriteString(subject)
	switch {
	case len(changes) > 0:
		b.WriteString(" " + joinAnd(changes))
		if len(unclear) > 0 {
			b.WriteString("; no clear difference in " + joinAnd(unclear))
		}
	case len(unclear) > 0:
		b.WriteString(" makes no clear difference to " + joinAnd(unclear))
	default:
		b.WriteString(" cannot be compared with the baseline")
		if why != "" {
			b.WriteString(" (" + why + ")")
		}
	}
	if len(undefined) > 0 {
		b.WriteString("; " + joinAnd(undefined) + " undefined")
	}
	b.WriteString(".")
	return b.String()
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
