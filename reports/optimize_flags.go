package reports

import (
	"fmt"
	"math"

	"github.com/startrend/startrend/strategy"
)

// Flags of an optimisation report: what a reader must know before acting
// on the chosen strategy.
//
//   - A decision at its bound: the chosen value lies within 0.5% of the
//     range (half a unit for an integer decision) of its min or max, so the
//     best may lie beyond it.
//   - Still improving: the search's best value so far rose in the last
//     quarter of its simulator runs by more than stillImprovingShare of its
//     final value and by more than a fifth of its whole improvement: the
//     search had not levelled off when its budget ended.
const stillImprovingShare = 0.05

// optimizeFlags returns the flags of out as plain sentences (no markup).
func optimizeFlags(out *strategy.Outcome) []string {
	var flags []string
	if out.Best != nil {
		for _, d := range out.Decisions {
			if side := atBound(d, out.Best.Decision[d.Path]); side != "" {
				flags = append(flags, fmt.Sprintf("%s is at its %s bound (%s, allowed %s … %s): the best value may lie beyond it; widen the bound to find out.",
					d.Label, side, human(out.Best.Decision[d.Path]), human(d.Min), human(d.Max)))
			}
		}
	}
	if out.Search != nil {
		if from, to, ok := stillImproving(out.Search.Convergence, out.Maximize); ok {
			flags = append(flags, fmt.Sprintf("The search was still improving when its budget ended: its best %s went from %s to %s over the last quarter of its simulator runs. A larger --evals may find a better strategy.",
				out.Objective, human(from), human(to)))
		}
	}
	return flags
}

// atBound says which bound ("lower", "upper") x is at, or "".
func atBound(d strategy.Decided, x float64) string {
	if d.Fixed || !(d.Max > d.Min) || math.IsNaN(x) {
		return ""
	}
	tol := 0.005 * (d.Max - d.Min)
	if d.Integer {
		tol = 0.5
	}
	switch {
	case x <= d.Min+tol:
		return "lower"
	case x >= d.Max-tol:
		return "upper"
	}
	return ""
}

// stillImproving reports the best value at three quarters of the runs and
// at the end when the last quarter improved it by more than
// stillImprovingShare of the final value and a fifth of the whole
// improvement.
func stillImproving(conv []strategy.ConvergencePoint, maximize bool) (from, to float64, ok bool) {
	if len(conv) < 3 {
		return 0, 0, false
	}
	first, last := conv[0], conv[len(conv)-1]
	cut := first.Runs + (last.Runs-first.Runs)*3/4
	from = float64(first.Best)
	for _, c := range conv {
		if c.Runs > cut {
			break
		}
		from = float64(c.Best)
	}
	to = float64(last.Best)
	sign := 1.0
	if !maximize {
		sign = -1
	}
	late, whole := sign*(to-from), sign*(to-float64(first.Best))
	if !finite(late) || !finite(whole) || late <= 0 {
		return from, to, false
	}
	return from, to, late > stillImprovingShare*math.Abs(to) && late > whole/5
}
