package calibrate_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/startrend/startrend/calibrate"
)

// A simulator of daily orders: 50 shoppers a day, each ordering with
// probability p; the target is orders per day over 30 days. Replication
// rep fixes the random numbers (common random numbers across θ).
func ordersPerDay(_ context.Context, th []float64, rep int) ([]float64, error) {
	r := rand.New(rand.NewPCG(uint64(rep), 1))
	orders := 0
	for range 30 * 50 {
		if r.Float64() < th[0] {
			orders++
		}
	}
	return []float64{float64(orders) / 30}, nil
}

// Fit a conversion rate to an observed 6 orders a day (± 0.2).
func ExampleNewSMM() {
	p := calibrate.Problem{
		Params:  []calibrate.Parameter{{Name: "conversion", Lo: 0.01, Hi: 0.5}},
		Targets: []calibrate.Target{{Name: "orders_per_day", Observed: 6, SE: 0.2}},
		Seed:    1,
	}
	c, err := calibrate.NewSMM(p, calibrate.SMMOptions{Replications: 4, MaxRuns: 600})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Run(context.Background(), calibrate.Parallel(ordersPerDay, 2), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	q := res.Params[0]
	fmt.Printf("%s = %.3f, 95%% interval [%.3f, %.3f]: %s\n", q.Name, q.Estimate, q.CILo, q.CIHi, q.Verdict)
	t := res.Targets[0]
	fmt.Printf("%s: observed %.1f, simulated %.2f, within tolerance: %v\n", t.Name, t.Observed, t.Simulated, t.Within)
	// Output:
	// conversion = 0.124, 95% interval [0.109, 0.139]: identified
	// orders_per_day: observed 6.0, simulated 6.00, within tolerance: true
}

// The same fit by ABC-SMC with a uniform prior on the bounds.
func ExampleNewABC() {
	p := calibrate.Problem{
		Params:  []calibrate.Parameter{{Name: "conversion", Lo: 0.01, Hi: 0.5}},
		Targets: []calibrate.Target{{Name: "orders_per_day", Observed: 6, SE: 0.2}},
		Seed:    1,
	}
	c, err := calibrate.NewABC(p, calibrate.ABCOptions{Population: 200, Generations: 6})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.Run(context.Background(), calibrate.Parallel(ordersPerDay, 2), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	q := res.Params[0]
	fmt.Printf("posterior median %.3f, 95%% interval [%.3f, %.3f], ESS %.0f\n", q.Median, q.CILo, q.CIHi, res.Posterior.ESS)
	for _, g := range res.Generations[1:] {
		fmt.Printf("generation %d: tolerance %.2f, acceptance %.2f\n", g.Index, g.Tolerance, float64(g.Accepted)/float64(g.Proposed))
	}
	// Output:
	// posterior median 0.120, 95% interval [0.104, 0.135], ESS 195
	// generation 1: tolerance 34.42, acceptance 0.46
	// generation 2: tolerance 16.13, acceptance 0.42
	// generation 3: tolerance 8.04, acceptance 0.38
	// generation 4: tolerance 4.17, acceptance 0.34
	// generation 5: tolerance 2.33, acceptance 0.29
	// generation 6: tolerance 1.33, acceptance 0.24
}

// The ask/tell loop, for callers that run the simulations themselves (a
// run store, a cluster): every batch lists (θ, replication) pairs.
func ExampleCalibration_Ask() {
	p := calibrate.Problem{
		Params:  []calibrate.Parameter{{Name: "conversion", Lo: 0.01, Hi: 0.5}},
		Targets: []calibrate.Target{{Name: "orders_per_day", Observed: 6, SE: 0.2}},
		Seed:    1,
	}
	c, err := calibrate.NewSMM(p, calibrate.SMMOptions{Replications: 4, MaxRuns: 600})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	batches := 0
	for {
		runs, err := c.Ask()
		if err != nil || runs == nil {
			break
		}
		out := make([][]float64, len(runs))
		for i, r := range runs {
			out[i], _ = ordersPerDay(context.Background(), r.Theta, r.Rep)
		}
		if err := c.Tell(out); err != nil {
			fmt.Println(err)
			return
		}
		batches++
	}
	res, _ := c.Result()
	fmt.Printf("%d batches, %d runs, conversion %.3f\n", batches, res.Runs, res.Params[0].Estimate)
	// Output:
	// 38 batches, 600 runs, conversion 0.124
}
