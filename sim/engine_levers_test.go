package sim

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/startrend/startrend/scenarios"
)

// taskYAML: one roster creator and one merchant posting a single Magpie
// Bridge task it alone can take (no generated creators). The task's fee is
// budget × (1 − ecommerce_share) = 10000 × 0.6 = 6000; on the first re-plan
// nothing has sold yet, so the expected commission is 0 and the creator's
// decision is fee vs reservation income.
const taskYAML = `
name: task-boundary
seed: 3
horizon_days: 3
replications: 1
population: {users: 500}
creators:
  roster: creators.csv
merchants:
  - id: m
    products: [{id: p, price: 100, margin: 0.5, refund_rate: 0}]
    budget: {creator_fees: 50000, paid_traffic: 50000}
    strategy:
      matrix:
        - {stage: any, type: seeder, tier: head, format: short_video, count: 1, contract: task, task: {budget: 10000, ecommerce_share: 0.4}}
`

func taskScenario(t *testing.T, reservation float64) *scenarios.Scenario {
	t.Helper()
	dir := t.TempDir()
	csv := "id,name,type,followers,quality,live_skill,short_video,live,post,storefront,fee,commission,reservation_income\n" +
		fmt.Sprintf("solo,独行,seeder,2000000,0.7,0.5,3,0,0,0,5000,0.2,%g\n", reservation)
	writeFile(t, dir+"/creators.csv", csv)
	writeFile(t, dir+"/task.yaml", taskYAML)
	sc, err := scenarios.Load(dir + "/task.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestEngineTaskAcceptance: in the engine (not only on the task board), a
// creator takes a task whose income is just above its reservation income
// and refuses one just below, which then stays unfilled.
func TestEngineTaskAcceptance(t *testing.T) {
	for _, c := range []struct {
		reservation      float64
		accepted, unfill float64
	}{
		{5999, 1, 0}, // fee 6000 beats 5999: accepts
		{6000, 1, 0}, // a tie accepts
		{6001, 0, 1}, // fee 6000 is short of 6001: refuses, the task is unfilled
	} {
		res, err := Run(context.Background(), taskScenario(t, c.reservation), Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		tot := res.Variants[0].Reps[0].Totals
		if tot["tasks_posted"] < 1 {
			t.Fatalf("reservation %g: no task posted: %v", c.reservation, tot["tasks_posted"])
		}
		if tot["tasks_accepted"] != c.accepted || tot["tasks_unfilled"] != c.unfill {
			t.Errorf("reservation %g: accepted %v unfilled %v, want %v and %v",
				c.reservation, tot["tasks_accepted"], tot["tasks_unfilled"], c.accepted, c.unfill)
		}
		if fees := tot["spend_creator_fees"]; (c.accepted == 1) != (fees > 0) {
			t.Errorf("reservation %g: creator fees %v with %v accepted", c.reservation, fees, c.accepted)
		}
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
