package sim

import (
	"math"
	"slices"

	"github.com/startrend/startrend/sim/mechanisms"
)

// This file builds the day's tables, once per world and day, so that the
// user loop does only array reads: the live content items, their
// per-group response probabilities, the recommendation and paid-traffic
// alias tables and the linkage tables.

// item is one piece of live content on one day: a cooperation's pieces
// (merged: same creator, product, format and contract), the merchant's own
// store or live room, or a trend's pool of submissions (merchant −1).
type item struct {
	coop                int32 // index in world.coops (−1: trend content, see buildTrendItems)
	merchant, product   int32
	creator             int32
	format, contract    uint8
	typ, tier           int8
	trend, campaign     int16 // −1: none
	trendPool           int16 // ≥ 0: the item is trend j's submissions
	fact                uint8
	harvest, seed, live bool
	w                   float64 // recommendation weight before group affinity
	value               float64 // order value (price after discount)
	marginV, discountV  float64 // per order
	commission          float64 // share of the order value paid to the creator
	refundRate          float64
	cycle               int32 // repurchase cycle of the product (days)
	dims                [numDims]int32
}

// paidLine is one target of paid impressions on one day: a merchant's paid
// traffic on one of its items, or a task's e-commerce boost of its content.
type paidLine struct {
	item      int32
	merchant  int32
	coop      int32 // task boost: the cooperation; −1: merchant paid traffic
	stageMask uint8
	planned   float64 // CNY planned for the day
}

// Response table layout: per item and group, respStride float32:
// o→a1, a1→a2, a2→a3, a3→a4, a4→a5, impulse (a1/a2 → order).
const respStride = 8

type dayTables struct {
	d     int
	today uint16
	kpi   bool

	items     []item
	resp      []float32          // [K*G*respStride]
	recAlias  []mechanisms.Alias // per group
	recW      []float64          // per group: total recommendation weight
	satF      []float32          // per merchant × group: content saturation factor (1 without)
	cItemOff  []int32            // per creator: range in cItems
	cItems    []int32
	cItemCum  []float64
	cCursor   []int32
	lines     []paidLine
	paidAlias []mechanisms.Alias
	paidPois  []poissonTable
	pois      poissonTable
	hasLink   bool
	hItems    [][]int32          // per merchant: harvest items
	harvestW  []float64          // [M*G]: (exposure_boost − 1) × harvest weight
	hAlias    []mechanisms.Alias // [M*G]

	prevActive []float64 // [M*G*6] active users by merchant stage yesterday
	prevDue    []float64 // [M*G*6] of them, customers (a4, a5) past their repurchase cycle
	merPlanned []float64 // per merchant: paid traffic planned today (CNY)

	// Paid delivery (buildPaid): merchant m's paid lines are
	// lines[mLineOff[m]:mLineOff[m+1]] (picked by mAlias[m] ∝ item weight),
	// task boosts follow. paidExp[(m*G+g)*6+s] is e^{−λ} for the paid
	// impressions of m a user of group g at stage s gets (1: none);
	// paidUp[m]: m buys impressions of users above O. paidAlias[g] and
	// paidPois[g] draw the impressions to users at O (entries 0..M−1:
	// merchant m, kept only if the user is at O of m) and of task boosts
	// (entry M+b: boost line b).
	mLineOff  []int32
	mAlias    []mechanisms.Alias
	paidExp   []float64
	paidUp    []bool
	anyPaidUp bool
	boostOff  int32 // index of the first task-boost line

	// Own content per merchant (own-account organic impressions): items
	// and cumulative weights.
	ownItems [][]int32
	ownCum   [][]float64

	weights []float64
}

// buildTables builds the user loop's tables for day d.
func (w *world) buildTables(d int) {
	t := &w.day
	cf := w.cfg
	p := &cf.plat
	G, M := w.G, w.M
	if t.recAlias == nil {
		t.recAlias = make([]mechanisms.Alias, G)
		t.recW = make([]float64, G)
		t.paidAlias = make([]mechanisms.Alias, G)
		t.paidPois = make([]poissonTable, G)
		t.hItems = make([][]int32, M)
		t.harvestW = make([]float64, M*G)
		t.hAlias = make([]mechanisms.Alias, M*G)
		t.merPlanned = make([]float64, M)
		t.pois.set(p.ImpressionsPerActiveUser)
	}
	w.buildItems(d)
	w.buildResponses(d)
	w.buildRecommendation()
	w.buildPaid(d)
	if t.hasLink {
		w.buildLinkage()
	}
}

