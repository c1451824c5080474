package strategy

import (
	"context"
	"slices"

	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim"
	"github.com/startrend/startrend/stats"
)

// SimulateMerchant is the optimiser's evaluation function: it runs the
// scenario with sim.Run (one worker: candidates run in parallel) with the
// given seed and replications and returns the merchant's KPIs per
// replication. GMV, orders, new customers, spend and profit are the
// merchant's own (breakdown by merchant); KPIs the engine does not break
// down by merchant (margin, buyers, ...) are the scenario's totals, which
// are the merchant's when it is the only one.
func SimulateMerchant(merchant string) Simulate {
	return func(ctx context.Context, sc *scenarios.Scenario, seed uint64, reps int) (map[string][]float64, error) {
		c := scenarios.Clone(sc)
		c.Seed, c.Replications, c.Variants, c.Optimize, c.Sweep = seed, reps, nil, nil, nil
		res, err := sim.Run(ctx, c, sim.Options{Workers: 1})
		if err != nil {
			return nil, err
		}
		return merchantKPIs(res, merchant), nil
	}
}

// SimulateRep is one replication of a candidate: the merchant's KPIs
// (KPINames) of replication rep of the scenario run from seed — the
// numbers Simulate gives for that replication (a replication's random
// streams come from its index). Run stores evaluate one run at a time
// with it.
type SimulateRep func(ctx context.Context, sc *scenarios.Scenario, seed uint64, rep int) (map[string]float64, error)

// SimulateMerchantRep is SimulateMerchant for one replication.
func SimulateMerchantRep(merchant string) SimulateRep {
	return func(ctx context.Context, sc *scenarios.Scenario, seed uint64, rep int) (map[string]float64, error) {
		c := scenarios.Clone(sc)
		c.Seed, c.Replications, c.Variants, c.Optimize, c.Sweep = seed, 1, nil, nil, nil
		res, err := sim.Run(ctx, c, sim.Options{Workers: 1, Replications: []int{rep}})
		if err != nil {
			return nil, err
		}
		out := map[string]float64{}
		for name, v := range merchantKPIs(res, merchant) {
			if len(v) == 1 {
				out[name] = v[0]
			}
		}
		return out, nil
	}
}

// KPINames are the KPIs SimulateMerchant returns, in a fixed order (a
// new slice each call).
func KPINames() []string { return append(slices.Clone(merchantKPINames[:]), sim.KPIROI) }

// merchantKPINames are the KPIs SimulateMerchant returns; roi is formed from
// gmv and spend.
var merchantKPINames = [...]string{sim.KPIGMV, sim.KPIOrders, sim.KPINewCustomers, sim.KPISpend, sim.KPIProfit,
	sim.KPIMargin, sim.KPIBuyers, sim.KPIGMVNet}

// merchantKPIs extracts the baseline variant's per-replication KPIs of the
// merchant: its own where the engine breaks a KPI down by merchant, the
// scenario's totals otherwise, and roi by the one rule ([stats.ROIs]:
// undefined, NaN, in a replication with no spend).
func merchantKPIs(res *sim.Result, merchant string) map[string][]float64 {
	out := map[string][]float64{}
	if len(res.Variants) == 0 {
		return out
	}
	for _, rep := range res.Variants[0].Reps {
		own := map[string]float64{}
		for _, row := range rep.Breakdown {
			if row.Dimension == "merchant" && row.Key == merchant {
				own[row.Metric] = row.Value
			}
		}
		for _, name := range merchantKPINames {
			v, ok := own[name]
			if !ok {
				v = rep.Totals[name]
			}
			out[name] = append(out[name], v)
		}
	}
	out[sim.KPIROI] = stats.ROIs(out[sim.KPIGMV], out[sim.KPISpend])
	return out
}
