package qmc_test

import (
	"fmt"

	"github.com/startrend/startrend/qmc"
)

// The first points of the two-dimensional Sobol sequence: every prefix of
// 2^m points puts one point in each of the 2^m equal slices of either axis.
func ExampleSobol() {
	s, err := qmc.NewSobol(2)
	if err != nil {
		panic(err)
	}
	var p []float64
	for range 4 {
		p = s.Next(p)
		fmt.Println(p)
	}
	// Output:
	// [0 0]
	// [0.5 0.5]
	// [0.75 0.25]
	// [0.25 0.75]
}

// A scrambled sequence is reproducible from its seed; Point gives random
// access, so a design can be extended from 2^m to 2^(m+1) points without
// recomputing the first ones.
func ExampleNewScrambledSobol() {
	s, _ := qmc.NewScrambledSobol(3, 2024)
	again, _ := qmc.NewScrambledSobol(3, 2024)
	p := s.Point(5, nil)
	q := again.Point(5, nil)
	fmt.Println(p[0] == q[0] && p[1] == q[1] && p[2] == q[2], p[0] > 0 && p[0] < 1)
	// Output:
	// true true
}
