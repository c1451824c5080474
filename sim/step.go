package sim

import (
	"iter"
	"math"
	"slices"

	"github.com/startrend/startrend/sim/mechanisms"
)

// This file holds the day's first phases, run once per world and day before
// the user loop: calendar (campaigns, trends, budgets), re-planning and
// contracting (creator matrix, Magpie tasks, roster cooperations) and
// content publishing within creator capacity.

// beginDay runs the calendar, re-planning and publishing phases of sim day d
// and builds the day's tables for the user loop.
func (w *world) beginDay(d int) {
	t := &w.day
	t.d = d
	t.today = uint16(d + w.dayBase)
	t.kpi = d >= w.W
	sday := d - w.W + 1
	w.out.day = -1
	if t.kpi {
		w.out.day = d - w.W
	}
	if t.prevActive == nil {
		w.initActiveEstimate()
	}
	if d == w.W { // budgets: the KPI horizon starts afresh after warm-up
		for m := range w.merchants {
			mer := &w.merchants[m]
			mer.spentFees, mer.spentPaid, mer.spentCamp = 0, 0, 0
		}
	}
	if d%7 == 0 {
		clear(w.cUsed)
	}
	w.calendarCampaigns(sday)
	w.calendarTrends(d, sday)
	for m := range w.merchants {
		if d%w.merchants[m].replan == 0 {
			w.replan(m, d)
		}
	}
	w.publish(d)
	w.buildTables(d)
}

// calendarCampaigns charges each joining merchant a campaign's fee on the
// campaign's first KPI day, from its campaigns budget (unpaced: a lump
// sum). Who joins was decided at initialisation (initCampaigns).
func (w *world) calendarCampaigns(sday int) {
	if !w.day.kpi {
		return
	}
	for j := range w.camp {
		cs := &w.camp[j]
		if sday != cs.cfg.first {
			continue
		}
		for m, ok := range cs.joined {
			if !ok {
				continue
			}
			fee := cs.cfg.fee
			w.merchants[m].spentCamp += fee
			w.out.add(mSpendCampaign, fee)
			w.out.add(mSpend, fee)
			dims := w.dimsOf(int32(m), -1, -1, -1, kOwn, factCampaign, -1, int16(j))
			w.out.addBD(&dims, bSpend, fee)
		}
	}
}

// calendarTrends lets creators adopt (Bass) and adopters publish
// submissions: Poisson with mean S_d = Σ_adopters r·ρ^{age}, kept exactly
// as S_d = ρ·S_{d−1} + r·(adopters of day d), ρ = e^{−1/fade_days} (1 when
// fade_days is 0: no fading).
func (w *world) calendarTrends(d, sday int) {
	for j, tr := range w.trends {
		ts := &w.cfg.trends[j]
		if sday < ts.StartDay {
			continue
		}
		fresh := tr.Step(sday, w.rng)
		w.trendRate[j] = w.trendRate[j]*w.trendFade[j] + float64(fresh)*ts.SubmissionsPerDay
		n := float64(poisson(w.rng, w.trendRate[j]))
		w.trendSub[j][d] = n
		w.out.add(mTrendSubmissions, n)
		if w.out.day >= 0 {
			w.out.trendSubs[j][w.out.day] = n
		}
	}
}

// trendActivity is creator c's participation in trend j on scenario day
// sday: ρ^{age} while it is in the trend (adopted, and fewer than
// 3 × fade_days days ago), 0 otherwise.
func (w *world) trendActivity(j int, c int32, sday int) float64 {
	ad, ok := w.trends[j].AdoptedDay(int(c))
	if !ok || ad > sday {
		return 0
	}
	age := sday - ad
	f := w.cfg.trends[j].FadeDays
	if f > 0 && float64(age) >= 3*f {
		return 0
	}
	return math.Pow(w.trendFade[j], float64(age))
}

// phaseEnd is the last sim day of the budget phase d belongs to.
func (w *world) phaseEnd(d int) int {
	if d < w.W {
		return w.W - 1
	}
	return w.T - 1
}

// feeRoom is what merchant m may still spend on creator fees by day d+ahead.
func (w *world) feeRoom(m, d, ahead int) float64 {
	mer := &w.merchants[m]
	e := min(d+ahead, w.phaseEnd(d))
	return mer.cumFees[e] - mer.spentFees
}

// paidRoom is the paid-traffic budget of the phase not yet spent or
// committed to task boosts.
func (w *world) paidRoom(m, d int) float64 {
	mer := &w.merchants[m]
	return mer.cumPaid[w.phaseEnd(d)] - mer.spentPaid - mer.reserved
}

