package sim

import (
	"math"
	"slices"
)

// This file holds the day's last phases: settlement (money from the day's
// counts, paid traffic charged within budget, refunds scheduled,
// attribution) and transitions of the slow agents (creator followers,
// income and lifecycle, trend and campaign KPIs). Funnel decay needs no
// phase: it is derived lazily when a stage is read (stageNow).

type refundDue struct{ n, gmv, margin float64 }

// endDay settles sim day d from the day's counts.
func (w *world) endDay(d int, a *accum) {
	w.closeUsers(a) // funnel stocks from the decay calendar (users.go)
	o := &w.out
	discount, margin := w.settleItems(d, a)
	w.settlePaid(a)
	// Refunds falling due today.
	rd := o.refunds[d]
	o.add(mRefunds, rd.n)
	o.add(mRefundsGMV, rd.gmv)
	if o.day >= 0 {
		for m := range o.mRefunded {
			o.mRefunded[m] += o.mRefundsDue[d*w.M+m]
		}
		o.daily[mGMVNet][o.day] = o.daily[mGMV][o.day] - rd.gmv
		o.daily[mProfit][o.day] = margin - rd.margin - (o.daily[mSpend][o.day] - discount)
	}
	w.settleUsers(a)
	w.creatorTransitions(d)
	w.settleTrends(d)
}

// settleItems books the day's counts of every item (impressions, orders,
// GMV, margin, campaign discounts, commissions, follows, linked orders and
// seeding credit, refunds scheduled) and returns the day's campaign
// discount and margin.
func (w *world) settleItems(d int, a *accum) (discount, margin float64) {
	t := &w.day
	p := &w.cfg.plat
	o := &w.out
	scale := w.scale
	M := w.M
	// Seed weight per merchant, for moving seeding credit in the breakdown.
	if cap(o.seedW) < M {
		o.seedW = make([]float64, M)
		o.credit = make([]float64, M)
	}
	seedW, credit := o.seedW[:M], o.credit[:M]
	clear(seedW)
	clear(credit)
	for k := range t.items {
		if it := &t.items[k]; it.seed {
			seedW[it.merchant] += it.w
		}
	}
	for k := range t.items {
		it := &t.items[k]
		c := a.cnt[k*nCnt : k*nCnt+nCnt]
		imp := float64(c[cImp]) * scale
		if it.merchant < 0 {
			o.add(mTrendPlays, imp)
			if o.day >= 0 {
				o.trendPlays[it.trendPool][o.day] += imp
			}
			continue
		}
		orders := float64(c[cOrders]) * scale
		gmv := orders * it.value
		nc := float64(c[cNew]) * scale
		o.add(mImpressions, imp)
		o.add(mImpressionsK, imp/1000)
		o.add(mGMV, gmv)
		o.add(mOrders, orders)
		o.add(mNewCustomers, nc)
		o.add(mRepurchases, orders-nc)
		o.add(mImpulseOrders, float64(c[cImpulse])*scale)
		mg := orders * it.marginV
		margin += mg
		o.add(mMargin, mg)
		if o.day >= 0 {
			o.mMargin[it.merchant] += mg
		}
		dims := &it.dims
		o.addBD(dims, bImpressions, imp)
		o.addBD(dims, bGMV, gmv)
		o.addBD(dims, bOrders, orders)
		o.addBD(dims, bNewCustomers, nc)
		if it.trend >= 0 {
			o.add(mTrendPlays, imp)
			o.add(mTrendGMV, gmv)
			if o.day >= 0 {
				o.trendPlays[it.trend][o.day] += imp
			}
		}
		if it.campaign >= 0 {
			disc := orders * it.discountV
			discount += disc
			if o.day >= 0 {
				o.mDiscount[it.merchant] += disc
			}
			o.add(mCampaignImpressionsK, imp/1000)
			o.add(mCampaignOrders, orders)
			o.add(mCampaignGMV, gmv)
			o.add(mCampaignMargin, mg)
			o.add(mCampaignDiscount, disc)
			o.add(mSpendCampaign, disc)
			o.add(mSpend, disc)
			o.addBD(dims, bSpend, disc)
		}
		if it.creator >= 0 {
			w.settleCreatorItem(it, c, gmv, orders)
		}
		if c[cLinked] > 0 {
			lg := float64(c[cLinked]) * scale * it.value
			cr, _ := w.link.Split(lg) // seeding's share; the rest stays with the harvest content
			o.add(mLinkedOrders, float64(c[cLinked])*scale)
			o.add(mLinkedGMV, lg)
			o.add(mSeedingCredit, cr)
			if seedW[it.merchant] > 0 {
				o.addBD(dims, bGMV, -cr)
				credit[it.merchant] += cr
			}
		}
		if c[cRefunds] > 0 {
			if due := d + p.RefundDelayDays; due < w.T {
				n := float64(c[cRefunds]) * scale
				rd := &o.refunds[due]
				rd.n += n
				rd.gmv += n * it.value
				rd.margin += n * it.marginV
				o.mRefundsDue[due*w.M+int(it.merchant)] += n * it.marginV
			}
		}
	}
	for k := range t.items { // seeding credit to the seeding content, by weight
		if it := &t.items[k]; it.seed && credit[it.merchant] > 0 {
			o.addBD(&it.dims, bGMV, credit[it.merchant]*it.w/seedW[it.merchant])
		}
	}
	return discount, margin
}