// buildItems lists day d's live content: cooperations with weight today
// and the trends' submission pools.
func (w *world) buildItems(d int) {
	t := &w.day
	cf := w.cfg
	p := &cf.plat
	sday := d - w.W + 1
	rq := p.Ranking.Quality
	t.items = t.items[:0]
	t.hasLink = false
	for i := range w.coops {
		co := &w.coops[i]
		wt := w.weightToday(co, d)
		if !(wt > 0) {
			continue
		}
		m := int(co.merchant)
		it := item{coop: int32(i), merchant: co.merchant, product: co.product, creator: co.creator,
			format: co.format, contract: co.contract, typ: co.typ, tier: co.tier, trend: -1, campaign: -1, trendPool: -1}
		fp := &cf.formats[co.format]
		weight := powOr1(co.quality, rq) * fp.Reach * wt
		if co.creator >= 0 { // bigger accounts are recommended more
			weight *= powOr1(w.cFollowers[co.creator]/w.followRef, p.Ranking.Followers)
		}
		if co.creator >= 0 {
			for j := range w.trends {
				if !w.trendRider[j][m] {
					continue
				}
				if act := w.trendActivity(j, co.creator, sday); act > 0 {
					it.trend = int16(j)
					weight *= 1 + (cf.trends[j].Boost-1)*act
					w.merchants[m].trendTag[j] = true
					break
				}
			}
		}
		disc := 0.0
		if ce, ok := w.campTable.Effect(sday, int(co.product), int(co.typ), int(co.tier)); ok && t.kpi {
			it.campaign = int16(ce.Campaign)
			disc = ce.Discount
			weight *= ce.TrafficMultiplier
		}
		pr := &w.products[co.product]
		it.w = weight
		it.value = pr.price * (1 - disc)
		it.marginV = pr.price * (pr.margin - disc)
		it.discountV = pr.price * disc
		it.refundRate = pr.refundRate
		it.cycle = int32(pr.cycle)
		if co.creator >= 0 {
			it.commission = co.commission
		}
		it.live = co.format == fLive
		it.seed = co.contract == kSeedHarvest && !it.live
		it.harvest = it.live && (co.contract == kSeedHarvest || co.own)
		if co.contract == kSeedHarvest {
			t.hasLink = true
			w.anyLink = true // from today on a funnel's link may be set
		}
		it.fact = w.factOf(co.tier, co.own, it.campaign)
		it.dims = w.dimsOf(co.merchant, co.typ, co.tier, int8(co.format), co.contract, it.fact, it.trend, it.campaign)
		if ce, ok := w.campWindow.Effect(sday, int(co.product), int(co.typ), int(co.tier)); ok && t.kpi {
			it.dims[dCampWindow] = co.merchant*int32(len(w.camp)+1) + int32(ce.Campaign)
		}
		t.items = append(t.items, it)
	}
	if t.ownItems == nil {
		t.ownItems = make([][]int32, w.M)
		t.ownCum = make([][]float64, w.M)
	}
	for m := 0; m < w.M; m++ {
		t.ownItems[m] = t.ownItems[m][:0]
		t.ownCum[m] = t.ownCum[m][:0]
	}
	for k := range t.items {
		if it := &t.items[k]; it.coop >= 0 && w.coops[it.coop].own {
			m := it.merchant
			c := it.w
			if n := len(t.ownCum[m]); n > 0 {
				c += t.ownCum[m][n-1]
			}
			t.ownItems[m] = append(t.ownItems[m], int32(k))
			t.ownCum[m] = append(t.ownCum[m], c)
		}
	}
	w.buildTrendItems(d)
}

