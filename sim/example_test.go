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
		gmv[r] = rep.Totals[sim.KPIGMV]
		same = same && rep.Totals[sim.KPIGMV] == two.Variants[0].Reps[r].Totals[sim.KPIGMV]
	}
	fmt.Println("same GMV with 1 and 2 workers:", same)
	e := stats.MeanCI(gmv, 0.95)
	fmt.Println("GMV interval defined:", e.Defined(), "contains its mean:", e.Contains(e.Mean))
	// Output:
	// baseline 3 replications of 40 days
	// same GMV with 1 and 2 workers: true
	// GMV interval defined: true contains its mean: true
}

// Compile validates once and builds the engine's model; a scenario the
// engine cannot run is an error, never an empty result. The model runs any
// number of times with RunModel, and asks nothing of the scenario again.
func ExampleCompile() {
	if _, err := sim.Compile(&scenarios.Scenario{Name: "x", HorizonDays: 5, Replications: 1}); err != nil {
		fmt.Println("an empty scenario does not compile")
	}
	sc, err := scenarios.Default("population.users=1000", "creators.generate.count=100",
		"horizon_days=40", "warmup_days=1", "replications=2")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := sim.Compile(sc)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("the baseline and each variant:", len(m.Variants()) == 1+len(sc.Variants), "first:", m.Variants()[0])
	res, err := sim.RunModel(context.Background(), m, sim.Options{Workers: 1, Replications: []int{1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	full, _ := sim.Run(context.Background(), sc, sim.Options{Workers: 1})
	g := res.Variants[0].Reps[0].Totals[sim.KPIGMV]
	fmt.Println("replication 1 alone equals replication 1 of the full run:", g == full.Variants[0].Reps[1].Totals[sim.KPIGMV])
	// Output:
	// an empty scenario does not compile
	// the baseline and each variant: true first: baseline
	// replication 1 alone equals replication 1 of the full run: true
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
