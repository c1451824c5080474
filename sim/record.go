package sim

import (
	"maps"
	"slices"

	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/stats"
)

// recorder collects one world's KPIs over the KPI days and turns them into
// a RepResult.
type recorder struct {
	w       *world
	day     int // KPI day index of the current sim day, −1 in warm-up
	daily   [numMetrics][]float64
	keys    [numDims][]string
	bd      [numDims][][numB]float64
	refunds []refundDue // per sim day
	// Per merchant, for its profit row (the market's profit per merchant):
	// margin, campaign discount and refunded margin over the KPI days, and
	// the refunded margin falling due per sim day ([day*M+m]).
	mMargin, mDiscount, mRefunded []float64
	mRefundsDue                   []float64
	trendAdopters                 [][]float64
	trendBass                     [][]float64
	trendSubs                     [][]float64 // per trend: submissions per KPI day
	trendPlays                    [][]float64 // per trend: plays per KPI day
	groupOrders                   [][]float64 // per consumer group: orders per KPI day
	seedW, credit                 []float64
	giniBuf                       []float64
}

func (o *recorder) init(w *world) {
	cf := w.cfg
	H := cf.horizon
	o.w = w
	o.day = -1
	for m := range o.daily {
		if registry[m].Kind != Ratio {
			o.daily[m] = make([]float64, H)
		}
	}
	o.keys[dMerchant] = slices.Clone(cf.merchantIDs)
	o.groupOrders = make([][]float64, len(cf.groupIDs))
	for g := range o.groupOrders {
		o.groupOrders[g] = make([]float64, H)
	}
	o.keys[dType] = append(slices.Clone(cf.typeIDs), "own")
	o.keys[dTier] = append(scenarios.Tiers(), "own")
	o.keys[dFormat] = append(scenarios.Formats(), "none")
	o.keys[dContract] = append(scenarios.ContractKinds(), "own")
	o.keys[dFACT] = slices.Clone(factChannels)
	o.keys[dTrend] = append(slices.Clone(cf.trendIDs), "none")
	o.keys[dCampaign] = append(slices.Clone(cf.campaignIDs), "none")
	for _, t := range o.keys[dType] {
		for _, f := range o.keys[dFormat] {
			o.keys[dTypeFormat] = append(o.keys[dTypeFormat], t+"/"+f)
		}
	}
	for _, m := range cf.merchantIDs {
		for _, c := range cf.campaignIDs {
			o.keys[dCampWindow] = append(o.keys[dCampWindow], m+"/"+c)
		}
		o.keys[dCampWindow] = append(o.keys[dCampWindow], m+"/none")
	}
	for d := range o.bd {
		o.bd[d] = make([][numB]float64, len(o.keys[d]))
	}
	o.refunds = make([]refundDue, w.T)
	o.mMargin, o.mDiscount, o.mRefunded = make([]float64, w.M), make([]float64, w.M), make([]float64, w.M)
	o.mRefundsDue = make([]float64, w.T*w.M)
	o.trendAdopters = make([][]float64, len(cf.trends))
	o.trendBass = make([][]float64, len(cf.trends))
	o.trendSubs = make([][]float64, len(cf.trends))
	o.trendPlays = make([][]float64, len(cf.trends))
	for j := range cf.trends {
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
	d[dTrend] = int32(len(w.cfg.trends))
	if trend >= 0 {
		d[dTrend] = int32(trend)
	}
	d[dCampaign] = int32(len(w.cfg.campaigns))
	if campaign >= 0 {
		d[dCampaign] = int32(campaign)
	}
	d[dTypeFormat] = d[dType]*(numFormats+1) + d[dFormat]
	nc := int32(len(w.cfg.campaigns))
	d[dCampWindow] = m*(nc+1) + nc
	return d
}

// result turns the recorded days into a RepResult.
func (o *recorder) result() RepResult {
	w := o.w
	H := w.cfg.horizon
	rr := RepResult{
		Totals:        make(map[string]float64, numMetrics),
		Daily:         make(map[string][]float64, numMetrics+4*len(w.cfg.trends)),
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
	for j, id := range w.cfg.trendIDs {
		rr.Daily["trend_adopters:"+id] = o.trendAdopters[j]
		rr.Daily["trend_bass:"+id] = o.trendBass[j]
		rr.Daily["trend_submissions:"+id] = o.trendSubs[j]
		rr.Daily["trend_plays:"+id] = o.trendPlays[j]
	}
	for g, id := range w.cfg.groupIDs {
		rr.Daily["orders_group:"+id] = o.groupOrders[g]
	}
	for d := range o.bd {
		for k, key := range o.keys[d] {
			v := &o.bd[d][k]
			for b, name := range breakdownMetrics {
				rr.Breakdown = append(rr.Breakdown, BreakdownRow{Dimension: breakdownDims[d], Key: key, Metric: name, Value: v[b]})
			}
			rr.Breakdown = append(rr.Breakdown, BreakdownRow{Dimension: breakdownDims[d], Key: key, Metric: KPIROI, Value: stats.ROI(v[bGMV], v[bSpend])})
			if d == dMerchant {
				// The market's profit rule (margin − refunded margin −
				// (spend − campaign discount)) on the merchant's own
				// bookings: the merchants' rows sum to the market's profit.
				p := o.mMargin[k] - o.mRefunded[k] - (v[bSpend] - o.mDiscount[k])
				rr.Breakdown = append(rr.Breakdown, BreakdownRow{Dimension: breakdownDims[d], Key: key, Metric: KPIProfit, Value: p})
			}
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