// buildTrendItems adds each trend's live submissions: their weight (pieces
// decaying over a short video's lifetime × mean adopter quality × reach ×
// boost) goes to one play-only pool item (merchant −1) and, for the share
// connect, to one item per rider featuring the rider's first product,
// split evenly: its plays move users through the rider's funnel like a
// short video of no particular creator type (contract cps, no commission
// booked: the submitter is anonymous; FACT alliance).
func (w *world) buildTrendItems(d int) {
	t := &w.day
	cf := w.cfg
	p := &cf.plat
	rq := p.Ranking.Quality
	for j, tr := range w.trends {
		ts := &cf.trends[j]
		L := max(1, p.Formats.ShortVideo.LifetimeDays)
		wt := 0.0
		for a := 0; a < L && d-a >= 0; a++ {
			wt += w.trendSub[j][d-a] * (1 - float64(a)/float64(L))
		}
		if !(wt > 0) {
			continue
		}
		q := 0.0
		ad := tr.Adopters()
		for _, c := range ad {
			q += w.cQuality[c]
		}
		if len(ad) > 0 {
			q /= float64(len(ad))
		}
		total := wt * powOr1(q, rq) * p.Formats.ShortVideo.Reach * ts.Boost
		riders := 0
		for m := range w.merchants {
			if w.trendRider[j][m] && len(w.merchants[m].products) > 0 {
				riders++
			}
		}
		pool := total
		if riders > 0 && ts.Connect > 0 {
			pool = total * (1 - ts.Connect)
			each := total * ts.Connect / float64(riders)
			for m := range w.merchants {
				if !w.trendRider[j][m] || len(w.merchants[m].products) == 0 {
					continue
				}
				pi := w.merchants[m].products[0]
				pr := &w.products[pi]
				it := item{coop: -1, merchant: int32(m), product: int32(pi), creator: -1, format: fShortVideo,
					contract: kCPS, typ: -1, tier: -1, trend: int16(j), campaign: -1, trendPool: -1, w: each}
				it.value = pr.price
				it.marginV = pr.price * pr.margin
				it.refundRate = pr.refundRate
				it.cycle = int32(pr.cycle)
				it.fact = factAlliance
				it.dims = w.dimsOf(int32(m), -1, -1, int8(fShortVideo), kCPS, it.fact, int16(j), -1)
				t.items = append(t.items, it)
			}
		}
		if pool > 0 {
			t.items = append(t.items, item{coop: -1, merchant: -1, product: -1, creator: -1, format: fShortVideo,
				typ: -1, tier: -1, trend: int16(j), campaign: -1, trendPool: int16(j), w: pool})
		}
	}
}

// noCoop stands in for the cooperation of content that has none (trend
// submissions featuring a rider's product): no trust, no live skill, not
// new to the merchant.
var noCoop coop

// buildResponses fills the response probabilities per item × group.
func (w *world) buildResponses(d int) {
	t := &w.day
	cf := w.cfg
	p := &cf.plat
	G := w.G
	K := len(t.items)
	if cap(t.resp) < K*G*respStride {
		t.resp = make([]float32, K*G*respStride*5/4+64)
	}
	t.resp = t.resp[:K*G*respStride]
	clear(t.resp)
	for k := range t.items {
		it := &t.items[k]
		if it.merchant < 0 {
			continue
		}
		co := &noCoop // a trend submission featuring a rider's product
		if it.coop >= 0 {
			co = &w.coops[it.coop]
		}
		pr := &w.products[it.product]
		fp := &cf.formats[it.format]
		st := int(pr.stage[d])
		trust := 1 + co.trust*p.TrustUplift
		skill := 1.0
		if it.live {
			skill = 2 * co.skill
		}
		camp := 1.0
		if it.campaign >= 0 {
			camp = 1 + w.camp[it.campaign].cfg.uplift
		}
		for g := 0; g < G; g++ {
			aff := 1.0
			if it.typ >= 0 {
				aff = w.affinity[int(it.typ)*G+g]
			}
			pf := priceFactor(w.gSpend[g], it.value, w.gPriceSens[g])
			r := t.resp[(k*G+g)*respStride:]
			for s := 0; s < 5; s++ {
				q := cf.baseRates[s] * aff
				if it.typ >= 0 {
					q *= cf.types[it.typ].effectiveness[s]
				}
				if s == 0 && co.isNew && it.typ >= 0 {
					q *= 1 + p.NoveltyReach
				}
				if s >= 2 {
					q *= fp.Conversion * trust * skill
				}
				if s == 2 || s == 3 {
					q *= cf.stageDemand[st]
				}
				if s >= 3 {
					q *= pf * camp
				}
				r[s] = float32(math.Min(q, 1))
			}
			if it.live {
				q := p.ImpulseRate * aff * fp.Conversion * skill * trust * pf * camp * cf.stageDemand[st]
				r[5] = float32(math.Min(q, 1))
				for s := 1; s <= 2; s++ {
					if r[5]+r[s] > 1 {
						r[s] = 1 - r[5]
					}
				}
			}
		}
	}
}

