package qmc

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The first eight points of the two-dimensional unscrambled sequence as
// published in SciPy's scipy.stats.qmc.Sobol documentation (Joe–Kuo
// direction numbers, Gray-code order), and the third coordinate derived by
// hand from dimension 3's row (a = 1, m = 1, 3): v1 = .1, v2 = .11,
// v3 = v1 ^ v1>>2 ^ v2 = .011 (binary).
var firstPoints = [][]float64{
	{0, 0, 0},
	{0.5, 0.5, 0.5},
	{0.75, 0.25, 0.25},
	{0.25, 0.75, 0.75},
	{0.375, 0.375, 0.625},
	{0.875, 0.875, 0.125},
	{0.625, 0.125, 0.875},
	{0.125, 0.625, 0.375},
}

func TestSobolFirstPoints(t *testing.T) {
	s, err := NewSobol(3)
	if err != nil {
		t.Fatal(err)
	}
	var p []float64
	for i, want := range firstPoints {
		p = s.Next(p)
		if !slices.Equal(p, want) {
			t.Fatalf("point %d = %v, want %v", i, p, want)
		}
	}
}

// Every direction number row must be valid: m_k odd and below 2^k, so that
// each generating matrix is non-singular upper-triangular.
func TestJoeKuoRowsValid(t *testing.T) {
	for j, row := range joeKuo {
		if len(row.m) == 0 {
			t.Fatalf("row %d empty", j)
		}
		for k, m := range row.m {
			if m%2 == 0 || m >= 1<<(k+1) {
				t.Fatalf("dimension %d: m_%d = %d, want odd and < 2^%d", j+2, k+1, m, k+1)
			}
		}
		// degrees never decrease along the file
		if j > 0 && len(row.m) < len(joeKuo[j-1].m) {
			t.Fatalf("dimension %d: degree %d after %d", j+2, len(row.m), len(joeKuo[j-1].m))
		}
	}
}

// stratified reports whether the first 2^m values of coordinate j in pts
// take every value k/2^m (k = 0 … 2^m-1) exactly once after truncation to m
// bits.
func stratified(pts [][]float64, j, m int) bool {
	n := 1 << m
	seen := make([]bool, n)
	for _, p := range pts[:n] {
		c := int(p[j] * float64(n))
		if seen[c] {
			return false
		}
		seen[c] = true
	}
	return true
}

func TestSobolEveryCoordinateStratified(t *testing.T) {
	for _, scrambled := range []bool{false, true} {
		var s *Sobol
		var err error
		if scrambled {
			s, err = NewScrambledSobol(MaxDim, 7)
		} else {
			s, err = NewSobol(MaxDim)
		}
		if err != nil {
			t.Fatal(err)
		}
		pts := make([][]float64, 1<<10)
		for i := range pts {
			pts[i] = s.Next(nil)
		}
		for _, m := range []int{1, 4, 10} {
			for j := 0; j < MaxDim; j++ {
				if !stratified(pts, j, m) {
					t.Fatalf("scrambled=%v: dimension %d not stratified in 2^%d cells", scrambled, j+1, m)
				}
			}
		}
	}
}

// tValue returns the smallest t such that the first 2^m points, projected on
// dimensions (j1, j2), put exactly 2^t points in every elementary box of
// volume 2^(t-m).
func tValue(s *Sobol, j1, j2, m int) int {
	n := 1 << m
	pts := make([][2]uint32, n)
	var p []float64
	for i := range pts {
		p = s.Point(uint64(i), p)
		pts[i] = [2]uint32{uint32(p[j1] * 0x1p32), uint32(p[j2] * 0x1p32)}
	}
	for t := 0; t <= m; t++ {
		ok := true
		for a := 0; a <= m-t && ok; a++ {
			b := m - t - a
			counts := make([]int, 1<<(a+b))
			for _, q := range pts {
				cell := 0
				if a > 0 {
					cell = int(q[0] >> (32 - a))
				}
				if b > 0 {
					cell = cell<<b | int(q[1]>>(32-b))
				}
				counts[cell]++
			}
			for _, c := range counts {
				if c != 1<<t {
					ok = false
					break
				}
			}
		}
		if ok {
			return t
		}
	}
	return m
}

// Dimensions 1 and 2 form a (0, m, 2)-net: every elementary box of volume
// 2^-m holds exactly one of the first 2^m points. The Joe–Kuo numbers were
// chosen for small t in two-dimensional projections; among the first 80
// dimensions (a Saltelli design's two matrices for 40 parameters) none
// exceeds t = 6 at m = 10 (measured: 6), where random points would fail any t < m.
func TestSobolTwoDimensionalProjections(t *testing.T) {
	s, _ := NewSobol(80)
	if got := tValue(s, 0, 1, 10); got != 0 {
		t.Fatalf("t-value of dimensions (1,2) = %d, want 0", got)
	}
	worst := 0
	for j1 := 0; j1 < 80; j1++ {
		for j2 := j1 + 1; j2 < 80; j2 += 7 {
			worst = max(worst, tValue(s, j1, j2, 10))
		}
	}
	if worst > 6 {
		t.Fatalf("worst two-dimensional t-value among the first 80 dimensions = %d, want ≤ 6", worst)
	}
	t.Logf("worst t-value (m=10, sampled pairs of the first 80 dimensions): %d", worst)
}