// settleCreatorItem books a creator item's commission, follows and
// orders per post (c: its counts; gmv and orders already scaled).
func (w *world) settleCreatorItem(it *item, c []int64, gmv, orders float64) {
	o := &w.out
	dims := &it.dims
	com := gmv * it.commission
	o.add(mSpendCommission, com)
	o.add(mSpend, com)
	o.add(mCreatorIncome, com)
	o.addBD(dims, bSpend, com)
	o.addBD(dims, bCreatorIncome, com)
	w.cToday[it.creator] += com
	nf := float64(c[cFollows]) * w.scale
	w.cFollowers[it.creator] += nf
	o.add(mNewFollows, nf)
	w.expOrders[it.tier] += orders
}

// settlePaid charges paid traffic as delivered, never above what was
// planned: merchants' lines, then task boosts.
func (w *world) settlePaid(a *accum) {
	t := &w.day
	scale := w.scale
	cpm := w.cfg.plat.CPM
	for m := 0; m < w.M; m++ {
		cost := 0.0
		for l := range t.lines {
			if ln := &t.lines[l]; ln.coop < 0 && int(ln.merchant) == m {
				cost += float64(a.line[l]) * cpm / 1000 * scale
			}
		}
		if !(cost > 0) {
			continue
		}
		f := math.Min(1, t.merPlanned[m]/cost)
		for l := range t.lines {
			if ln := &t.lines[l]; ln.coop < 0 && int(ln.merchant) == m {
				ch := float64(a.line[l]) * cpm / 1000 * scale * f
				w.chargePaid(m, ch, &t.items[ln.item].dims)
			}
		}
	}
	for l := range t.lines {
		ln := &t.lines[l]
		if ln.coop < 0 {
			continue
		}
		co := &w.coops[ln.coop]
		ch := math.Min(float64(a.line[l])*cpm/1000*scale, math.Min(ln.planned, co.boostLeft))
		co.boostLeft -= ch
		w.merchants[ln.merchant].reserved -= ch
		w.chargePaid(int(ln.merchant), ch, &t.items[ln.item].dims)
	}
}

// settleUsers records the day's user stocks, flows, lifecycle states and
// activity, and keeps today's active users for tomorrow's targeting.
func (w *world) settleUsers(a *accum) {
	o := &w.out
	scale := w.scale
	M := w.M
	for s := 0; s < 6; s++ {
		n := int64(0)
		for m := 0; m < M; m++ {
			n += a.stock[m*6+s]
		}
		o.set(mStockO+s, float64(n)*scale)
	}
	for s := 0; s < 5; s++ {
		n := int64(0)
		for m := 0; m < M; m++ {
			n += a.flows[m*5+s]
		}
		o.add(mFlowOA1+s, float64(n)*scale)
	}
	for l := 0; l < 5; l++ {
		o.set(mUsersNew+l, float64(a.life[l])*scale)
	}
	o.add(mActiveUsers, float64(a.opened)*scale)
	o.add(mReactivations, float64(a.react)*scale)
	o.add(mBuyers, float64(a.buyers)*scale)
	for i, x := range a.active {
		w.day.prevActive[i] = float64(x)
	}
}

