package sim

import (
	"github.com/startrend/startrend/scenarios"
	"maps"
	"slices"
)

// recorder collects one world's KPIs over the KPI days and turns them into
// a RepResult.
type recorder struct {
	w             *world
	day           int // KPI day index of the current sim day, −1 in warm-up
	daily         [numMetrics][]float64
	keys          [numDims][]string
	bd            [numDims][][numB]float64
	refunds       []refundDue // per sim day
	trendAdopters [][]float64
	trendBass     [][]float64
	trendSubs     [][]float64 // per trend: submissions per KPI day
	trendPlays    [][]float64 // per trend: plays per KPI day
	groupOrders   [][]float64 // per consumer group: orders per KPI day
	seedW, credit []float64
	giniBuf       []float64
}

func (o *recorder) init(w *world) {
	sc := w.sc
	H := sc.HorizonDays
	o.w = w
	o.day = -1
	for m := range o.daily {
		if registry[m].Kind != Ratio {
			o.daily[m] = make([]float64, H)
		}
	}
	for _, m := range sc.Merchants {
		o.keys[dMerchant] = append(o.keys[dMerchant], m.ID)
	}
	o.groupOrders = make([][]float64, len(sc.Population.Groups))
	for g := range o.groupOrders {
		o.groupOrders[g] = make([]float64, H)
	}
	for _, t := range sc.CreatorTypes {
		o.keys[dType] = append(o.keys[dType], t.ID)
	}
	o.keys[dType] = append(o.keys[dType], "own")
	o.keys[dTier] = append(scenarios.Tiers(), "own")
	o.keys[dFormat] = append(scenarios.Formats(), "none")
	o.keys[dContract] = slices.Clone(contractKeys)
	o.keys[dFACT] = slices.Clone(factChannels)
	for _, t := range sc.Trends {
		o.keys[dTrend] = append(o.keys[dTrend], t.ID)
	}
	o.keys[dTrend] = append(o.keys[dTrend], "none")
	for _, c := range sc.Campaigns {
		o.keys[dCampaign] = append(o.keys[dCampaign], c.ID)
	}
	o.keys[dCampaign] = append(o.keys[dCampaign], "none")
	for _, t := range o.keys[dType] {
		for _, f := range o.keys[dFormat] {
			o.keys[dTypeFormat] = append(o.keys[dTypeFormat], t+"/"+f)
		}
	}
	for _, m := range sc.Merchants {
		for _, c := range sc.Campaigns {
			o.keys[dCampWindow] = append(o.keys[dCampWindow], m.ID+"/"+c.ID)
		}
		o.keys[dCampWindow] = append(o.keys[dCampWindow], m.ID+"/none")
	}
	for d := range o.bd {
		o.bd[d] = make([][numB]float64, len(o.keys[d]))
	}
	o.refunds = make([]refundDue, w.T)
	o.trendAdopters = make([][]float64, len(sc.Trends))
	o.trendBass = make([][]float64, len(sc.Trends))
	o.trendSubs = make([][]float64, len(sc.Trends))
	o.trendPlays = make([][]float64, len(sc.Trends))
	for j := range sc.Trends {
		o.trendAdopters[j] = make([]float64, H)
		o.trendBass[j] = make([]float64, H)
		o.trendSubs[j] = make([]float64, H)
		o.trendPlays[j] = make([]float64, H)
	}
}

// add adds v to metric m on the current KPI day (nothing in warm-up).
func (o *recorder) add(m int, v float64) {
	if o.day >= 0 {
		o.daily[m][o.day] += v
	}
}

// set sets a Stock metric's level on the current KPI day.
func (o *recorder) set(m int, v float64) {
	if o.day >= 0 {
		o.daily[m][o.day] = v
	}
}

// addBD adds v to breakdown metric b of every dimension's key in dims.
func (o *recorder) addBD(dims *[numDims]int32, b int, v float64) {
	if o.day < 0 {
		return
	}
	for d, k := range dims {
		o.bd[d][k][b] += v
	}
}