// buildRecommendation builds the recommendation alias per group and the
// items by creator (follow impressions).
func (w *world) buildRecommendation() {
	t := &w.day
	G := w.G
	K := len(t.items)
	ra := w.cfg.plat.Ranking.Affinity
	if cap(t.weights) < K {
		t.weights = make([]float64, K*5/4+16)
	}
	wts := t.weights[:K]
	for g := 0; g < G; g++ {
		for k := range t.items {
			it := &t.items[k]
			a := 1.0
			if it.typ >= 0 {
				a = powOr1(w.affinity[int(it.typ)*G+g], ra)
			}
			wts[k] = it.w * a
		}
		w.saturate(g, wts)
		t.recAlias[g].Build(wts)
		t.recW[g] = t.recAlias[g].Total()
	}
	// Items by creator (follow impressions), weight without affinity.
	if len(t.cItemOff) != w.C+1 {
		t.cItemOff = make([]int32, w.C+1)
	}
	clear(t.cItemOff)
	for k := range t.items {
		if c := t.items[k].creator; c >= 0 {
			t.cItemOff[c+1]++
		}
	}
	for c := 0; c < w.C; c++ {
		t.cItemOff[c+1] += t.cItemOff[c]
	}
	n := int(t.cItemOff[w.C])
	if cap(t.cItems) < n {
		t.cItems = make([]int32, n*5/4+16)
		t.cItemCum = make([]float64, n*5/4+16)
	}
	t.cItems = t.cItems[:n]
	t.cItemCum = t.cItemCum[:n]
	for c := range w.cActive {
		w.cActive[c] = false
	}
	if len(t.cCursor) != w.C {
		t.cCursor = make([]int32, w.C)
	}
	copy(t.cCursor, t.cItemOff[:w.C])
	for k := range t.items { // items are in coop order: stable within a creator
		c := t.items[k].creator
		if c < 0 {
			continue
		}
		w.cActive[c] = true
		pos := t.cCursor[c]
		t.cCursor[c]++
		t.cItems[pos] = int32(k)
		t.cItemCum[pos] = t.items[k].w
	}
	w.finishCreatorItems()
}

// saturate applies the audience overlap of each merchant's creator content
// (mechanisms.Saturation) to group g's recommendation weights: the weights
// of merchant m's creator items are multiplied by the factor of their sum,
// which is also kept (satF) for the follow impressions of m's creator
// content to users of g. Own-account and trend items are left alone.
func (w *world) saturate(g int, wts []float64) {
	t := &w.day
	M, G := w.M, w.G
	if len(t.satF) != M*G {
		t.satF = make([]float32, M*G)
		for j := range t.satF {
			t.satF[j] = 1
		}
	}
	if !(w.contentSat.Half > 0) {
		return
	}
	if cap(w.satW) < M {
		w.satW = make([]float64, M)
	}
	sum := w.satW[:M]
	clear(sum)
	for k := range t.items {
		if it := &t.items[k]; it.creator >= 0 && it.merchant >= 0 {
			sum[it.merchant] += wts[k]
		}
	}
	for m := range sum {
		sum[m] = w.contentSat.Factor(sum[m])
		t.satF[m*G+g] = float32(sum[m])
	}
	for k := range t.items {
		if it := &t.items[k]; it.creator >= 0 && it.merchant >= 0 {
			wts[k] *= sum[it.merchant]
		}
	}
}

// paidCell is one (stage, group) audience of a merchant's paid traffic:
// its active users yesterday and the value of an impression to one of
// them (paidValue).
type paidCell struct {
	s, g  int
	n, v  float64
	order int
}

// paidValue is the chance that a chain of impressions to a user of group
// g at stage s ends in an order, from the merchant's mean response
// probabilities p[stage] (weighted by item weight): the product of the
// remaining steps up to the order (a repurchase for customers).
func paidValue(p *[6]float64, s int) float64 {
	switch s {
	case 4, 5:
		return p[4]
	}
	v := 1.0
	for st := s; st <= 3; st++ {
		v *= p[st]
	}
	if s == 1 || s == 2 { // a live impression may also end in an impulse order
		v += p[5]
	}
	return v
}