// replan (re)contracts merchant m's cooperations for the coming period:
// matrix entries of its products' current stage, tasks and roster entries.
func (w *world) replan(m, d int) {
	mer := &w.merchants[m]
	if len(mer.products) == 0 {
		return
	}
	P := mer.replan
	stamp := int32(d*len(w.merchants) + m + 1)
	if w.mark == nil {
		w.mark = make([]int32, w.C)
	}
	if d%7 == 0 || d == 0 {
		w.rebuildPools()
	}
	for ei := range mer.cfg.matrix {
		e := &mer.cfg.matrix[ei]
		pi := mer.products[e.product]
		if e.stage >= 0 && e.stage != int(w.products[pi].stage[d]) {
			continue
		}
		ti, tr, f, k := e.typ, e.tier, e.format, e.contract
		posts := e.posts
		pool := w.pools[ti*numTiers+tr]
		count := e.count
		if e.rate > 0 && k != kTask {
			if mer.plans == nil {
				mer.plans = make([]int, len(mer.cfg.matrix))
			}
			n := float64(mer.plans[ei])
			mer.plans[ei]++
			count = int(math.Floor((n+1)*e.rate+0.5)) - int(math.Floor(n*e.rate+0.5))
		}
		if k == kTask {
			w.postTasks(m, pi, e, pool, f, posts, d, P, stamp)
			continue
		}
		picked := 0
		wait := false
		// try books c if it is free, awake, has capacity and its fee fits
		// the paced allowance. A creator whose fee only the phase's
		// remaining budget covers makes the entry wait for a later re-plan
		// (the allowance accumulates) instead of settling for worse value.
		try := func(c int32) bool {
			if w.mark[c] == stamp || w.cLife[c] == crDormant || w.cUsed[int(c)*numFormats+f]+1 > w.cCap[int(c)*numFormats+f]+1e-9 {
				return false
			}
			fee := 0.0
			if k != kCPS {
				fee = w.fee(c)
				if fee > w.feeRoom(m, d, P-1)+1e-9 {
					wait = fee <= w.feeRoom(m, d, w.T)+1e-9
					return false
				}
			}
			w.mark[c] = stamp
			w.contract(m, pi, c, f, k, posts, d, P, fee, 0)
			picked++
			return true
		}
		if e.partners == partnersExisting {
			for _, c := range mer.partnerList() {
				if picked >= count || wait {
					break
				}
				if int(w.cType[c]) == ti && int(w.cTier[c]) == tr {
					try(c)
				}
			}
		}
		if len(pool) > 0 && picked < count && !wait {
			// Best value first: a merchant books the creators whose content
			// promises most per yuan of fee (quality, or live skill for
			// live, × recommended reach per fee), so more cooperations
			// reach down to weaker ones.
			for c := range w.rankCreators(pool, f, k) {
				if picked >= count || wait {
					break
				}
				if e.partners == partnersNew && mer.cooped[c] {
					continue
				}
				try(c)
			}
		}
		if picked < count {
			w.out.add(mMatrixShortfall, float64(count-picked))
		}
	}
	for ri := range mer.cfg.roster {
		e := &mer.cfg.roster[ri]
		c := e.creator
		pi := mer.products[e.product]
		if e.stage >= 0 && e.stage != int(w.products[pi].stage[d]) {
			continue
		}
		f, k := e.format, e.contract
		if w.cUsed[int(c)*numFormats+f]+1 > w.cCap[int(c)*numFormats+f]+1e-9 {
			continue
		}
		fee := 0.0
		if k != kCPS {
			fee = w.fee(c)
			if fee > w.feeRoom(m, d, P-1)+1e-9 {
				continue
			}
		}
		w.contract(m, pi, c, f, k, e.posts, d, P, fee, 0)
	}
}