// settleTrends records the trends' adopters, riding merchants and the
// closed-form Bass reference of sim day d.
func (w *world) settleTrends(d int) {
	o := &w.out
	sday := d - w.W + 1
	adopters, riders := 0.0, 0.0
	for j, tr := range w.trends {
		n := float64(tr.AdoptedCount())
		adopters += n
		for m := range w.merchants {
			if w.merchants[m].trendTag[j] {
				riders++
			}
		}
		if o.day >= 0 {
			o.trendAdopters[j][o.day] = n
			steps := sday - w.cfg.trends[j].StartDay + 1
			ref := 0.0
			if steps > 0 {
				ref = w.trendRef[j][min(steps, len(w.trendRef[j])-1)] * float64(tr.PotentialCount())
			}
			o.trendBass[j][o.day] = ref
		}
	}
	o.set(mTrendCreators, adopters)
	o.set(mTrendMerchants, riders)
}

// chargePaid records paid-traffic spend of merchant m.
func (w *world) chargePaid(m int, ch float64, dims *[numDims]int32) {
	if !(ch > 0) {
		return
	}
	w.merchants[m].spentPaid += ch
	w.out.add(mSpendPaidTraffic, ch)
	w.out.add(mSpend, ch)
	w.out.addBD(dims, bSpend, ch)
}

// creatorTransitions updates creator income windows, lifecycle and tiers.
//
// A newcomer becomes rising once it has been engaged — cooperation content
// live in users' feeds, or income — on rising_after_days days; a rising
// creator with established_followers real followers, or engaged on
// established_after_days days, becomes established.
// A creator goes dormant only when it earns below its reservation income:
// over the last dormant_after_days days (a full window since it first
// cooperated) it took cooperations whose reservation incomes sum to more
// than the fees and commissions it earned. A creator that is simply not
// booked keeps its state.
func (w *world) creatorTransitions(d int) {
	o := &w.out
	cg := &w.cfg.plat.CreatorGrowth
	D := max(1, cg.DormantAfterDays)
	var counts [4]float64
	active := 0.0
	for c := 0; c < w.C; c++ {
		inc := w.cToday[c]
		w.cToday[c] = 0
		if o.day >= 0 {
			w.cIncome[c] += inc
		}
		ring := w.cIncRing[c*D : c*D+D]
		ring[d%D] = inc
		resRing := w.cResRing[c*D : c*D+D]
		resRing[d%D] = w.cResToday[c]
		w.cResToday[c] = 0
		if inc > 0 || w.cActive[c] {
			w.cIncDays[c]++
		}
		switch w.cLife[c] {
		case crNewcomer:
			if int(w.cIncDays[c]) >= cg.RisingAfterDays && w.cIncDays[c] > 0 {
				w.cLife[c] = crRising
			}
		case crRising:
			if w.cFollowers[c] >= cg.EstablishedFollowers || (cg.EstablishedAfterDays > 0 && int(w.cIncDays[c]) >= cg.EstablishedAfterDays) {
				w.cLife[c] = crEstablished
			}
		}
		if w.cEngaged[c] && w.cLife[c] != crDormant && d-int(w.cEngDay[c]) >= D-1 {
			s, owed := 0.0, 0.0
			for i, x := range ring {
				s += x
				owed += resRing[i]
			}
			if owed > 0 && s < owed {
				w.cLife[c] = crDormant
			}
		}
		counts[w.cLife[c]]++
		if w.cActive[c] {
			active++
		}
	}
	for i := 0; i < 4; i++ {
		o.set(mCreatorsNewcomer+i, counts[i])
	}
	o.set(mActiveCreators, active)
	if o.day >= 0 {
		o.set(mCreatorIncomeGini, gini(w.cIncome, &o.giniBuf))
	}
}

// gini is the Gini coefficient of the positive values of xs (0 when fewer
// than two).
func gini(xs []float64, buf *[]float64) float64 {
	b := (*buf)[:0]
	for _, x := range xs {
		if x > 0 {
			b = append(b, x)
		}
	}
	*buf = b
	n := len(b)
	if n < 2 {
		return 0
	}
	slices.Sort(b)
	var num, sum float64
	for i, x := range b {
		num += float64(2*(i+1)-n-1) * x
		sum += x
	}
	if !(sum > 0) {
		return 0
	}
	return num / (float64(n) * sum)
}
