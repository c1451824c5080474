// Package qmc generates quasi-Monte Carlo point sets for experiment designs
// and sensitivity analysis.
//
// [Sobol] is the Sobol low-discrepancy sequence with the Joe–Kuo
// direction numbers (new-joe-kuo-6.21201, dimensions 1 … [MaxDim]), in
// Gray-code order, with random access to any point ([Sobol.Point]) and a
// sequential form ([Sobol.Next], [Sobol.Seek]). [NewSobol] gives the
// deterministic sequence; [NewScrambledSobol] a seeded linear matrix scramble
// plus digital shift, which keeps the net structure and makes estimates
// unbiased with a measurable spread across seeds.
//
// Points are in [0,1)^dim; the sequence starts at index 0 (the origin when
// unscrambled) and is not thinned or skipped, so that the first 2^m points are
// balanced. Designs should use point counts that are powers of two and, when
// growing, extend from 2^m to 2^(m+1) points: the new points are indices
// 2^m … 2^(m+1)-1 and the old ones are never recomputed.
package qmc
