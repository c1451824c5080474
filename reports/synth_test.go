package reports

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/startrend/startrend/sim"
)

// synthOpts shapes a synthetic sim.Result for tests (the engine is built
// elsewhere; reports must not depend on it).
type synthOpts struct {
	Seed     uint64
	Reps     int
	Days     int
	Variants int     // besides the baseline
	Budget   float64 // multiplies spend and (sub-linearly) GMV; 1 = normal
	Noise    float64 // relative noise per replication (default 0.03)
	Shift    float64 // relative GMV shift of the whole run (e.g. 0.002)
	Chinese  bool    // Chinese scenario, variant and key names
	ZeroDen  bool    // spend zero everywhere (ROI undefined)
}

var synthMetrics = []sim.Metric{
	{Name: "gmv", Label: "GMV", Unit: "CNY", Kind: sim.Sum, HigherIsBetter: true, Description: "gross merchandise value net of refunds"},
	{Name: "orders", Label: "orders", Unit: "orders", Kind: sim.Sum, HigherIsBetter: true},
	{Name: "new_customers", Label: "new customers", Unit: "users", Kind: sim.Sum, HigherIsBetter: true},
	{Name: "spend", Label: "spend", Unit: "CNY", Kind: sim.Sum, HigherIsBetter: false},
	{Name: "roi", Label: "ROI", Unit: "ratio", Kind: sim.Ratio, Num: "gmv", Den: "spend", HigherIsBetter: true},
	{Name: "aov", Label: "average order value", Unit: "CNY", Kind: sim.Ratio, Num: "gmv", Den: "orders", HigherIsBetter: true},
	{Name: "profit", Label: "profit", Unit: "CNY", Kind: sim.Sum, HigherIsBetter: true},
	{Name: "active_creators", Label: "active creators", Unit: "creators", Kind: sim.Stock, HigherIsBetter: true},
}

var synthTypes = []string{"reach_expander", "interest_seeder", "trend_setter", "live_seller", "deal_hunter", "repurchase_driver"}

func synthResult(o synthOpts) *sim.Result {
	if o.Reps == 0 {
		o.Reps = 10
	}
	if o.Days == 0 {
		o.Days = 60
	}
	if o.Budget == 0 {
		o.Budget = 1
	}
	if o.Noise == 0 {
		o.Noise = 0.03
	}
	name, trend, camp := "apparel-spring-launch", "mint_manbo", "super_value"
	if o.Chinese {
		name, trend = "服装春季上新", "薄荷曼波"
	}
	res := &sim.Result{
		Scenario: name, Hash: fmt.Sprintf("%064x", o.Seed), Seed: o.Seed, Replications: o.Reps,
		HorizonDays: o.Days, WarmupDays: 7, Currency: "CNY", Scale: 100,
		Metrics: synthMetrics, Work: sim.Work{Workers: 2, Chunks: 40, UserDays: 1e7},
	}
	_ = camp
	for vi := 0; vi <= o.Variants; vi++ {
		vname, desc := "baseline", ""
		if vi > 0 {
			vname = fmt.Sprintf("variant-%d", vi)
			desc = fmt.Sprintf("moving %d0%% of the creator budget to waist creators", vi)
			if o.Chinese {
				vname = fmt.Sprintf("方案%d", vi)
			}
		}
		v := sim.VariantResult{Name: vname, Description: desc}
		effect := 1 + 0.05*float64(vi) // each variant raises GMV by 5%
		for r := 0; r < o.Reps; r++ {
			// Common random numbers: the replication's noise does not
			// depend on the variant.
			rng := rand.New(rand.NewPCG(o.Seed, uint64(r)))
			repNoise := 1 + o.Noise*rng.NormFloat64()
			v.Reps = append(v.Reps, synthRep(rng, o, effect*repNoise, trend, vi))
		}
		res.Variants = append(res.Variants, v)
	}
	return res
}