// dimsOf returns the breakdown key indices of content (typ, tier, format
// < 0 and contract kOwn mean the merchant's own content or no content).
func (w *world) dimsOf(m int32, typ, tier, format int8, contract uint8, fact uint8, trend, campaign int16) [numDims]int32 {
	var d [numDims]int32
	d[dMerchant] = m
	d[dType] = int32(w.NT)
	if typ >= 0 {
		d[dType] = int32(typ)
	}
	d[dTier] = numTiers
	if tier >= 0 {
		d[dTier] = int32(tier)
	}
	d[dFormat] = numFormats
	if format >= 0 {
		d[dFormat] = int32(format)
	}
	d[dContract] = int32(contract)
	d[dFACT] = int32(fact)
	d[dTrend] = int32(len(w.sc.Trends))
	if trend >= 0 {
		d[dTrend] = int32(trend)
	}
	d[dCampaign] = int32(len(w.sc.Campaigns))
	if campaign >= 0 {
		d[dCampaign] = int32(campaign)
	}
	d[dTypeFormat] = d[dType]*(numFormats+1) + d[dFormat]
	nc := int32(len(w.sc.Campaigns))
	d[dCampWindow] = m*(nc+1) + nc
	return d
}

// result turns the recorded days into a RepResult.
func (o *recorder) result() RepResult {
	w := o.w
	H := w.sc.HorizonDays
	rr := RepResult{
		Totals:        make(map[string]float64, numMetrics),
		Daily:         make(map[string][]float64, numMetrics+4*len(w.sc.Trends)),
		Distributions: map[string][]float64{},
	}
	for m := range o.daily {
		md := &registry[m]
		switch md.Kind {
		case Sum:
			s := 0.0
			for _, x := range o.daily[m] {
				s += x
			}
			rr.Totals[md.Name] = s
		case Stock:
			rr.Totals[md.Name] = 0
			if H > 0 {
				rr.Totals[md.Name] = o.daily[m][H-1]
			}
		default:
			continue
		}
		rr.Daily[md.Name] = o.daily[m]
	}
	for j, t := range w.sc.Trends {
		rr.Daily["trend_adopters:"+t.ID] = o.trendAdopters[j]
		rr.Daily["trend_bass:"+t.ID] = o.trendBass[j]
		rr.Daily["trend_submissions:"+t.ID] = o.trendSubs[j]
		rr.Daily["trend_plays:"+t.ID] = o.trendPlays[j]
	}
	for g, grp := range w.sc.Population.Groups {
		rr.Daily["orders_group:"+grp.ID] = o.groupOrders[g]
	}
	for d := range o.bd {
		for k, key := range o.keys[d] {
			v := &o.bd[d][k]
			for b, name := range breakdownMetrics {
				rr.Breakdown = append(rr.Breakdown, BreakdownRow{Dimension: breakdownDims[d], Key: key, Metric: name, Value: v[b]})
			}
			roi := 0.0
			if v[bSpend] > 0 {
				roi = v[bGMV] / v[bSpend]
			}
			rr.Breakdown = append(rr.Breakdown, BreakdownRow{Dimension: breakdownDims[d], Key: key, Metric: "roi", Value: roi})
		}
	}
	tiers := scenarios.Tiers()
	for t := 0; t < numTiers; t++ {
		rr.Distributions["creator_income:"+tiers[t]] = []float64{}
	}
	for c := 0; c < w.C; c++ {
		if w.cIncome[c] > 0 {
			key := "creator_income:" + tiers[w.tierOf(w.cFollowers[c])]
			rr.Distributions[key] = append(rr.Distributions[key], w.cIncome[c])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(rr.Distributions)) {
		slices.Sort(rr.Distributions[k])
	}
	return rr
}

// addGroupOrders records the day's orders by consumer group (daily series
// orders_group:<group>, which sum to orders).
func (o *recorder) addGroupOrders(a *accum) {
	if o.day < 0 {
		return
	}
	for g, n := range a.gOrders {
		o.groupOrders[g][o.day] += float64(n) * o.w.scale
	}
}
