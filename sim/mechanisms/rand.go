package mechanisms

import (
	"math/bits"
	"math/rand/v2"
)

// uniform returns a uniform float64 in [0, 1) from one Uint64 of r
// (53 random bits, the same construction as math/rand/v2's Float64).
func uniform(r *rand.PCG) float64 {
	return float64(r.Uint64()>>11) * 0x1p-53
}

// uintN returns a uniform integer in [0, n), n > 0, without bias
// (Lemire's multiply-and-reject).
func uintN(r *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(r.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), n)
		}
	}
	return hi
}

// shuffle32 permutes s uniformly at random (Fisher–Yates).
func shuffle32(r *rand.PCG, s []int32) {
	for i := len(s) - 1; i > 0; i-- {
		j := uintN(r, uint64(i+1))
		s[i], s[j] = s[j], s[i]
	}
}