func synthRep(rng *rand.Rand, o synthOpts, level float64, trend string, vi int) sim.RepResult {
	rep := sim.RepResult{Totals: map[string]float64{}, Daily: map[string][]float64{}, Distributions: map[string][]float64{}}
	gmvScale := math.Sqrt(o.Budget) * (1 + o.Shift)
	series := func(name string, base float64) []float64 {
		xs := make([]float64, o.Days)
		for d := range xs {
			w := 1.0
			if d+1 >= 30 && d+1 <= 37 {
				w = 1.4 // campaign window
			}
			xs[d] = base * w * level * (1 + 0.1*rng.NormFloat64())
		}
		rep.Daily[name] = xs
		return xs
	}
	sum := func(xs []float64) float64 {
		var s float64
		for _, x := range xs {
			s += x
		}
		return s
	}
	rep.Totals["gmv"] = sum(series("gmv", 100000*gmvScale))
	rep.Totals["orders"] = sum(series("orders", 400*gmvScale))
	rep.Totals["new_customers"] = sum(series("new_customers", 150*gmvScale))
	spend := 30000 * o.Budget
	if o.ZeroDen {
		spend = 0
	}
	sp := make([]float64, o.Days)
	for d := range sp {
		sp[d] = spend
	}
	rep.Daily["spend"] = sp
	rep.Totals["spend"] = spend * float64(o.Days)
	rep.Totals["profit"] = 0.3*rep.Totals["gmv"] - rep.Totals["spend"]
	rep.Totals["active_creators"] = math.Round(800 * level)
	// Funnel stocks and flows.
	stocks := []float64{800000, 120000, 50000, 20000, 8000, 2000}
	for i, st := range funnelStages {
		series("stock_"+st, stocks[i])
		if i+1 < len(funnelStages) {
			series(fmt.Sprintf("flow_%s_%s", st, funnelStages[i+1]), stocks[i]*0.02)
		}
	}
	// Trend: adopters vs the Bass curve.
	p, q, mkt := 0.01, 0.3, 500.0
	ad, bass, sub, plays := make([]float64, o.Days), make([]float64, o.Days), make([]float64, o.Days), make([]float64, o.Days)
	for d := range ad {
		t := float64(d + 1)
		F := (1 - math.Exp(-(p+q)*t)) / (1 + q/p*math.Exp(-(p+q)*t))
		bass[d] = mkt * F
		ad[d] = bass[d] * (1 + 0.05*rng.NormFloat64())
		sub[d] = ad[d] * 0.8
		plays[d] = sub[d] * 3400
	}
	rep.Daily["trend_adopters:"+trend], rep.Daily["trend_bass:"+trend] = ad, bass
	rep.Daily["trend_submissions:"+trend], rep.Daily["trend_plays:"+trend] = sub, plays
	// Extra keyed series up to ~40 daily series.
	for i := 0; i < 14; i++ {
		series(fmt.Sprintf("gmv_merchant:m%02d", i), 5000)
	}
	// Breakdown rows in a fixed order.
	add := func(dim, key, metric string, v float64) {
		rep.Breakdown = append(rep.Breakdown, sim.BreakdownRow{Dimension: dim, Key: key, Metric: metric, Value: v})
	}
	formats := []string{"short_video", "live", "post", "storefront"}
	for ti, t := range synthTypes {
		for fi, f := range formats {
			g := rep.Totals["gmv"] / 24 * (1 + 0.3*float64(ti-fi)/6) * (1 + 0.05*rng.NormFloat64())
			add(DimTypeFormat, t+"/"+f, "gmv", g)
			add(DimTypeFormat, t+"/"+f, "roi", g/(spend*float64(o.Days)/24+1))
		}
	}
	for _, ch := range []string{"field", "alliance", "campaign", "top_kol"} {
		g := rep.Totals["gmv"] / 4 * (1 + 0.1*rng.NormFloat64())
		add(DimFACT, ch, "gmv", g)
		add(DimFACT, ch, "roi", g/(spend*float64(o.Days)/4+1))
	}
	for m := 0; m < 40; m++ {
		key := fmt.Sprintf("brand_%02d", m)
		if o.Chinese && m == 0 {
			key = "品牌甲"
		}
		for _, met := range []string{"gmv", "orders", "spend", "roi", "new_customers"} {
			add("merchant", key, met, rep.Totals[met]/40*(1+0.1*rng.NormFloat64()))
		}
	}
	for _, tier := range []string{"head", "waist", "tail", "koc"} {
		add("creator_tier", tier, "gmv", rep.Totals["gmv"]/4)
		xs := make([]float64, 50)
		for i := range xs {
			xs[i] = math.Exp(8 + rng.NormFloat64())
		}
		rep.Distributions["creator_income:"+tier] = xs
	}
	_ = vi
	return rep
}

const synthYAML = `name: apparel-spring-launch
seed: 42
horizon_days: 60
question: {merchant: brand_01, objective: gmv}
merchants:
  - {id: brand_00, name: 品牌甲 Brand Zero}
  - {id: brand_01, name: Brand One}
campaigns:
  - {id: super_value, window: [30, 37], discount: 0.15}
`