// postTasks posts a matrix entry's Magpie Bridge tasks on the task board
// (mechanisms.Board.Match): up to count tasks, as many as the paid-traffic
// budget can boost; a creator of the entry's type and tier not yet picked
// in this re-plan accepts when the fee plus its expected commission reaches
// its reservation income (strictly above it when dormant, which wakes it)
// and it has capacity left this week for the format. A task whose fee the
// paced creator-fee allowance cannot cover is not posted (unfunded).
func (w *world) postTasks(m, pi int, e *entryCfg, pool []int32, f, posts, d, P int, stamp int32) {
	if !e.hasTask || e.count <= 0 {
		return
	}
	terms := mechanisms.Task{Merchant: 0, Type: -1, Tier: -1, Format: int8(f), Posts: 1,
		Budget: e.taskBudget, EcommerceShare: e.taskShare}
	n := e.count
	if boost := terms.Boost(); boost > 0 {
		n = min(n, int(math.Floor((w.paidRoom(m, d)+1e-9)/boost)))
	}
	w.out.add(mTasksUnfunded, float64(e.count-max(n, 0)))
	if n <= 0 {
		return
	}
	// Expected commission of an average creator of the tier: realised
	// orders per published piece of the tier so far × price × posts.
	tier := e.tier
	if w.postsTier[tier] > 0 {
		terms.ExpectedCommission = w.products[pi].price * w.expOrders[tier] / w.postsTier[tier] * float64(posts)
	}
	w.tasks = w.tasks[:0]
	for range n {
		w.tasks = append(w.tasks, terms)
	}
	w.cands = w.cands[:0]
	for _, c := range pool {
		if w.mark[c] == stamp {
			continue
		}
		ci := int(c)*numFormats + f
		room := int32(math.Floor(w.cCap[ci] - w.cUsed[ci] + 1e-9))
		if room <= 0 {
			continue
		}
		cd := mechanisms.Candidate{Creator: c, Type: int8(w.cType[c]), Tier: int8(w.cTier[c]),
			Dormant: w.cLife[c] == crDormant, Reservation: w.reservation(c), CommissionFactor: w.cComm[c]}
		cd.Capacity[f] = room
		w.cands = append(w.cands, cd)
	}
	budget := [1]float64{w.feeRoom(m, d, P-1) + 1e-9}
	res := w.board.Match(w.tasks, w.cands, budget[:], w.rng)
	for _, as := range res.Assignments {
		c := as.Creator
		if as.WokeDormant {
			w.cLife[c] = crRising
			w.cEngDay[c] = int32(d)
		}
		w.mark[c] = stamp
		w.contract(m, pi, c, f, kTask, posts, d, P, as.Fee, as.Boost)
	}
	w.out.add(mTasksPosted, float64(res.Posted))
	w.out.add(mTasksAccepted, float64(res.Accepted))
	w.out.add(mTasksUnfilled, float64(res.UnfilledNoTaker))
	w.out.add(mTasksUnfunded, float64(res.UnfilledBudget))
}

// contract creates a cooperation and charges its fee.
func (w *world) contract(m, pi int, c int32, f, k, posts, d, P int, fee, boost float64) {
	mer := &w.merchants[m]
	trust, isPartner := mer.partners[c]
	co := coop{merchant: int32(m), product: int32(pi), creator: c, format: uint8(f), contract: uint8(k),
		tier: int8(w.cTier[c]), typ: int8(w.cType[c]), isNew: !mer.cooped[c], quality: w.cQuality[c], skill: w.cSkill[c],
		commission: w.cComm[c]}
	if isPartner {
		co.trust = trust
	}
	L := max(1, w.cfg.formats[f].LifetimeDays)
	co.posts = make([]int32, posts)
	for j := 0; j < posts; j++ {
		co.posts[j] = int32(d + j*P/posts)
	}
	co.end = co.posts[posts-1] + int32(L) - 1
	if boost > 0 {
		co.boostLeft = boost
		co.boostDaily = boost / float64(int(co.end)-d+1)
		mer.reserved += boost
	}
	mer.cooped[c] = true
	// Trust accrues with each cooperation (the audience learns the
	// creator vouches for the merchant); the cooperation itself uses the
	// trust it starts with.
	mer.partners[c] = math.Min(1, trust+w.cfg.plat.TrustPerCooperation)
	mer.plist = nil
	if !w.cEngaged[c] {
		w.cEngaged[c] = true
		w.cEngDay[c] = int32(d)
	}
	w.cResToday[c] += w.reservation(c)
	if fee > 0 {
		mer.spentFees += fee
		w.cToday[c] += fee
		w.out.add(mSpendCreatorFees, fee)
		w.out.add(mSpend, fee)
		w.out.add(mCreatorIncome, fee)
		dims := w.dimsOf(int32(m), int8(w.cType[c]), int8(w.cTier[c]), int8(f), uint8(k), w.factOf(int8(w.cTier[c]), false, -1), -1, -1)
		w.out.addBD(&dims, bSpend, fee)
		w.out.addBD(&dims, bCreatorIncome, fee)
	}
	w.out.add(mCooperations, 1)
	w.coops = append(w.coops, co)
}

// higherFirst orders a higher value first: −1 when a > b, 1 when a < b,
// else 0 — equal or unordered (NaN) values keep their order, unlike
// cmp.Compare, which ranks NaN lowest.
func higherFirst[T float32 | float64](a, b T) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// partnerList returns the merchant's partners, highest trust first (ties by
// creator index), for deterministic "existing partners first" choice.
func (mer *merchant) partnerList() []int32 {
	if mer.plist != nil {
		return mer.plist
	}
	mer.plist = make([]int32, 0, len(mer.partners))
	for c := range mer.partners {
		mer.plist = append(mer.plist, c)
	}
	slices.SortFunc(mer.plist, func(a, b int32) int {
		if o := higherFirst(mer.partners[a], mer.partners[b]); o != 0 {
			return o
		}
		return int(a - b)
	})
	return mer.plist
}

