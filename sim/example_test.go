package sim_test

import (
	"context"
	"fmt"

	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

// A small run of the default scenario, twice: the results do not depend on
// the number of workers. (It prints facts that hold whatever the model's
// numbers are, so that it stays true as the engine changes.)
func ExampleRun() {
	sc, err := scenarios.Default("population.users=2000", "creators.generate.count=100",
		"horizon_days=40", "warmup_days=2", "replications=3")
	if err != nil {
		fmt.Println(err)
		return
	}
	sc.Variants = nil
	one, err := sim.Run(context.Background(), sc, sim.Options{Workers: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	two, _ := sim.Run(context.Background(), sc, sim.Options{Workers: 2})
	base := one.Variants[0]
	fmt.Println(base.Name, len(base.Reps), "replications of", one.HorizonDays, "days")

	gmv := make([]float64, len(base.Reps))
	same := true
	for r, rep := range base.Reps {
		gmv[r] = rep.Totals["gmv"]
		same = same && rep.Totals["gmv"] == two.Variants[0].Reps[r].Totals["gmv"]
	}
	fmt.Println("same GMV with 1 and 2 workers:", same)
	e := stats.MeanCI(gmv, 0.95)
	fmt.Println("GMV interval defined:", e.Defined(), "contains its mean:", e.Contains(e.Mean))
	// Output:
	// baseline 3 replications of 40 days
	// same GMV with 1 and 2 workers: true
	// GMV interval defined: true contains its mean: true
}

// The metric registry: every KPI is declared once.
func ExampleMetrics() {
	for _, m := range sim.Metrics("CNY")[:3] {
		fmt.Printf("%s (%s)\n", m.Name, m.Unit)
	}
	// Output:
	// gmv (CNY)
	// gmv_net (CNY)
	// orders (orders)
}
