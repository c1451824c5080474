package qmc

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// MaxDim is the largest dimension [NewSobol] accepts: the number of
// Joe–Kuo direction-number rows the package carries (plus dimension 1).
const MaxDim = 1024

// MaxPoints is the length of the sequence: direction numbers have 32 bits,
// so indices run from 0 to MaxPoints-1.
const MaxPoints = 1 << 32

// Sobol generates the Sobol low-discrepancy sequence in Gray-code order
// (Antonov–Saleev), optionally scrambled. Point i of a dim-dimensional
// sequence is the XOR of the direction numbers selected by the bits of
// gray(i) = i ^ (i>>1), divided by 2^32, so any point can be computed directly
// ([Sobol.Point]) and the sequential form ([Sobol.Next]) costs one XOR per
// coordinate.
//
// Index 0 is the origin (0, …, 0) when unscrambled. It is not skipped: the
// first 2^m points (indices 0 … 2^m-1) form a digital (t, m, s)-net, each
// coordinate taking every value k/2^m exactly once, and dropping point 0
// would break that balance (Owen 2022, "On dropping the first Sobol' point").
// Callers that cannot evaluate at a bound should use a scrambled sequence,
// whose points are almost surely interior, rather than skip points.
//
// A Sobol is not safe for concurrent use by several goroutines when Next is
// used; Point only reads it and may be called concurrently.
type Sobol struct {
	dim   int
	v     []uint32 // direction numbers, v[k*dim+j] = bit-k column of dimension j
	shift []uint32 // digital shift per dimension (zero when unscrambled)
	x     []uint32 // current state for Next: the integer form of point idx
	idx   uint64   // index of the point Next returns next
}

// NewSobol returns the unscrambled Sobol sequence in dim dimensions
// (1 ≤ dim ≤ MaxDim), positioned at index 0.
func NewSobol(dim int) (*Sobol, error) {
	if dim < 1 || dim > MaxDim {
		return nil, fmt.Errorf("qmc: Sobol dimension %d out of range (allowed 1 … %d)", dim, MaxDim)
	}
	s := &Sobol{dim: dim, v: make([]uint32, 32*dim), shift: make([]uint32, dim), x: make([]uint32, dim)}
	var col [32]uint32
	for j := 0; j < dim; j++ {
		directionNumbers(j, &col)
		for k := 0; k < 32; k++ {
			s.v[k*dim+j] = col[k]
		}
	}
	return s, nil
}

// NewScrambledSobol returns a randomised Sobol sequence: each dimension's
// generating matrix is multiplied by a random lower-triangular binary matrix
// with unit diagonal (Matoušek's linear matrix scramble) and the result is
// XORed with a random digital shift. The scramble keeps the net property (the
// first 2^m points still stratify every coordinate into 2^m cells), makes each
// point uniformly distributed on [0,1)^dim and estimates built from it
// unbiased, and is a pure function of (dim, seed): the same seed gives the
// same points on every platform, and dimension j's scramble does not depend on
// dim (a 3-dimensional sequence is the first three coordinates of a
// 10-dimensional one with the same seed).
func NewScrambledSobol(dim int, seed uint64) (*Sobol, error) {
	s, err := NewSobol(dim)
	if err != nil {
		return nil, err
	}
	var col [32]uint32
	for j := 0; j < dim; j++ {
		rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^uint64(j)))
		// Row r of the lower-triangular matrix (r = 0 is the most significant
		// digit, bit 31): bit r set (unit diagonal) and random bits among the
		// more significant positions r' < r.
		var rows [32]uint32
		for r := 0; r < 32; r++ {
			above := ^uint32(0) << (32 - r) // bits 31 … 32-r (r of them); Go gives 0 for r = 0
			rows[r] = (rng.Uint32() & above) | 1<<(31-r)
		}
		for k := 0; k < 32; k++ {
			col[k] = s.v[k*dim+j]
		}
		for k := 0; k < 32; k++ {
			var out uint32
			for r := 0; r < 32; r++ {
				out |= uint32(bits.OnesCount32(rows[r]&col[k])&1) << (31 - r)
			}
			s.v[k*dim+j] = out
		}
		s.shift[j] = rng.Uint32()
	}
	copy(s.x, s.shift)
	return s, nil
}

// directionNumbers fills col with the 32 direction numbers of dimension j
// (0-based), left-aligned: col[k] is v_{k+1} · 2^32 in Joe and Kuo's notation.
func directionNumbers(j int, col *[32]uint32) {
	if j == 0 {
		for k := 0; k < 32; k++ {
			col[k] = 1 << (31 - k)
		}
		return
	}
	row := joeKuo[j-1]
	deg := len(row.m)
	for k := 0; k < deg && k < 32; k++ {
		col[k] = row.m[k] << (31 - k)
	}
	for k := deg; k < 32; k++ {
		v := col[k-deg] ^ (col[k-deg] >> deg)
		for i := 1; i < deg; i++ {
			if (row.a>>(deg-1-i))&1 == 1 {
				v ^= col[k-i]
			}
		}
		col[k] = v
	}
}

// Dim returns the sequence's dimension.
func (s *Sobol) Dim() int { return s.dim }

// Index returns the index of the point the next call to [Sobol.Next] returns.
func (s *Sobol) Index() uint64 { return s.idx }

// Point writes point i (0 ≤ i < MaxPoints) into dst, which it grows to Dim()
// when shorter, and returns it. It does not move the position of Next.
func (s *Sobol) Point(i uint64, dst []float64) []float64 {
	if i >= MaxPoints {
		panic(fmt.Sprintf("qmc: Sobol index %d beyond the sequence's %d points", i, uint64(MaxPoints)))
	}
	if cap(dst) < s.dim {
		dst = make([]float64, s.dim)
	}
	dst = dst[:s.dim]
	g := i ^ (i >> 1)
	for j := 0; j < s.dim; j++ {
		x := s.shift[j]
		for b := g; b != 0; b &= b - 1 {
			x ^= s.v[bits.TrailingZeros64(b)*s.dim+j]
		}
		dst[j] = float64(x) * 0x1p-32
	}
	return dst
}

// Next writes the point at Index() into dst (grown to Dim() when shorter),
// advances the position by one and returns dst.
func (s *Sobol) Next(dst []float64) []float64 {
	if s.idx >= MaxPoints {
		panic(fmt.Sprintf("qmc: Sobol sequence exhausted after %d points", uint64(MaxPoints)))
	}
	if cap(dst) < s.dim {
		dst = make([]float64, s.dim)
	}
	dst = dst[:s.dim]
	for j, x := range s.x {
		dst[j] = float64(x) * 0x1p-32
	}
	s.idx++
	if s.idx < MaxPoints {
		// gray(i+1) differs from gray(i) in bit ctz(i+1).
		k := bits.TrailingZeros64(s.idx)
		row := s.v[k*s.dim : (k+1)*s.dim]
		for j := range s.x {
			s.x[j] ^= row[j]
		}
	}
	return dst
}

// Seek positions the sequence so that the next call to [Sobol.Next] returns
// point i (0 ≤ i ≤ MaxPoints).
func (s *Sobol) Seek(i uint64) {
	if i > MaxPoints {
		panic(fmt.Sprintf("qmc: Sobol index %d beyond the sequence's %d points", i, uint64(MaxPoints)))
	}
	s.idx = i
	g := i ^ (i >> 1)
	for j := range s.x {
		x := s.shift[j]
		for b := g; b != 0 && i < MaxPoints; b &= b - 1 {
			x ^= s.v[bits.TrailingZeros64(b)*s.dim+j]
		}
		s.x[j] = x
	}
}