// publish publishes the pieces scheduled for day d within the creators'
// weekly capacity (a piece over capacity is not published) and drops
// cooperations whose content has expired.
func (w *world) publish(d int) {
	n := 0
	for i := range w.coops {
		co := &w.coops[i]
		if !co.own && int(co.end) < d {
			if co.boostLeft > 0 {
				w.merchants[co.merchant].reserved -= co.boostLeft
			}
			continue
		}
		for _, pd := range co.posts {
			if int(pd) != d {
				continue
			}
			ci := int(co.creator)*numFormats + int(co.format)
			if w.cUsed[ci]+1 > w.cCap[ci]+1e-9 {
				continue
			}
			w.cUsed[ci]++
			co.published = append(co.published, int32(d))
			w.postsTier[co.tier]++
		}
		w.coops[n] = *co
		n++
	}
	clear(w.coops[n:])
	w.coops = w.coops[:n]
}

// weightToday is the content weight of a cooperation on day d: its pieces
// decay linearly to zero over the format's lifetime; the own store is
// permanent and the own live room counts hours/2 sessions a day.
func (w *world) weightToday(co *coop, d int) float64 {
	if co.own {
		if co.format == fLive {
			return co.liveHours / 2
		}
		return 1
	}
	L := float64(max(1, w.cfg.formats[co.format].LifetimeDays))
	s := 0.0
	for _, p := range co.published {
		age := float64(d - int(p))
		if age >= 0 && age < L {
			s += 1 - age/L
		}
	}
	return s
}

func powOr1(x, e float64) float64 {
	if e == 0 {
		return 1
	}
	if x <= 0 {
		return 0
	}
	if e == 1 {
		return x
	}
	return math.Pow(x, e)
}

// initActiveEstimate estimates "yesterday's" active users by merchant,
// group and stage for the first day's paid-traffic targeting: each user
// counts with its activation probability.
func (w *world) initActiveEstimate() {
	t := &w.day
	t.prevActive = make([]float64, w.M*w.G*6)
	t.prevDue = make([]float64, w.M*w.G*6)
	for i := 0; i < w.U; i++ {
		g := int(w.ug[i])
		pa := w.act[g*5+int(w.ulife[i])]
		for m := 0; m < w.M; m++ {
			s := uint8(0) // a funnel outside the mask is at O: not read (perf)
			if !w.pristine(i, m) {
				s = w.stageNow(i*w.M+m, uint16(w.dayBase))
			}
			t.prevActive[(m*w.G+g)*6+int(s)] += pa
			if s >= 4 && w.due(i*w.M+m, m, uint16(w.dayBase)) {
				t.prevDue[(m*w.G+g)*6+int(s)] += pa
			}
		}
	}
}

// rankCreators yields pool ordered by value per fee for format f and
// contract kind k (ties by pool order): content strength (live skill for
// live, else quality) × recommendation reach (followers relative to the
// tail threshold, ^ranking.followers) / (fee + 1 for fee-paying kinds).
// The order is a stable sort's by descending value, produced lazily from
// a heap (a merchant booking a few creators of a large pool pays for the
// few); with a NaN value, which a sort orders by its own algorithm, the
// pool is sorted in full instead.
func (w *world) rankCreators(pool []int32, f, k int) iter.Seq[int32] {
	beta := w.cfg.plat.Ranking.Followers
	if cap(w.rankScore) < w.C {
		w.rankScore = make([]float64, w.C)
	}
	nan := false
	for _, c := range pool {
		q := w.cQuality[c]
		if f == fLive {
			q = w.cSkill[c]
		}
		v := q * powOr1(w.cFollowers[c]/w.followRef, beta)
		if k != kCPS {
			v /= w.fee(c) + 1
		}
		w.rankScore[c] = v
		nan = nan || v != v
	}
	if nan {
		w.rankBuf = append(w.rankBuf[:0], pool...)
		slices.SortStableFunc(w.rankBuf, func(a, b int32) int { return higherFirst(w.rankScore[a], w.rankScore[b]) })
		return slices.Values(w.rankBuf)
	}
	// A max-heap of positions in pool: a before b when its value is
	// higher, or equal and a comes first in pool.
	h := w.rankBuf[:0]
	for p := range pool {
		h = append(h, int32(p))
	}
	w.rankBuf = h
	score := w.rankScore
	before := func(a, b int32) bool {
		va, vb := score[pool[a]], score[pool[b]]
		return va > vb || (va == vb && a < b)
	}
	down := func(h []int32, i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			if r := l + 1; r < len(h) && before(h[r], h[l]) {
				l = r
			}
			if !before(h[l], h[i]) {
				return
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(h, i)
	}
	return func(yield func(int32) bool) {
		for n := len(h); n > 0; n-- {
			top := h[0]
			h[0] = h[n-1]
			down(h[:n-1], 0)
			if !yield(pool[top]) {
				return
			}
		}
	}
}