// buildPaid builds the day's paid-traffic lines and delivery tables. A
// merchant's planned impressions (min(daily, paced allowance)/CPM) buy
// reach audience by audience — the (stage, group) cells of its target,
// yesterday's active users, most valuable first (paidValue of the
// merchant's mean response, as an ad platform's delivery favours the
// users most likely to buy) — up to frequency_cap impressions per user a
// day (0: no cap): reach first, then frequency, and what the target cannot
// absorb is not planned (nor spent).
func (w *world) buildPaid(d int) {
	t := &w.day
	p := &w.cfg.plat
	G, M := w.G, w.M
	if t.mLineOff == nil {
		t.mLineOff = make([]int32, M+1)
		t.mAlias = make([]mechanisms.Alias, M)
		t.paidExp = make([]float64, M*G*6)
		t.paidUp = make([]bool, M)
	}
	lam := make([]float64, 6*G) // per group × stage, for one merchant
	cells := make([]paidCell, 0, 6*G)
	t.lines = t.lines[:0]
	t.anyPaidUp = false
	cpm := p.CPM
	fcap := p.FrequencyCap
	for m := range w.merchants {
		mer := &w.merchants[m]
		t.mLineOff[m] = int32(len(t.lines))
		t.merPlanned[m] = 0
		t.paidUp[m] = false
		pe := t.paidExp[m*G*6 : (m+1)*G*6]
		for j := range pe {
			pe[j] = 1
		}
		daily := mer.cfg.paidDaily
		room := mer.cumPaid[d] - mer.spentPaid - mer.reserved
		S := math.Min(daily, room)
		if !(S > 0) || !(cpm > 0) {
			continue
		}
		tot := 0.0
		for k := range t.items {
			if int(t.items[k].merchant) == m && t.items[k].coop >= 0 {
				tot += w.adWeight(k)
			}
		}
		if !(tot > 0) {
			continue
		}
		imps := S / cpm * 1000 / w.scale // agent impressions planned
		rem := imps
		clear(lam)
		cells = w.paidCells(m, cells[:0])
		for _, c := range cells {
			if !(rem > 0) {
				break
			}
			l := rem / c.n
			if fcap > 0 {
				l = math.Min(l, fcap)
			}
			lam[c.g*6+c.s] = l
			rem -= l * c.n
		}
		used := imps - math.Max(rem, 0)
		t.merPlanned[m] = S * math.Min(1, used/imps)
		for g := 0; g < G; g++ {
			if !mer.groupMask[g] {
				continue
			}
			for s := 0; s < 6; s++ {
				if l := lam[g*6+s]; l > 0 {
					pe[g*6+s] = math.Exp(-l)
					if s > 0 {
						t.paidUp[m] = true
						t.anyPaidUp = true
					}
				}
			}
		}
		wts := t.weights[:0]
		for k := range t.items {
			if int(t.items[k].merchant) == m && t.items[k].coop >= 0 {
				aw := w.adWeight(k)
				t.lines = append(t.lines, paidLine{item: int32(k), merchant: int32(m), coop: -1, stageMask: mer.stageMask, planned: t.merPlanned[m] * aw / tot})
				wts = append(wts, aw)
			}
		}
		t.weights = wts[:0]
		t.mAlias[m].Build(wts)
	}
	t.mLineOff[M] = int32(len(t.lines))
	t.boostOff = int32(len(t.lines))
	for k := range t.items {
		it := &t.items[k]
		if it.coop < 0 {
			continue
		}
		co := &w.coops[it.coop]
		if co.boostLeft > 0 && cpm > 0 {
			t.lines = append(t.lines, paidLine{item: int32(k), merchant: it.merchant, coop: it.coop, stageMask: 0x3f, planned: math.Min(co.boostDaily, co.boostLeft)})
		}
	}
	// Impressions to users at O of a merchant, and task boosts (to every
	// user of every group and stage: yesterday's active users of the
	// merchant), per group.
	nb := len(t.lines) - int(t.boostOff)
	wts := t.weights[:0]
	for g := 0; g < G; g++ {
		wts = wts[:0]
		for m := 0; m < M; m++ {
			l := 0.0
			if e := t.paidExp[(m*G+g)*6]; e < 1 {
				l = -math.Log(e)
			}
			wts = append(wts, l)
		}
		for b := 0; b < nb; b++ {
			ln := &t.lines[int(t.boostOff)+b]
			m := int(ln.merchant)
			target := 0.0
			for j := m * G * 6; j < (m+1)*G*6; j++ {
				target += t.prevActive[j]
			}
			l := 0.0
			if target > 0 {
				l = ln.planned / cpm * 1000 / w.scale / target
			}
			wts = append(wts, l)
		}
		t.paidAlias[g].Build(wts)
		t.paidPois[g].set(t.paidAlias[g].Total())
	}
	t.weights = wts[:0]
}

