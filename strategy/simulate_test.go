package strategy

import (
	"context"
	"math"
	"testing"
)

// TestSimulateRepIsTheReplication: one replication simulated alone
// (SimulateMerchantRep, as a run store's runs are) has the KPIs of that
// replication in a whole run (SimulateMerchant): optimisations whose
// generations go through the run store tell the method the same values.
func TestSimulateRepIsTheReplication(t *testing.T) {
	sc := apparel(t, "population.users=400", "creators.generate.count=40", "horizon_days=20", "warmup_days=3")
	p, err := NewProblem(sc, ProblemOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Apply(p.Space.Repair(nil, p.BaselineX()))
	if err != nil {
		t.Fatal(err)
	}
	const seed = 77
	whole, err := SimulateMerchant(p.Merchant)(context.Background(), c, seed, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) != len(KPINames()) {
		t.Fatalf("SimulateMerchant returns %d KPIs, KPINames lists %d", len(whole), len(KPINames()))
	}
	for r := range 3 {
		one, err := SimulateMerchantRep(p.Merchant)(context.Background(), c, seed, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range KPINames() {
			if math.Float64bits(one[k]) != math.Float64bits(whole[k][r]) {
				t.Errorf("replication %d, %s: %v alone, %v in the whole run", r, k, one[k], whole[k][r])
			}
		}
	}
	if whole["gmv"][0] == whole["gmv"][1] {
		t.Error("replications 0 and 1 have the same GMV: the check cannot tell them apart")
	}
}
