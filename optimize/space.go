package optimize

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// Dim is one decision variable.
type Dim struct {
	// Name identifies the variable (a creator, a budget line); it may be
	// empty, but non-empty names must be unique within a Space.
	Name string
	// Lo and Hi are the bounds, inclusive; ±Inf for an unbounded side.
	// Lo == Hi fixes the variable at that value (a fixed item).
	Lo, Hi float64
	// Integer makes the variable integer-valued: candidates are rounded by
	// Repair. Finite bounds of an integer variable must hold an integer.
	Integer bool
}

// Budget is a linear constraint Σ Weights[i]·x[i] (≤ or =) Total.
type Budget struct {
	// Total is the budget.
	Total float64
	// Exact requires the total to be spent exactly; otherwise at most.
	Exact bool
	// Weights are the per-variable costs; nil means 1 for every variable.
	// A zero weight leaves that variable out of the budget. With Exact,
	// integer variables in the budget must have weight 1 (so that the total
	// can be hit exactly by rounding), and Total must then be an integer if
	// every variable in the budget is integer.
	Weights []float64
}

// Space is a box of variables, some integer, with an optional budget. Its
// Repair maps any point to a feasible one deterministically: projection
// (Euclidean) onto the box intersected with the budget, then rounding of
// the integer variables by largest remainder, so that an exact budget is
// spent exactly.
type Space struct {
	Dims   []Dim
	Budget *Budget
}

// N is the number of variables.
func (s Space) N() int { return len(s.Dims) }

// Names returns the variable names in order.
func (s Space) Names() []string {
	out := make([]string, len(s.Dims))
	for i, d := range s.Dims {
		out[i] = d.Name
	}
	return out
}

func (s Space) weight(i int) float64 {
	if s.Budget == nil {
		return 0
	}
	if s.Budget.Weights == nil {
		return 1
	}
	return s.Budget.Weights[i]
}

// budgetShare returns, per variable, twice its equal share of the budget
// in its own units (2·Total/(w·m) over the m variables the budget weighs),
// or +Inf for variables outside the budget: the scale of the region a
// budget leaves feasible, which CMA-ES's default units use.
func (s Space) budgetShare() []float64 {
	out := make([]float64, s.N())
	m := 0
	for i := range out {
		out[i] = inf
		if lo, hi := s.lohi(i); s.weight(i) > 0 && hi > lo {
			m++
		}
	}
	if s.Budget == nil || m == 0 || !(s.Budget.Total > 0) {
		return out
	}
	for i := range out {
		if w := s.weight(i); w > 0 {
			out[i] = 2 * s.Budget.Total / (w * float64(m))
		}
	}
	return out
}

// lohi returns the effective bounds of variable i (integer bounds rounded
// inward).
func (s Space) lohi(i int) (float64, float64) {
	d := s.Dims[i]
	if d.Integer {
		return math.Ceil(d.Lo), math.Floor(d.Hi)
	}
	return d.Lo, d.Hi
}

// Bounded reports whether every variable has finite bounds.
func (s Space) Bounded() bool {
	for i := range s.Dims {
		lo, hi := s.lohi(i)
		if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
			return false
		}
	}
	return true
}