// buildLinkage builds the harvest items per merchant and the extra
// exposure of linked users.
func (w *world) buildLinkage() {
	t := &w.day
	G, M := w.G, w.M
	ra := w.cfg.plat.Ranking.Affinity
	{
		boost := w.link.ExposureMultiplier(true) - w.link.ExposureMultiplier(false)
		for m := 0; m < M; m++ {
			t.hItems[m] = t.hItems[m][:0]
		}
		for k := range t.items {
			if t.items[k].harvest {
				m := t.items[k].merchant
				t.hItems[m] = append(t.hItems[m], int32(k))
			}
		}
		for m := 0; m < M; m++ {
			for g := 0; g < G; g++ {
				hw := t.weights[:0]
				for _, k := range t.hItems[m] {
					it := &t.items[k]
					a := 1.0
					if it.typ >= 0 {
						a = powOr1(w.affinity[int(it.typ)*G+g], ra)
					}
					hw = append(hw, it.w*a)
				}
				t.weights = hw[:0:cap(hw)]
				t.hAlias[m*G+g].Build(hw)
				t.harvestW[m*G+g] = math.Max(boost, 0) * t.hAlias[m*G+g].Total()
			}
		}
	}
}

// finishCreatorItems turns the per-creator item weights into cumulative
// sums.
func (w *world) finishCreatorItems() {
	t := &w.day
	for c := 0; c < w.C; c++ {
		s := 0.0
		for j := t.cItemOff[c]; j < t.cItemOff[c+1]; j++ {
			s += t.cItemCum[j]
			t.cItemCum[j] = s
		}
	}
}

// factOf is the FACT channel of content: campaign orders → campaign; the
// merchant's own live room and store → field; head-tier creators →
// top_kol; other creators → alliance.
func (w *world) factOf(tier int8, own bool, campaign int16) uint8 {
	switch {
	case campaign >= 0:
		return factCampaign
	case own || tier < 0:
		return factField
	case tier == tierHead:
		return factTopKOL
	}
	return factAlliance
}

// paidCells returns merchant m's target audiences with active users
// yesterday, most valuable first (ties: stage then group order).
func (w *world) paidCells(m int, cells []paidCell) []paidCell {
	t := &w.day
	G := w.G
	mer := &w.merchants[m]
	for g := 0; g < G; g++ {
		if !mer.groupMask[g] {
			continue
		}
		var p [6]float64
		tw := 0.0
		for k := range t.items {
			it := &t.items[k]
			if int(it.merchant) != m || it.coop < 0 {
				continue
			}
			r := t.resp[(k*G+g)*respStride:]
			for s := 0; s < 6; s++ {
				p[s] += it.w * float64(r[s])
			}
			tw += it.w
		}
		if !(tw > 0) {
			continue
		}
		for s := range p {
			p[s] /= tw
		}
		for s := 0; s < 6; s++ {
			n := t.prevActive[(m*G+g)*6+s]
			if s >= 4 { // customers: only those who may buy again
				n = t.prevDue[(m*G+g)*6+s]
			}
			if mer.stageMask&(1<<s) == 0 || !(n > 0) {
				continue
			}
			cells = append(cells, paidCell{s: s, g: g, n: n, v: paidValue(&p, s), order: s*G + g})
		}
	}
	slices.SortFunc(cells, func(a, b paidCell) int {
		if a.v != b.v {
			if a.v > b.v {
				return -1
			}
			return 1
		}
		return a.order - b.order
	})
	return cells
}

// adWeight is item k's share of its merchant's paid impressions: its
// weight × its mean order probability at a3 over the groups (the ad
// platform's delivery favours the creatives that convert, so paid traffic
// is not diluted over many weak pieces of content).
func (w *world) adWeight(k int) float64 {
	t := &w.day
	G := w.G
	p := 0.0
	for g := 0; g < G; g++ {
		p += float64(t.resp[(k*G+g)*respStride+3])
	}
	return t.items[k].w * p / float64(max(1, G))
}
