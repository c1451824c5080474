package optimize_test

import (
	"context"
	"fmt"

	"github.com/startrend/startrend/optimize"
)

// CMA-ES minimising a 4-D sphere shifted to (1, 2, 3, 4) on a box, through
// the ask/tell driver; the search and its answer depend only on the seed.
func ExampleCMAES() {
	space := optimize.Space{}
	for range 4 {
		space.Dims = append(space.Dims, optimize.Dim{Lo: -10, Hi: 10})
	}
	m, err := optimize.NewCMAES(space, optimize.Config{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	sphere := func(_ context.Context, _, _ int, x []float64) (float64, error) {
		s := 0.0
		for i, v := range x {
			d := v - float64(i+1)
			s += d * d
		}
		return s, nil
	}
	target := 1e-10
	res, err := optimize.Run(context.Background(), m, sphere, optimize.RunOptions{Target: &target, MaxEvals: 5000})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("stop: %s, f < 1e-10: %t\n", res.Stop, res.Value < 1e-10)
	fmt.Printf("x ≈ [%.4f %.4f %.4f %.4f]\n", res.X[0], res.X[1], res.X[2], res.X[3])
	// Output:
	// stop: target, f < 1e-10: true
	// x ≈ [1.0000 2.0000 3.0000 4.0000]
}

// Race chooses among noisy candidates with error control over repeated
// looks; Decided says whether the choice is backed at the stated level.
func ExampleRace() {
	means := []float64{10, 12, 11}
	eval := func(_ context.Context, i, rep int) (float64, error) {
		noise := float64((rep*7+i*3)%5) - 2 // a deterministic stand-in for noise
		return means[i] + 0.5*noise, nil
	}
	res, err := optimize.Race(context.Background(), len(means), eval, optimize.RaceOptions{MaxEvals: 300, Maximize: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("winner %d, decided %t, P(correct | decided) ≥ %.2f\n", res.Winner, res.Decided, float64(res.Selection.PCS))
	// Output:
	// winner 1, decided true, P(correct | decided) ≥ 0.95
}