// Validate reports every problem with the space at once.
func (s Space) Validate() error {
	if len(s.Dims) == 0 {
		return errors.New("optimize: empty space: no dimensions")
	}
	var errs []error
	seen := map[string]int{}
	for i, d := range s.Dims {
		where := dimName(i, d)
		if d.Name != "" {
			if j, ok := seen[d.Name]; ok {
				errs = append(errs, fmt.Errorf("optimize: duplicate name %q in dimensions %d and %d", d.Name, j, i))
			}
			seen[d.Name] = i
		}
		if math.IsNaN(d.Lo) || math.IsNaN(d.Hi) {
			errs = append(errs, fmt.Errorf("optimize: NaN bound in %s: lo=%g hi=%g", where, d.Lo, d.Hi))
			continue
		}
		if d.Lo > d.Hi {
			errs = append(errs, fmt.Errorf("optimize: bounds reversed in %s: lo=%g > hi=%g", where, d.Lo, d.Hi))
			continue
		}
		if math.IsInf(d.Lo, 1) || math.IsInf(d.Hi, -1) {
			errs = append(errs, fmt.Errorf("optimize: empty range in %s: lo=%g hi=%g", where, d.Lo, d.Hi))
			continue
		}
		if d.Integer && math.Ceil(d.Lo) > math.Floor(d.Hi) {
			errs = append(errs, fmt.Errorf("optimize: no integer between the bounds of integer %s: lo=%g hi=%g", where, d.Lo, d.Hi))
		}
	}
	if len(errs) > 0 || s.Budget == nil {
		return errors.Join(errs...)
	}
	b := s.Budget
	if math.IsNaN(b.Total) || math.IsInf(b.Total, 0) {
		errs = append(errs, fmt.Errorf("optimize: budget total must be finite, got %g", b.Total))
	}
	if b.Weights != nil && len(b.Weights) != len(s.Dims) {
		errs = append(errs, fmt.Errorf("optimize: budget has %d weights for %d dimensions", len(b.Weights), len(s.Dims)))
		return errors.Join(errs...)
	}
	var minCost, maxCost float64
	inBudget, allInt := 0, true
	for i, d := range s.Dims {
		w := s.weight(i)
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			errs = append(errs, fmt.Errorf("optimize: budget weight of %s must be finite and ≥ 0, got %g", dimName(i, d), w))
			continue
		}
		if w == 0 {
			continue
		}
		inBudget++
		lo, hi := s.lohi(i)
		minCost += w * lo
		maxCost += w * hi
		if !d.Integer {
			allInt = false
		} else if b.Exact && w != 1 {
			errs = append(errs, fmt.Errorf("optimize: integer %s has budget weight %g; an exact budget needs weight 1 on integer dimensions", dimName(i, d), w))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if inBudget == 0 {
		return errors.New("optimize: budget has no dimension with a positive weight")
	}
	if minCost > b.Total {
		errs = append(errs, fmt.Errorf("optimize: budget infeasible: the lower bounds cost %g > total %g", minCost, b.Total))
	}
	if b.Exact && maxCost < b.Total {
		errs = append(errs, fmt.Errorf("optimize: budget infeasible: the upper bounds cost %g < exact total %g", maxCost, b.Total))
	}
	if b.Exact && allInt && b.Total != math.Round(b.Total) {
		errs = append(errs, fmt.Errorf("optimize: exact total %g over integer dimensions is not an integer", b.Total))
	}
	return errors.Join(errs...)
}

func dimName(i int, d Dim) string {
	if d.Name == "" {
		return fmt.Sprintf("dimension %d", i)
	}
	return fmt.Sprintf("dimension %d (%s)", i, d.Name)
}

// fingerprint identifies the space in a saved state so that a state is not
// restored onto a different space.
func (s Space) fingerprint() string {
	var sb strings.Builder
	for i, d := range s.Dims {
		fmt.Fprintf(&sb, "%s|%g|%g|%t|%g;", d.Name, d.Lo, d.Hi, d.Integer, s.weight(i))
	}
	if s.Budget != nil {
		fmt.Fprintf(&sb, "B%g|%t", s.Budget.Total, s.Budget.Exact)
	}
	return sb.String()
}

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// Project writes to dst (allocated if nil) the Euclidean projection of x onto
// the box intersected with the budget, without rounding, and returns it.
func (s Space) Project(dst, x []float64) []float64 {
	n := len(s.Dims)
	x = append([]float64(nil), x...) // dst may alias x
	if dst == nil {
		dst = make([]float64, n)
	}
	for i := range n {
		lo, hi := s.lohi(i)
		dst[i] = clamp(x[i], lo, hi)
	}
	if s.Budget == nil {
		return dst
	}
	idx := make([]int, 0, n)
	for i := range n {
		if s.weight(i) > 0 {
			idx = append(idx, i)
		}
	}
	s.projectBudget(dst, x, idx, s.Budget.Total-s.fixedCost(dst, idx))
	return dst
}

// fixedCost is the cost of variables with weight > 0 outside idx (none when
// idx holds all budget variables).
func (s Space) fixedCost(y []float64, idx []int) float64 {
	in := make(map[int]bool, len(idx))
	for _, i := range idx {
		in[i] = true
	}
	c := 0.0
	for i := range s.Dims {
		if w := s.weight(i); w > 0 && !in[i] {
			c += w * y[i]
		}
	}
	return c
}

// projectBudget sets y[i], i in idx, to clamp(x[i] − τ·w[i]) with τ such that
// Σ w·y = total (or τ = 0 when an at-most budget already holds).
func (s Space) projectBudget(y, x []float64, idx []int, total float64) {
	if len(idx) == 0 {
		return
	}
	g := func(tau float64) float64 {
		sum := 0.0
		for _, i := range idx {
			lo, hi := s.lohi(i)
			w := s.weight(i)
			sum += w * clamp(x[i]-tau*w, lo, hi)
		}
		return sum
	}
	if !s.Budget.Exact && g(0) <= total {
		for _, i := range idx {
			lo, hi := s.lohi(i)
			y[i] = clamp(x[i], lo, hi)
		}
		return
	}
	var bps []float64
	var slopeLeft, slopeRight float64 // −dg/dτ beyond the outermost breakpoints
	for _, i := range idx {
		lo, hi := s.lohi(i)
		w := s.weight(i)
		if math.IsInf(hi, 1) {
			slopeLeft += w * w
		} else {
			bps = append(bps, (x[i]-hi)/w)
		}
		if math.IsInf(lo, -1) {
			slopeRight += w * w
		} else {
			bps = append(bps, (x[i]-lo)/w)
		}
	}
	var tau float64
	if len(bps) == 0 {
		sw, sx := 0.0, 0.0
		for _, i := range idx {
			w := s.weight(i)
			sw += w * w
			sx += w * x[i]
		}
		tau = (sx - total) / sw
	} else {
		sort.Float64s(bps)
		gs := make([]float64, len(bps))
		for k, t := range bps {
			gs[k] = g(t)
		}
		last := len(bps) - 1
		switch {
		case total >= gs[0]:
			tau = bps[0]
			if slopeLeft > 0 {
				tau -= (total - gs[0]) / slopeLeft
			}
		case total <= gs[last]:
			tau = bps[last]
			if slopeRight > 0 {
				tau += (gs[last] - total) / slopeRight
			}
		default:
			k := sort.Search(len(gs), func(k int) bool { return gs[k] <= total }) // gs nonincreasing
			t0, t1, g0, g1 := bps[k-1], bps[k], gs[k-1], gs[k]
			if g0 == g1 {
				tau = t0
			} else {
				tau = t0 + (g0-total)*(t1-t0)/(g0-g1)
			}
		}
	}
	for _, i := range idx {
		lo, hi := s.lohi(i)
		y[i] = clamp(x[i]-tau*s.weight(i), lo, hi)
	}
}

// Repair writes to dst (allocated if nil) a feasible point near x and returns
// it: Project, then integer variables rounded — to nearest outside the
// budget; inside an exact budget by largest remainder so that the total is
// spent exactly; inside an at-most budget to nearest, then the variables
// rounded up the most are stepped down until the budget holds. Continuous
// budget variables then absorb what rounding left (re-projected). Repair is
// deterministic and idempotent on feasible points.
func (s Space) Repair(dst, x []float64) []float64 {
	dst = s.Project(dst, x)
	var intB, contB []int
	for i, d := range s.Dims {
		if !d.Integer {
			if s.weight(i) > 0 {
				contB = append(contB, i)
			}
			continue
		}
		if s.weight(i) > 0 {
			intB = append(intB, i)
			continue
		}
		lo, hi := s.lohi(i)
		dst[i] = clamp(math.Round(dst[i]), lo, hi)
	}
	if len(intB) == 0 {
		return dst
	}
	b := s.Budget
	if b.Exact {
		var k float64
		if len(contB) == 0 {
			k = math.Round(b.Total)
		} else {
			for _, i := range intB {
				k += dst[i]
			}
			k = math.Round(k)
		}
		s.largestRemainder(dst, intB, k)
	} else {
		type up struct {
			i    int
			frac float64
		}
		var ups []up
		cost := 0.0
		for i := range s.Dims {
			if s.weight(i) > 0 && !s.Dims[i].Integer {
				cost += s.weight(i) * dst[i]
			}
		}
		for _, i := range intB {
			lo, hi := s.lohi(i)
			r := clamp(math.Round(dst[i]), lo, hi)
			ups = append(ups, up{i, r - dst[i]})
			dst[i] = r
			cost += s.weight(i) * r
		}
		sort.SliceStable(ups, func(a, c int) bool { return ups[a].frac > ups[c].frac })
		tol := 1e-9 * math.Max(1, math.Abs(b.Total))
		for pass := 0; cost > b.Total+tol && pass < 1<<20; pass++ {
			moved := false
			for _, u := range ups {
				if cost <= b.Total+tol {
					break
				}
				lo, _ := s.lohi(u.i)
				if dst[u.i]-1 >= lo {
					dst[u.i]--
					cost -= s.weight(u.i)
					moved = true
				}
			}
			if !moved {
				break
			}
		}
	}
	if len(contB) > 0 {
		src := make([]float64, len(dst))
		copy(src, dst)
		s.projectBudget(dst, src, contB, b.Total-s.fixedCost(dst, contB))
		if !b.Exact {
			// at most: continuous variables only shrink to fit.
			for _, i := range contB {
				dst[i] = math.Min(dst[i], src[i])
			}
		}
	}
	return dst
}

// largestRemainder rounds y[idx] to integers within bounds summing to k.
func (s Space) largestRemainder(y []float64, idx []int, k float64) {
	type fr struct {
		i    int
		frac float64
	}
	fs := make([]fr, len(idx))
	sum := 0.0
	for j, i := range idx {
		lo, hi := s.lohi(i)
		f := clamp(math.Floor(y[i]+1e-9), lo, hi)
		fs[j] = fr{i, y[i] - f}
		y[i] = f
		sum += f
	}
	d := k - sum
	if d > 0 {
		sort.SliceStable(fs, func(a, b int) bool { return fs[a].frac > fs[b].frac })
	} else if d < 0 {
		sort.SliceStable(fs, func(a, b int) bool { return fs[a].frac < fs[b].frac })
	}
	for d != 0 {
		moved := false
		for _, f := range fs {
			if d == 0 {
				break
			}
			lo, hi := s.lohi(f.i)
			if d > 0 && y[f.i]+1 <= hi {
				y[f.i]++
				d--
				moved = true
			} else if d < 0 && y[f.i]-1 >= lo {
				y[f.i]--
				d++
				moved = true
			}
		}
		if !moved {
			return
		}
	}
}

// Feasible reports whether x is within the bounds, integer where required,
// and within the budget, with tolerance tol on the budget.
func (s Space) Feasible(x []float64, tol float64) bool {
	if len(x) != len(s.Dims) {
		return false
	}
	cost := 0.0
	for i, d := range s.Dims {
		lo, hi := s.lohi(i)
		if !(x[i] >= lo && x[i] <= hi) {
			return false
		}
		if d.Integer && x[i] != math.Round(x[i]) {
			return false
		}
		cost += s.weight(i) * x[i]
	}
	if s.Budget == nil {
		return true
	}
	if s.Budget.Exact {
		return math.Abs(cost-s.Budget.Total) <= tol
	}
	return cost <= s.Budget.Total+tol
}

// Sample draws a point uniformly in the box (integers uniformly among the
// integers in range) and repairs it. It needs finite bounds.
func (s Space) Sample(rng *rand.Rand) []float64 {
	x := make([]float64, len(s.Dims))
	for i, d := range s.Dims {
		lo, hi := s.lohi(i)
		if d.Integer {
			x[i] = lo + float64(rng.IntN(int(hi-lo)+1))
		} else {
			x[i] = lo + (hi-lo)*rng.Float64()
		}
	}
	return s.Repair(x, x)
}

func (s Space) checkX(x []float64, what string) error {
	if x == nil {
		return nil
	}
	if len(x) != len(s.Dims) {
		return fmt.Errorf("optimize: %s has %d values for %d dimensions", what, len(x), len(s.Dims))
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("optimize: %s[%d] is %g", what, i, v)
		}
	}
	return nil
}
