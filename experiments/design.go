package experiments

import (
	"fmt"
	"math/rand/v2"
)

// GridDesign is every combination of the dimensions' grid values, the
// first parameter varying slowest (as nested loops in the file's order).
type GridDesign struct {
	space *Space
	n     int
}

// Grid returns the full factorial design over the space's grid values.
func Grid(s *Space) (*GridDesign, error) {
	n := 1
	for _, d := range s.Dims {
		if len(d.Grid) == 0 {
			return nil, fmt.Errorf("%s: a grid needs values, a step or levels", d.Path)
		}
		if n > (1<<62)/len(d.Grid) {
			return nil, fmt.Errorf("the grid has more than 2^62 points")
		}
		n *= len(d.Grid)
	}
	return &GridDesign{space: s, n: n}, nil
}

// Len returns the number of points.
func (g *GridDesign) Len() int { return g.n }

// Dims returns the number of parameters.
func (g *GridDesign) Dims() int { return len(g.space.Dims) }

// Point writes point i.
func (g *GridDesign) Point(i int, dst []float64) {
	for j := len(g.space.Dims) - 1; j >= 0; j-- {
		grid := g.space.Dims[j].Grid
		dst[j] = grid[i%len(grid)]
		i /= len(grid)
	}
}

// ZipDesign takes the i-th grid value of every dimension together.
type ZipDesign struct {
	space *Space
	n     int
}

// Zip returns the design whose point i holds every parameter's i-th
// value; all parameters must have the same number of values.
func Zip(s *Space) (*ZipDesign, error) {
	n := -1
	for _, d := range s.Dims {
		if len(d.Grid) == 0 {
			return nil, fmt.Errorf("%s: a zip needs values, a step or levels", d.Path)
		}
		if n >= 0 && len(d.Grid) != n {
			return nil, fmt.Errorf("%s has %d values, %s has %d: a zip needs equal counts", d.Path, len(d.Grid), s.Dims[0].Path, n)
		}
		n = len(d.Grid)
	}
	return &ZipDesign{space: s, n: n}, nil
}

// Len returns the number of points.
func (z *ZipDesign) Len() int { return z.n }

// Dims returns the number of parameters.
func (z *ZipDesign) Dims() int { return len(z.space.Dims) }

// Point writes point i.
func (z *ZipDesign) Point(i int, dst []float64) {
	for j := range z.space.Dims {
		dst[j] = z.space.Dims[j].Grid[i]
	}
}

// UnitDesign is a design given in the unit hypercube [0, 1)^d, mapped to
// the space's values by Dim.FromUnit.
type UnitDesign struct {
	space *Space
	n     int
	unit  func(i int, u []float64)
	u     []float64
}

// FromUnit returns the design of n points whose point i is unit(i, u)
// (u in [0, 1)^d) mapped through the dimensions' FromUnit. unit must be
// deterministic and safe to call in any order; Sobol and other sequences
// from package qmc plug in here.
func FromUnit(s *Space, n int, unit func(i int, u []float64)) *UnitDesign {
	return &UnitDesign{space: s, n: n, unit: unit, u: make([]float64, len(s.Dims))}
}

// Len returns the number of points.
func (d *UnitDesign) Len() int { return d.n }

// Dims returns the number of parameters.
func (d *UnitDesign) Dims() int { return len(d.space.Dims) }

// Point writes point i (not safe for concurrent use).
func (d *UnitDesign) Point(i int, dst []float64) {
	d.unit(i, d.u)
	for j := range d.space.Dims {
		dst[j] = d.space.Dims[j].FromUnit(d.u[j])
	}
}

// Random returns n points drawn uniformly and independently; point i's
// draws come from a stream of (seed, i) alone, so a point does not depend
// on how many there are.
func Random(s *Space, n int, seed uint64) *UnitDesign {
	return FromUnit(s, n, func(i int, u []float64) {
		r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^uint64(i)))
		for j := range u {
			u[j] = r.Float64()
		}
	})
}

// LatinHypercube returns n points stratified in every dimension: each of
// the n equal intervals of each parameter's unit range holds exactly one
// point (random position inside it, random pairing across dimensions,
// from seed). It holds one permutation of n per dimension.
func LatinHypercube(s *Space, n int, seed uint64) *UnitDesign {
	d := len(s.Dims)
	perm := make([][]int32, d)
	r := rand.New(rand.NewPCG(seed, 0x4c4853))
	for j := range perm {
		p := make([]int32, n)
		for i := range p {
			p[i] = int32(i)
		}
		r.Shuffle(n, func(a, b int) { p[a], p[b] = p[b], p[a] })
		perm[j] = p
	}
	return FromUnit(s, n, func(i int, u []float64) {
		jr := rand.New(rand.NewPCG(seed^0x6a09e667f3bcc909, uint64(i)))
		for j := range u {
			u[j] = (float64(perm[j][i]) + jr.Float64()) / float64(n)
		}
	})
}