func TestSobolPointMatchesNextAndSeek(t *testing.T) {
	for _, seed := range []uint64{0, 3} {
		s, _ := NewScrambledSobol(13, seed)
		if seed == 0 {
			s, _ = NewSobol(13)
		}
		var a, b []float64
		for i := uint64(0); i < 3000; i++ {
			a = s.Next(a)
			b = s.Point(i, b)
			if !slices.Equal(a, b) {
				t.Fatalf("seed %d: Next at %d = %v, Point = %v", seed, i, a, b)
			}
		}
		s.Seek(1234)
		a = s.Next(a)
		if b = s.Point(1234, b); !slices.Equal(a, b) {
			t.Fatalf("after Seek(1234): %v, want %v", a, b)
		}
		if s.Index() != 1235 {
			t.Fatalf("Index after Seek(1234)+Next = %d", s.Index())
		}
	}
}

func TestScrambledDeterministicAndPrefixStable(t *testing.T) {
	a, _ := NewScrambledSobol(10, 42)
	b, _ := NewScrambledSobol(3, 42)
	c, _ := NewScrambledSobol(10, 43)
	pa := a.Point(77, nil)
	pb := b.Point(77, nil)
	pc := c.Point(77, nil)
	if !slices.Equal(pa[:3], pb) {
		t.Fatalf("dimension prefix differs: %v vs %v", pa[:3], pb)
	}
	if slices.Equal(pa, pc) {
		t.Fatalf("seeds 42 and 43 give the same point %v", pa)
	}
	if z := a.Point(0, nil); slices.Contains(z, 0) {
		t.Fatalf("scrambled point 0 has a zero coordinate: %v", z)
	}
}

// gTest is a smooth product with known integral 1 on [0,1]^8.
func gTest(x []float64) float64 {
	p := 1.0
	for j, v := range x {
		c := 1 / float64(j+1)
		p *= 1 + c*(v-0.5)*12/2 // each factor integrates to 1
	}
	return p
}

// Quasi-Monte Carlo beats plain Monte Carlo on a smooth integrand: at
// N = 4096 the scrambled Sobol estimate's RMS error over 20 seeds is far below
// the Monte Carlo RMS error. It also is unbiased (the mean over seeds is
// within a few standard errors of the truth).
func TestScrambledSobolIntegratesBetterThanMC(t *testing.T) {
	const n, seeds, dim = 4096, 20, 8
	var qmcSq, mcSq, qmcSum float64
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, dim)
	for seed := range seeds {
		s, _ := NewScrambledSobol(dim, uint64(seed))
		var sq, sm float64
		var p []float64
		for range n {
			p = s.Next(p)
			sq += gTest(p)
			for j := range x {
				x[j] = rng.Float64()
			}
			sm += gTest(x)
		}
		eq, em := sq/n-1, sm/n-1
		qmcSq += eq * eq
		mcSq += em * em
		qmcSum += eq
	}
	qmcRMS, mcRMS := math.Sqrt(qmcSq/seeds), math.Sqrt(mcSq/seeds)
	t.Logf("RMS error at N=%d: scrambled Sobol %.2e, Monte Carlo %.2e", n, qmcRMS, mcRMS)
	if qmcRMS > mcRMS/10 {
		t.Fatalf("scrambled Sobol RMS error %.3g not 10× below Monte Carlo %.3g", qmcRMS, mcRMS)
	}
	if bias := qmcSum / seeds; math.Abs(bias) > 4*qmcRMS/math.Sqrt(seeds) {
		t.Fatalf("mean error %.3g over %d seeds exceeds 4 standard errors (%.3g)", bias, seeds, 4*qmcRMS/math.Sqrt(seeds))
	}
}

func TestNewSobolRejectsBadDimension(t *testing.T) {
	for _, d := range []int{0, -1, MaxDim + 1} {
		if _, err := NewSobol(d); err == nil {
			t.Fatalf("NewSobol(%d) accepted", d)
		}
	}
}

func BenchmarkSobolNext80(b *testing.B) {
	s, _ := NewScrambledSobol(80, 1)
	p := make([]float64, 80)
	for b.Loop() {
		if s.Index() == MaxPoints-1 {
			s.Seek(0)
		}
		p = s.Next(p)
	}
}
