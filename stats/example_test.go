package stats_test

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/startrend/startrend/stats"
)

// GMV of five replications: the mean with its 95% interval.
func ExampleMeanCI() {
	gmv := []float64{1020, 980, 1110, 1005, 990}
	e := stats.MeanCI(gmv, 0.95)
	fmt.Printf("%.1f [%.1f, %.1f] n=%d\n", e.Mean, e.Lo, e.Hi, e.N)
	// Output: 1021.0 [956.4, 1085.6] n=5
}

// One replication: the mean is known, the interval is not.
func ExampleMeanCI_oneReplication() {
	e := stats.MeanCI([]float64{1020}, 0.95)
	fmt.Println(e.Mean, e.Defined(), e.Undefined)
	b, _ := json.Marshal(e)
	fmt.Println(string(b))
	// Output:
	// 1020 false one observation: an interval needs at least two
	// {"mean":1020,"sd":null,"se":null,"n":1,"level":0.95,"lo":null,"hi":null,"undefined":"one observation: an interval needs at least two"}
}

// A variant against the baseline, replication by replication (the same
// seeds, so the pairs share their randomness).
func ExamplePairedDiff() {
	baseline := []float64{1020, 980, 1110, 1005, 990}
	variant := []float64{1061, 1012, 1149, 1050, 1020}
	d := stats.PairedDiff(variant, baseline, 0.95)
	fmt.Printf("+%.1f [%.1f, %.1f]\n", d.Mean, d.Lo, d.Hi)
	r := stats.PairedTest(variant, baseline, stats.Greater)
	fmt.Printf("one-sided p = %.5f\n", r.P)
	// Output:
	// +37.4 [29.6, 45.2]
	// one-sided p = 0.00009
}

// ROI is undefined when nothing was spent; an estimate over replications
// skips those.
func ExampleROI() {
	gmv := []float64{500, 450, 0}
	spend := []float64{100, 90, 0}
	rois := stats.ROIs(gmv, spend)
	fmt.Println(rois[0], rois[1], math.IsNaN(rois[2]))
	e := stats.MeanCI(rois, 0.95)
	fmt.Println(e.Mean, e.N, e.Lo == e.Hi)
	// Output:
	// 5 5 true
	// 5 2 true
}

// Holm's adjustment of three comparisons against the baseline.
func ExampleHolm() {
	fmt.Println(stats.Holm([]float64{0.01, 0.04, 0.03}))
	// Output: [0.03 0.06 0.06]
}

// A bias-corrected and accelerated bootstrap interval of a ratio of
// totals, gmv and spend resampled together.
func ExampleBootstrap_Interval() {
	gmv := []float64{510, 430, 620, 480, 555, 390, 605, 470}
	spend := []float64{100, 95, 110, 100, 105, 90, 115, 98}
	roi := func(idx []int) float64 {
		var g, s float64
		for _, i := range idx {
			g, s = g+gmv[i], s+spend[i]
		}
		return stats.ROI(g, s)
	}
	e := stats.Bootstrap{Seed: 1, Method: stats.BCa}.Interval(len(gmv), roi)
	fmt.Printf("%.3f [%.3f, %.3f]\n", e.Mean, e.Lo, e.Hi)
	// Output: 4.994 [4.744, 5.282]
}

// A non-negative KPI: clip the symmetric interval at 0, or form it on
// the log scale.
func ExampleEstimate_Clip() {
	newCustomers := []float64{0, 0, 1, 9}
	fmt.Printf("%.2f\n", stats.MeanCI(newCustomers, 0.95).Clip(stats.NonNegative()).Lo)
	l := stats.LogMeanCI(newCustomers, 0.95)
	fmt.Printf("%.2f %.2f\n", l.Lo, l.Hi)
	// Output:
	// 0.00
	// 0.16 40.07
}

// Two runs with different seeds are not paired: Welch's interval and test
// (R's sleep data: t.test(x, y) gives [−3.365, 0.205], p = 0.0794).
func ExampleWelch() {
	x := []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	y := []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
	e := stats.Welch(x, y, 0.95)
	r := stats.WelchTest(x, y, stats.TwoSided)
	fmt.Printf("%.2f [%.3f, %.3f] df=%.3f p=%.4f\n", e.Mean, e.Lo, e.Hi, r.DF, r.P)
	// Output: -1.58 [-3.365, 0.205] df=17.776 p=0.0794
}
