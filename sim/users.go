package sim

import (
	"math"
	"math/bits"

	"github.com/startrend/startrend/sim/mechanisms"
)

// This file is the hot loop: per user and day, activation → exposure →
// response, then the stock tally. It allocates nothing, looks up no map and
// calls no interface; every table it reads was built by buildTables. All
// counters are integers, so the day's totals do not depend on the order in
// which chunks are summed: any number of workers gives the same result.

// Per-item counters.
const (
	cImp = iota
	cPaidImp
	cOrders
	cNew
	cRefunds
	cFollows
	cLinked
	cImpulse
	nCnt
)

// accum collects one worker's counts for the day.
type accum struct {
	cnt    []int64 // [K*nCnt]
	line   []int64 // delivered impressions per paid line
	flows  []int64 // [M*5]
	stock  []int64 // [M*6] funnel stocks (filled by closeUsers at the end of the day)
	active []int64 // [M*G*6] users who opened the app, by merchant stage
	// Lazy decay with a decay calendar: the workers record only the
	// changes they make (dstock: stage changes by touches today; cal:
	// future decay events cancelled or scheduled by those touches), so the
	// day's stocks cost nothing per untouched user × merchant.
	dstock  []int64 // [M*6]
	cal     []int32 // [T*M*6]
	openedG []int64 // [G] users who opened, by group (stage-0 active counts)
	gOrders []int64 // [G] orders by consumer group
	due     []int64 // [M*G*6] active customers (a4, a5) past their repurchase cycle
	life    [5]int64
	opened  int64
	react   int64
	buyers  int64
	sink    uint16 // the funnel lines runChunk touched ahead (kept so the loads stay)
	// search: the impressions being applied are own-account organic ones
	// (the user follows or searches the merchant): they neither wear out
	// nor count toward wear-out.
	search bool
	// paid: the impression being applied is a paid one (noticed with
	// probability paid_attention).
	paid bool
}

func (a *accum) reset(w *world) {
	K, L := len(w.day.items), len(w.day.lines)
	if cap(a.cnt) < K*nCnt {
		a.cnt = make([]int64, K*nCnt*5/4+64)
	}
	a.cnt = a.cnt[:K*nCnt]
	clear(a.cnt)
	if cap(a.line) < L {
		a.line = make([]int64, L*5/4+16)
	}
	a.line = a.line[:L]
	clear(a.line)
	if a.flows == nil {
		a.flows = make([]int64, w.M*5)
		a.stock = make([]int64, w.M*6)
		a.active = make([]int64, w.M*w.G*6)
		a.dstock = make([]int64, w.M*6)
		a.cal = make([]int32, len(w.cal))
		a.openedG = make([]int64, w.G)
		a.gOrders = make([]int64, w.G)
		a.due = make([]int64, w.M*w.G*6)
	}
	clear(a.flows)
	clear(a.stock)
	clear(a.active)
	clear(a.dstock)
	clear(a.cal)
	clear(a.openedG)
	clear(a.gOrders)
	clear(a.due)
	a.life = [5]int64{}
	a.opened, a.react, a.buyers = 0, 0, 0
}

// add adds b's counts into a.
func (a *accum) add(b *accum) {
	addInto(a.cnt, b.cnt)
	addInto(a.line, b.line)
	addInto(a.flows, b.flows)
	addInto(a.stock, b.stock)
	addInto(a.active, b.active)
	addInto(a.dstock, b.dstock)
	addInto(a.cal, b.cal)
	addInto(a.openedG, b.openedG)
	addInto(a.gOrders, b.gOrders)
	addInto(a.due, b.due)
	addInto(a.life[:], b.life[:])
	a.opened += b.opened
	a.react += b.react
	a.buyers += b.buyers
}

// addInto adds src into dst element by element (len(src) ≤ len(dst)).
func addInto[T int32 | int64](dst, src []T) {
	for i, x := range src {
		dst[i] += x
	}
}

// stageNow derives the current stage from the stage at the last touch and
// the days since (lazy decay: one level per decay window without touches).
// One table read: stageAt[s*stageSpan+el] for el < stageSpan days since
// the touch (beyond it every stage has decayed to O).
func (w *world) stageNow(j int, today uint16) uint8 {
	s, touch := w.funnelAt(j)
	return w.stageFrom(s, touch, today)
}

// stageFrom is stageNow for a funnel at stage s at its last touch on day
// code touch.
func (w *world) stageFrom(s uint8, touch, today uint16) uint8 {
	if s == 0 {
		return 0
	}
	el := int(today) - int(touch)
	if uint(el) >= uint(w.stageSpan) {
		if el < 0 { // cannot happen (touches are never in the future); kept exact
			return s
		}
		return 0
	}
	return w.stageAt[int(s)*w.stageSpan+el]
}

// initStageTable builds stageAt and dropAt from the decay windows.
func (w *world) initStageTable() {
	w.dropAt = make([]int, 36)
	for s0 := 1; s0 <= 5; s0++ {
		d := 0
		for s := s0; s >= 1; s-- {
			d += w.decay[s]
			w.dropAt[s0*6+s] = d
		}
	}
	span := 1
	for s := 1; s <= 5; s++ {
		span += w.decay[s]
	}
	w.stageSpan = span
	w.stageAt = make([]uint8, 6*span)
	for s0 := 1; s0 <= 5; s0++ {
		for el0 := 0; el0 < span; el0++ {
			s, el := s0, el0
			for s > 0 && el >= w.decay[s] {
				el -= w.decay[s]
				s--
			}
			w.stageAt[s0*span+el0] = uint8(s)
		}
	}
}

// Wear-out: a funnel's stock of recent impressions is kept in units of
// 1/expUnit in a byte; gaps of expGaps days or more leave nothing of it.
const (
	expUnit = 8
	expGaps = 64
)

// initResponse fills the wear-out tables and the own-account organic
// rates from the platform.
func (w *world) initResponse() {
	p := &w.cfg.plat
	ex := p.Exposure
	for g := range w.expKeep {
		if ex.MemoryDays > 0 {
			w.expKeep[g] = float32(math.Exp2(-float64(g) / ex.MemoryDays))
		}
	}
	for e := range w.expOmega {
		over := math.Max(0, float64(e)/expUnit-ex.EffectiveFrequency)
		w.expOmega[e] = float32(math.Exp(-ex.Wearout * over))
	}
	for s := 1; s <= 5; s++ {
		rate := w.cfg.organic[s]
		w.organicRate[s] = rate
		w.organicL[s] = math.Exp(-rate)
		if rate > 0 {
			w.organicAny = true
		}
	}
	w.organicL[0] = 1
}

// merchantCycle is the repurchase cycle of merchant m's first product (the
// platform's without products).
func (w *world) merchantCycle(m int) int {
	if ps := w.merchants[m].products; len(ps) > 0 {
		return w.products[ps[0]].cycle
	}
	return max(1, w.cfg.plat.RepurchaseCycleDays)
}

// wear returns the response multiplier of an impression to funnel j, last
// touched on day code t0, and the funnel's stock of recent impressions
// after it.
func (w *world) wear(j int, t0, today uint16, search bool) (float32, uint8) {
	e := float32(w.fexp[j])
	if gap := int(today) - int(t0); gap > 0 {
		if gap < expGaps {
			e *= w.expKeep[gap]
		} else {
			e = 0
		}
	}
	if search {
		return 1, uint8(e + 0.5)
	}
	om := w.expOmega[int(e)]
	return om, uint8(min(255, e+expUnit+0.5))
}

// poissonL draws a Poisson count given l = e^{−λ} (Knuth; for small λ).
// The first uniform decides most draws (0 when it is at most l): the hot
// loop inlines that test by hand, the rest of the product is poissonTail.
func poissonL(r *dayRand, l float64) int {
	if p := u01(r.Uint64()); p > l {
		return poissonTail(r, l, p)
	}
	return 0
}

// poissonTail continues poissonL's product p (> l) of uniforms.
func poissonTail(r *dayRand, l, p float64) int {
	k := 0
	for p > l {
		k++
		p *= u01(r.Uint64())
	}
	return k
}

// userCtx holds the loop's per-day constants in locals-friendly form.
type userCtx struct {
	today                   uint16
	kpi                     bool
	followShr               float64
	bg                      float64
	followP                 float64
	linkMult                float64
	linkWindow              uint16
	activeAfter, loyalAfter uint16
	atRisk, churn           int
	anyLink                 bool // some funnel may be linked (else no link is read)
	attention               float32
	// Thinning: the impressions of the rest of the platform's content
	// change nothing, so they are not drawn. An active user without linked
	// merchants gets Poisson(effPois[g]) impressions that can matter, each
	// from a followed creator with probability pFollow[g], else a
	// recommended scenario item.
	effPois []poissonTable
	pFollow []float64
	lambda  float64
	// exposeKnown's day tables (merchant m < 64, stage s): orgT[m][s]
	// is e^{−λ} of m's own-account impressions to a user at stage s (1
	// when m has no own-account content), knownT[g][m][s] that times
	// e^{−λ} of m's paid traffic to group g at stage s; a customer whose
	// last order from m is after dueThr[m] is not due (merchantCycle).
	// knownT has a power-of-two length (g & (len−1) needs no check).
	orgT   *[64][8]float64
	knownT []([64][8]float64)
	dueThr [64]int32
}

// linked reports whether a user whose last engagement with a merchant's
// seeding content was on day code seedDay (0: never) is inside the
// merchant's Xingque linkage window today (mechanisms.Linked).
func (x *userCtx) linked(seedDay uint16) bool {
	return seedDay != 0 && mechanisms.Linked(int(seedDay), int(x.today), int(x.linkWindow))
}

func (w *world) userContext() userCtx {
	p := &w.cfg.plat
	w.thinning()
	w.buildLiveCols()
	x := userCtx{
		today:       w.day.today,
		anyLink:     w.anyLink,
		attention:   float32(p.PaidAttention),
		kpi:         w.day.kpi,
		followShr:   p.FollowShare,
		bg:          w.bgWeight,
		followP:     p.CreatorGrowth.FollowPerEngagement,
		linkMult:    w.link.ConversionMultiplier(true),
		linkWindow:  uint16(max(0, p.Linkage.WindowDays)),
		activeAfter: uint16(min(65535, max(0, p.Customers.ActiveAfterDays))),
		loyalAfter:  uint16(min(65535, max(0, p.Customers.LoyalAfterOrders))),
		atRisk:      p.Customers.AtRiskAfterDays,
		churn:       p.Customers.ChurnAfterDays,
		effPois:     w.effPois,
		pFollow:     w.pFollow,
		lambda:      p.ImpressionsPerActiveUser,
	}
	w.buildKnown(&x)
	x.orgT, x.knownT = w.orgT, w.knownT
	return x
}

// buildKnown fills the day's own-account and known-merchant tables
// (orgL, and userCtx's orgT, knownT and dueThr) from the organic rates,
// the merchants' own-account content and the paid traffic.
func (w *world) buildKnown(x *userCtx) {
	M, G := w.M, w.G
	if len(w.orgL) != M*6 {
		w.orgL = make([]float64, M*6)
	}
	for m := 0; m < M; m++ {
		own := m < len(w.day.ownItems) && len(w.day.ownItems[m]) > 0
		for s := 0; s < 6; s++ {
			L := w.organicL[s]
			if !own || !(L < 1) {
				L = 1
			}
			w.orgL[m*6+s] = L
		}
	}
	if w.ustage == nil { // exposeKnownWide reads orgL and paidExp
		return
	}
	if w.orgT == nil {
		w.orgT = new([64][8]float64)
		w.knownT = make([]([64][8]float64), 1<<bits.Len(uint(G-1)))
	}
	pe := w.day.paidExp
	for m := 0; m < M; m++ {
		x.dueThr[m] = int32(x.today) - int32(w.mCycle[m])
		for s := 0; s < 6; s++ {
			w.orgT[m][s] = w.orgL[m*6+s]
			for g := 0; g < G; g++ {
				L := w.orgL[m*6+s]
				if s == 0 {
					L = 1 // a linked funnel at O: no such impressions
				} else if len(pe) == M*G*6 {
					L *= pe[(m*G+g)*6+s]
				}
				w.knownT[g][m][s] = L
			}
		}
	}
}

// thinning builds the day's per-group thinned impression laws (the
// impressions of each active user are Poisson(λ); an impression is a
// follow impression with probability fs, else a recommended one, which is
// scenario content with probability recW/(recW+bg) and otherwise content
// of the rest of the platform, which has no effect. Dropping those is
// Poisson thinning: exact.)
func (w *world) thinning() {
	t := &w.day
	p := &w.cfg.plat
	if w.effPois == nil {
		w.effPois = make([]poissonTable, w.G)
		w.pFollow = make([]float64, w.G)
	}
	for g := 0; g < w.G; g++ {
		le, pf := thinned(p.ImpressionsPerActiveUser, p.FollowShare, t.recW[g], 0, w.bgWeight)
		w.effPois[g].set(le)
		w.pFollow[g] = pf
	}
}

// thinned returns the mean number of impressions that can have an effect
// and the share of them from followed creators, for λ impressions, a
// follow share fs and recommendation weights rec (scenario items), extra
// (linked harvest content) and bg (the rest of the platform).
func thinned(lambda, fs, rec, extra, bg float64) (float64, float64) {
	fs = min(max(fs, 0), 1)
	q := 0.0
	if tot := rec + extra + bg; tot > 0 {
		q = (rec + extra) / tot
	}
	e := fs + (1-fs)*q
	if !(lambda > 0) || !(e > 0) {
		return 0, 0
	}
	return lambda * e, fs / e
}

// stageHiBits has bit 2 of every 3-bit field of a packed ustage word set:
// the merchants whose funnel is at a4 or a5.
const stageHiBits = 0o444444444444444444444

// openBlock is the number of users whose activation runChunk decides
// ahead of simulating them (one bit each in a uint64).
const openBlock = 64

// runChunk simulates one day for the users of one chunk. Users are taken
// in blocks: a first pass decides who opens the app (a hash of the
// user-day and the user's own state, which only the user's own day
// changes), a second touches the hot funnel line of each opener with
// marked funnels — independent loads the CPU overlaps, so the misses of a
// block are in flight together instead of one at a time — and the third
// simulates the openers in user order, exactly as a single pass would.
func (w *world) runChunk(ch *chunk, a *accum, x *userCtx) {
	r := ch.rng
	M, G := w.M, w.G
	today := x.today
	dayKey := splitmix64(ch.key ^ uint64(x.today)*0xd1342543de82ef95)
	var hs [openBlock]uint64
	var effs [openBlock]uint8
	var sink uint16
	var nlife [8]uint64 // users who did not open, by lifecycle state (0..4)
	for lo := ch.lo; lo < ch.hi; lo += openBlock {
		hi := min(ch.hi, lo+openBlock)
		opens := w.decideOpens(lo, hi, dayKey, x, &hs, &effs, &nlife)
		if w.umask != nil {
			for oo := opens; oo != 0; oo &= oo - 1 {
				i := lo + bits.TrailingZeros64(oo)
				if w.umask[i] != 0 {
					j := i * M
					sink ^= w.fhot[j] ^ w.fhot[j+M-1] ^ uint16(w.fexp[j]) ^ uint16(w.fexp[j+M-1])
					if w.ustage != nil {
						// Customers (a4, a5) have their last order read
						// (due, canOrder): touch those cold lines too.
						for cc := w.ustage[i] & stageHiBits; cc != 0; cc &= cc - 1 {
							sink ^= w.fun[j+bits.TrailingZeros64(cc)/3].order
						}
					}
				}
			}
		}
		for oo := opens; oo != 0; oo &= oo - 1 {
			b := bits.TrailingZeros64(oo)
			i := lo + b
			g := int(w.ug[i])
			life := w.ulife[i]
			eff := effs[b]
			h2 := splitmix64(hs[b])
			r.Seed(h2)
			if eff >= lifeAtRisk {
				a.react++
				life = lifeActive
			}
			if w.uopens[i] < 65535 {
				w.uopens[i]++
			}
			if life == lifeNew && w.uopens[i] >= x.activeAfter {
				life = lifeActive
			}
			w.ulife[i] = life
			w.ulastOpen[i] = today
			a.opened++
			w.exposeUser(i, g, r, a, x)
			a.life[w.ulife[i]]++ // orders may have made the user loyal
			// Active users by merchant stage: only the funnels above O are
			// counted (stage O is the rest, filled in by closeUsers).
			a.openedG[g]++
			base := i * M
			if w.ustage != nil {
				// Current stages from the packed cache: no funnel is read
				// unless one of them has decayed since it was filled.
				if today >= w.unext[i] {
					w.refreshStages(i, x)
				}
				pk := w.ustage[i]
				for mm := w.umask[i]; mm != 0; mm &= mm - 1 {
					m := bits.TrailingZeros64(mm)
					if s := (pk >> (3 * m)) & 7; s > 0 {
						a.active[(m*G+g)*6+int(s)]++
						if s >= 4 && w.due(base+m, m, today) {
							a.due[(m*G+g)*6+int(s)]++
						}
					}
				}
			} else if w.umask != nil {
				for mm := w.umask[i]; mm != 0; mm &= mm - 1 {
					m := bits.TrailingZeros64(mm)
					if s := w.stageNow(base+m, today); s > 0 {
						a.active[(m*G+g)*6+int(s)]++
						if s >= 4 && w.due(base+m, m, today) {
							a.due[(m*G+g)*6+int(s)]++
						}
					} else if !x.linked(w.fun[base+m].link) {
						w.umask[i] &^= 1 << m
					}
				}
			} else {
				for m := 0; m < M; m++ {
					if s := w.stageNow(base+m, today); s > 0 {
						a.active[(m*G+g)*6+int(s)]++
						if s >= 4 && w.due(base+m, m, today) {
							a.due[(m*G+g)*6+int(s)]++
						}
					}
				}
			}
		}
	}
	for e, n := range nlife[:5] {
		a.life[e] += int64(n)
	}
	a.sink ^= sink
}

// decideOpens is runChunk's first pass over users lo..hi−1 (at most
// openBlock): which of them open the app today (bit i−lo of the result),
// with each one's user-day hash and effective lifecycle state in hs and
// effs, the others counted by state in nlife. In its own function so
// that its few values stay in registers.
func (w *world) decideOpens(lo, hi int, dayKey uint64, x *userCtx, hs *[openBlock]uint64, effs *[openBlock]uint8, nlife *[8]uint64) uint64 {
	ug := w.ug[lo:hi]
	ul := w.ulife[lo:hi]
	ulo := w.ulastOpen[lo:hi]
	ul, ulo = ul[:len(ug)], ulo[:len(ug)]
	act := w.actT
	today, churn, atRisk := int(x.today), x.churn, x.atRisk
	var opens uint64
	for b := range ug {
		// Each user-day has its own stream: a change in one user's draws
		// (in a variant) does not shift any other user's numbers, which
		// keeps common random numbers aligned.
		h := splitmix64(dayKey + uint64(lo+b))
		since := today - int(ulo[b])
		eff := ul[b]
		if since > churn {
			eff = lifeChurned
		} else if since > atRisk {
			eff = lifeAtRisk
		}
		// Branch-free: whether a user opens is a coin toss the CPU
		// cannot predict.
		o := uint64(0)
		if h>>11 < act[int(ug[b])*8+int(eff&7)] { // u01(h) < act (openThreshold)
			o = 1
		}
		opens |= o << (uint(b) & 63)
		hs[b&(openBlock-1)] = h
		effs[b&(openBlock-1)] = eff
		nlife[eff&7] += 1 - o
	}
	return opens
}

// openThreshold is T such that u01(h) < p exactly when h>>11 < T: u01
// is k·2⁻⁵³ for the integer k = h>>11 (exact), and k·2⁻⁵³ < p iff k <
// ⌈p·2⁵³⌉ (p·2⁵³ is exact). p ≥ 1 gives 2⁵³ (always), p ≤ 0 or NaN 0.
func openThreshold(p float64) uint64 {
	if !(p > 0) {
		return 0
	}
	return uint64(math.Ceil(math.Min(p, 1) * (1 << 53)))
}

// pristine reports whether user i's funnel with merchant m is known, from
// the mask alone, to be at O and not linked.
func (w *world) pristine(i, m int) bool {
	return w.umask != nil && w.umask[i]&(1<<uint(m)) == 0
}

// eachFunnel calls fn for user i's funnels that may be above O or linked,
// in merchant order (all of them when there is no mask), with the
// funnel's cold part.
func (w *world) eachFunnel(i int, fn func(m int, f *coldFunnel)) {
	base := i * w.M
	if w.umask != nil {
		for mm := w.umask[i]; mm != 0; mm &= mm - 1 {
			m := bits.TrailingZeros64(mm)
			fn(m, &w.fun[base+m])
		}
		return
	}
	for m := 0; m < w.M; m++ {
		fn(m, &w.fun[base+m])
	}
}

// closeUsers turns the day's merged counts into stocks: yesterday's stocks
// plus today's decay events (the calendar) plus today's stage changes by
// touches; the future decay events the touches moved go into the
// calendar. It runs once per day, before settlement.
func (w *world) closeUsers(a *accum) {
	d := int(w.day.today) - w.dayBase
	M6 := w.M * 6
	if d >= 0 && d < w.T {
		for j, x := range w.cal[d*M6 : (d+1)*M6] {
			w.stock[j] += int64(x)
		}
	}
	for j, x := range a.dstock {
		w.stock[j] += x
	}
	for j, x := range a.cal {
		w.cal[j] += x
	}
	copy(a.stock, w.stock)
	w.out.addGroupOrders(a)
	for j, x := range a.due {
		w.day.prevDue[j] = float64(x)
	}
	G := w.G
	for m := 0; m < w.M; m++ {
		for g := 0; g < G; g++ {
			c := a.active[(m*G+g)*6 : (m*G+g)*6+6]
			c[0] = a.openedG[g] - c[1] - c[2] - c[3] - c[4] - c[5]
		}
	}
}

// schedule adds sign × the decay events of a funnel at stage s touched on
// day code touch to cal, for sim days after from: on day touch+decay[s]
// it drops to s−1, decay[s−1] days later to s−2, and so on.
func (w *world) schedule(cal []int32, m int, s uint8, touch uint16, from int, sign int32) {
	e := int(touch) - w.dayBase
	for ; s > 0; s-- {
		e += w.decay[s]
		if e >= w.T {
			return
		}
		if e > from {
			j := (e*w.M+m)*6 + int(s)
			cal[j] -= sign
			cal[j-1] += sign
		}
	}
}

// exposeUser draws an active user's impressions and their responses.
func (w *world) exposeUser(i, g int, r *dayRand, a *accum, x *userCtx) {
	t := &w.day
	extra := 0.0
	if t.hasLink {
		w.eachFunnel(i, func(m int, f *coldFunnel) {
			if x.linked(f.link) {
				extra += t.harvestW[m*w.G+g]
			}
		})
	}
	recW := t.recW[g]
	// Only the impressions that can have an effect are drawn (thinning).
	var n int
	pF := x.pFollow[g]
	if extra > 0 {
		var le float64
		le, pF = thinned(x.lambda, x.followShr, recW, extra, x.bg)
		n = poisson(r, le)
	} else {
		n = x.effPois[g].draw(u01(r.Uint64()))
	}
	nf := uint64(w.nFollow[i])
	var uk uint64 // the user's follow key, for all its follow impressions
	if n > 0 && nf > 0 {
		uk = w.followUserKey(i)
	}
	for j := 0; j < n; j++ {
		k := int32(-1)
		if u01(r.Uint64()) < pF {
			if nf == 0 {
				continue
			}
			c := w.followedLive(uk, g, int(((r.Uint64()>>32)*nf)>>32))
			if c < 0 {
				continue // the followed creator has no live commercial content
			}
			a0, b0 := t.cItemOff[c], t.cItemOff[c+1]
			u := u01(r.Uint64()) * t.cItemCum[b0-1]
			for a0 < b0-1 && t.cItemCum[a0] <= u {
				a0++
			}
			k = t.cItems[a0]
			// One merchant's creator content saturates in the follow feed
			// as in recommendation (audience overlap, buildRecommendation):
			// the impression registers with the merchant's factor.
			if m := t.items[k].merchant; m >= 0 {
				if f := t.satF[int(m)*w.G+g]; f < 1 && float32(u01(r.Uint64())) >= f {
					continue
				}
			}
		} else {
			u := u01(r.Uint64()) * (recW + extra)
			if u < extra {
				// A linked user is shown a linked live room of a merchant
				// whose seeding it engaged with.
				w.eachFunnel(i, func(m int, f *coldFunnel) {
					if k < 0 && x.linked(f.link) {
						hw := t.harvestW[m*w.G+g]
						if u < hw {
							k = t.hItems[m][t.hAlias[m*w.G+g].DrawBits(r.Uint64())]
							return
						}
						u -= hw
					}
				})
				if k < 0 {
					continue
				}
			} else {
				k = t.recAlias[g].DrawBits(r.Uint64())
			}
		}
		w.respond(i, g, k, r, a, x)
	}
	if (w.organicAny || t.anyPaidUp) && (w.umask == nil || w.umask[i] != 0) {
		w.exposeKnown(i, g, r, a, x)
	}
	if pt := &t.paidPois[g]; len(pt.cdf) > 1 {
		M := w.M
		np := pt.draw(u01(r.Uint64()))
		for j := 0; j < np; j++ {
			e := int(t.paidAlias[g].DrawBits(r.Uint64()))
			if e < M { // merchant e's paid traffic to users at O of it
				if !w.pristine(i, e) && w.stageNow(i*M+e, x.today) != 0 {
					continue // not at O: its impressions come from exposeKnown
				}
				a.paid = true
				w.deliverPaid(i, g, e, r, a, x)
				a.paid = false
				continue
			}
			l := int(t.boostOff) + e - M // a task boost: any user, any stage
			ln := &t.lines[l]
			a.line[l]++
			a.cnt[int(ln.item)*nCnt+cPaidImp]++
			a.paid = true
			w.respond(i, g, ln.item, r, a, x)
			a.paid = false
		}
	}
}

// exposeKnown draws the impressions an active user gets from the
// merchants it knows (funnel above O): the merchant's own account
// (followers' feed and search, Poisson(organic[stage])) and the
// merchant's paid traffic to its stage (Poisson(λ) from buildPaid).
//
// The counts are drawn as one superposition, exact in distribution: in
// merchant order, own-account then paid, each count is an independent
// Poisson law whose zero probability L (e^{−λ}) is known before it is
// drawn, so a single uniform u decides a whole run of zeros: with P the
// product of the zero probabilities passed so far, u ≤ P is the event
// that they were all zero, and given it u is uniform on [0, P]; the next
// count is zero iff u ≤ P·L (probability L), and when it is not, u/P is
// uniform on (L, 1] — the first factor of Knuth's product conditioned on
// a positive count, which poissonTail continues (knownHit). After a
// positive count (its impressions may change the funnel, and with it the
// paid rate) a fresh uniform starts the next run. Most active users draw
// one uniform here instead of two per known merchant. The caller skips
// users whose mask is empty (no draw).
func (w *world) exposeKnown(i, g int, r *dayRand, a *accum, x *userCtx) {
	if w.ustage == nil {
		w.exposeKnownWide(i, g, r, a, x)
		return
	}
	mm := w.umask[i]
	pk := w.ustage[i] // current unless one of the funnels has decayed since
	if x.today >= w.unext[i] {
		pk = w.stagesOf(i, mm, x.today)
	}
	kt, ot := &x.knownT[g&(len(x.knownT)-1)], x.orgT
	base := i * w.M
	u, P := u01(r.Uint64()), 1.0
	for ; mm != 0; mm &= mm - 1 {
		m := bits.TrailingZeros64(mm) & 63
		s := (pk >> (3 * uint(m) & 63)) & 7
		L := kt[m][s] // own-account × paid zero probabilities
		if s >= 4 && L != ot[m][s] {
			// Customers who cannot buy yet are not shown ads
			// (retargeting waits for the cycle): own account only.
			if o := w.fun[base+m].order; o != 0 && int32(o) > x.dueThr[m] {
				L = ot[m][s]
			}
		}
		if q := P * L; u <= q {
			if P = q; P < 1.0/4096 {
				// Renewed (the counts ahead are independent of those
				// passed) so that u/P keeps its resolution.
				u, P = renew(r), 1
			}
			continue
		}
		// A hit changes only merchant m's funnel: pk stays current for
		// the merchants after it.
		u, P = w.knownHit(i, g, m, u, P, r, a, x)
	}
}

// renew is a fresh uniform (out of exposeKnown's loop: its constants
// would take registers there).
//
//go:noinline
func renew(r *dayRand) float64 { return u01(r.Uint64()) }

// stagesOf is user i's current stages of the merchants of mm, packed as
// in ustage (read from the funnels; the cache is left to refreshStages).
func (w *world) stagesOf(i int, mm uint64, today uint16) uint64 {
	base := i * w.M
	var pk uint64
	for ; mm != 0; mm &= mm - 1 {
		m := bits.TrailingZeros64(mm)
		s0, t0 := w.funnelAt(base + m)
		pk |= uint64(w.stageFrom(s0, t0, today)) << (3 * m)
	}
	return pk
}

// exposeKnownWide is exposeKnown for worlds without packed stages (more
// than 21 merchants): the same draws, each stage read from its funnel.
func (w *world) exposeKnownWide(i, g int, r *dayRand, a *accum, x *userCtx) {
	M, G := w.M, w.G
	u, P := u01(r.Uint64()), 1.0
	for m := 0; m < M; m++ {
		if w.pristine(i, m) {
			continue
		}
		j := i*M + m
		s := w.stageNow(j, x.today)
		Lo := w.orgL[m*6+int(s)]
		L := Lo * w.day.paidExp[(m*G+g)*6+int(s)]
		if s == 0 {
			L = 1
		} else if s >= 4 && L != Lo && !w.due(j, m, x.today) {
			L = Lo
		}
		if q := P * L; u <= q {
			if P = q; P < 1.0/4096 {
				u, P = u01(r.Uint64()), 1
			}
			continue
		}
		u, P = w.knownHit(i, g, m, u, P, r, a, x)
	}
}

// knownHit delivers merchant m's impressions to user i when the run's
// uniform u is above P·L (exposeKnown): the own-account count is
// positive if u > P·Lo, else the paid count is. It returns the next
// run's u and P.
func (w *world) knownHit(i, g, m int, u, P float64, r *dayRand, a *accum, x *userCtx) (float64, float64) {
	t := &w.day
	j := i*w.M + m
	pe := t.paidExp[(m*w.G+g)*6:][:6]
	s := w.stageNow(j, x.today)
	Lo := w.orgL[m*6+int(s)]
	Lp := pe[s&7]
	if Lp < 1 && s >= 4 && !w.due(j, m, x.today) {
		Lp = 1
	}
	PLo := P * Lo
	if u > PLo { // a positive own-account count
		var n int
		if w.organicRate[s] < 30 {
			n = poissonTail(r, Lo, u/P)
		} else {
			for n == 0 { // conditioned on n > 0 (rejection: exact)
				n = poisson(r, w.organicRate[s])
			}
		}
		w.ownImpressions(i, g, m, n, r, a, x)
		u = u01(r.Uint64())
		// m's paid count, at the stage the impressions left.
		if s = w.stageNow(j, x.today); s == 0 {
			return u, 1
		}
		if Lp = pe[s&7]; Lp >= 1 || (s >= 4 && !w.due(j, m, x.today)) {
			return u, 1
		}
		if u <= Lp {
			return u, Lp
		}
		PLo = 1
	}
	// A positive paid count: u is in (PLo·Lp, PLo].
	a.paid = true
	w.deliverPaidN(i, g, m, poissonTail(r, Lp, u/PLo), r, a, x)
	a.paid = false
	return u01(r.Uint64()), 1
}

// ownImpressions delivers n impressions of merchant m's own account
// (items by weight) to user i.
func (w *world) ownImpressions(i, g, m, n int, r *dayRand, a *accum, x *userCtx) {
	t := &w.day
	items, cum := t.ownItems[m], t.ownCum[m]
	a.search = true
	for ; n > 0; n-- {
		u := u01(r.Uint64()) * cum[len(cum)-1]
		b := 0
		for b < len(cum)-1 && cum[b] <= u {
			b++
		}
		w.respond(i, g, items[b], r, a, x)
	}
	a.search = false
}

// deliverPaidN is n calls of deliverPaid for a user whose funnel with m
// the mask marks (exposeMerchant's). The funnel changes only when an
// impression registers, so the probability that one does (noticeOf) is
// computed once, and again after each that registers: an impression that
// does not is its draws and its counts alone, as in respond.
func (w *world) deliverPaidN(i, g, m, n int, r *dayRand, a *accum, x *userCtx) {
	t := &w.day
	if w.pristine(i, m) { // (not met: exposeMerchant's funnels are marked)
		for ; n > 0; n-- {
			w.deliverPaid(i, g, m, r, a, x)
		}
		return
	}
	j := i*w.M + m
	lo := int(t.mLineOff[m])
	al := &t.mAlias[m]
	// Locals: the stores to the counters would otherwise make the
	// compiler reload every slice header.
	lines, line, cnt := t.lines, a.line, a.cnt
	om := float32(-1)
	for ; n > 0; n-- {
		l := lo + int(al.DrawBits(r.Uint64()))
		line[l]++
		// m's lines show m's items (buildPaid), and respondKnown only
		// ever marks funnels: the funnel stays marked.
		k := int(lines[l].item)
		cnt[k*nCnt+cPaidImp]++
		cnt[k*nCnt+cImp]++
		if om < 0 { // noticeOf, inlined by hand
			_, t0 := w.funnelAt(j)
			om, _ = w.wear(j, t0, x.today, false)
			om *= x.attention
		}
		if u := float32(u01(r.Uint64())); u < om {
			w.respondKnown(i, g, int32(k), u, r, a, x)
			om = -1
		}
	}
}

// deliverPaid delivers one of merchant m's paid impressions to user i: a
// line (item) of m by weight (the caller sets a.paid).
func (w *world) deliverPaid(i, g, m int, r *dayRand, a *accum, x *userCtx) {
	t := &w.day
	l := int(t.mLineOff[m]) + int(t.mAlias[m].DrawBits(r.Uint64()))
	ln := &t.lines[l]
	a.line[l]++
	a.cnt[int(ln.item)*nCnt+cPaidImp]++
	w.respond(i, g, ln.item, r, a, x)
}

// respond applies one impression of item k to user i.
func (w *world) respond(i, g int, k int32, r *dayRand, a *accum, x *userCtx) {
	t := &w.day
	it := &t.items[k]
	a.cnt[int(k)*nCnt+cImp]++
	m := int(it.merchant)
	if m < 0 {
		return // a trend submission: a play, no merchant
	}
	j := i*w.M + m
	ri := (int(k)*w.G + g) * respStride
	if w.pristine(i, m) {
		// The funnel is at O and not linked (the mask says so without
		// reading it; a touch that leaves it at O changes nothing), so
		// it is written only if the impression moves it to A1, and its
		// hot part is never read: a funnel leaves the mask only once
		// every decay event of its last touch is past, so that touch
		// has no future event to cancel (as if it were at O, untouched).
		pa := float32(1)
		if a.paid {
			pa = x.attention
		}
		if u := float32(u01(r.Uint64())); u < t.resp[ri]*pa {
			s1 := w.advance(j, it, k, 0, r, a, x)
			w.setFunnel(j, s1, x.today)
			if !a.search {
				w.fexp[j] = expUnit // its first counted impression
			}
			w.touched(i, m, s1, 0, 0, 0, a, x)
		}
		return
	}
	w.respondKnown(i, g, k, float32(u01(r.Uint64())), r, a, x)
}

// respondKnown is respond for an impression of item k (of a merchant) to
// a funnel the mask marks (above O or linked), u its uniform.
func (w *world) respondKnown(i, g int, k int32, u float32, r *dayRand, a *accum, x *userCtx) {
	t := &w.day
	it := &t.items[k]
	m := int(it.merchant)
	j := i*w.M + m
	s0, t0 := w.funnelAt(j)
	// Wear-out: an impression registers with probability ω of the
	// user's recent impressions of the merchant; one that does not has no
	// effect at all (no stage move, no refresh of the stage, no count
	// toward wear-out). u/ω is again uniform for the registered ones.
	om, e1 := w.wear(j, t0, x.today, a.search)
	if a.paid {
		om *= x.attention
	}
	if u >= om {
		return
	}
	u /= om
	w.fexp[j] = e1
	c := a.cnt[int(k)*nCnt : int(k)*nCnt+nCnt]
	p := t.resp[(int(k)*w.G+g)*respStride:][:respStride]
	s := w.stageFrom(s0, t0, x.today)
	linked := it.harvest && x.anyLink && x.linked(w.fun[j].link)
	mult := float32(1)
	if linked {
		mult *= float32(x.linkMult)
	}
	s1 := s // the stage the touch leaves
	switch s {
	case 0:
		if u < p[0] {
			s1 = w.advance(j, it, k, 0, r, a, x)
		}
	case 1, 2:
		pi := p[5] * mult
		if u < pi {
			if w.canOrder(j, it, x) {
				c[cImpulse]++
				s1 = 4
				w.order(i, j, it, c, linked, r, a, x)
				a.flows[m*5+3]++
			}
		} else if u < pi+p[s] {
			s1 = w.advance(j, it, k, s, r, a, x)
		}
	case 3:
		if u < p[3]*mult && w.canOrder(j, it, x) {
			s1 = 4
			w.order(i, j, it, c, linked, r, a, x)
			a.flows[m*5+3]++
		}
	default: // 4, 5: repurchase
		if u < p[4]*mult && w.canOrder(j, it, x) {
			s1 = 5
			w.order(i, j, it, c, linked, r, a, x)
			if s == 4 {
				a.flows[m*5+4]++
			}
		}
	}
	w.setFunnel(j, s1, x.today)
	if s|s1 != 0 { // a funnel found and left at O has no stock change and no future decay
		w.touched(i, m, s1, s0, t0, s, a, x)
	}
}

// touched books a touch of funnel f (user i, merchant m) that found it at
// stage s (last touched at t0 with stage s0) and left it at s1: the
// stage change goes into today's stock deltas, and the funnel's future
// decay events move in the calendar.
func (w *world) touched(i, m int, s1, s0 uint8, t0 uint16, s uint8, a *accum, x *userCtx) {
	if s1 == s0 && t0 == x.today {
		return
	}
	if s1 != s {
		a.dstock[m*6+int(s)]--
		a.dstock[m*6+int(s1)]++
	}
	d := int(x.today) - w.dayBase
	if s0 > 0 {
		w.schedule(a.cal, m, s0, t0, d, -1)
	}
	if s1 > 0 {
		w.schedule(a.cal, m, s1, x.today, d, 1)
		if w.umask != nil {
			w.umask[i] |= 1 << m
		}
		if w.ustage != nil {
			w.ustage[i] = w.ustage[i]&^(7<<(3*m)) | uint64(s1)<<(3*m)
			if nx := int(x.today) + w.decay[s1]; nx < int(w.unext[i]) {
				w.unext[i] = uint16(nx)
			}
		}
	}
}

// refreshStages recomputes user i's packed current stages from its marked
// funnels, the day one of them next decays (or a linkage window ends),
// and drops from the mask the funnels at O and unlinked.
func (w *world) refreshStages(i int, x *userCtx) {
	base := i * w.M
	var pk uint64
	nx := 65535
	for mm := w.umask[i]; mm != 0; mm &= mm - 1 {
		m := bits.TrailingZeros64(mm)
		s0, t0 := w.funnelAt(base + m)
		if s := w.stageFrom(s0, t0, x.today); s > 0 {
			pk |= uint64(s) << (3 * m)
			nx = min(nx, int(t0)+w.dropAt[int(s0)*6+int(s)])
		} else if l := w.linkOf(base+m, x); x.linked(l) {
			nx = min(nx, int(l)+int(x.linkWindow))
		} else {
			w.umask[i] &^= 1 << m
		}
	}
	w.ustage[i] = pk
	w.unext[i] = uint16(nx)
}

// linkOf is funnel j's last seeding engagement (0 without reading it
// when no seeding content has existed).
func (w *world) linkOf(j int, x *userCtx) uint16 {
	if !x.anyLink {
		return 0
	}
	return w.fun[j].link
}

// due reports whether funnel j (merchant m) is past the repurchase cycle
// of the merchant's first product on day code today (or never bought).
func (w *world) due(j, m int, today uint16) bool {
	o := w.fun[j].order
	return o == 0 || int(today)-int(o) >= w.mCycle[m]
}

func (w *world) canOrder(j int, it *item, x *userCtx) bool {
	o := w.fun[j].order
	return o == 0 || int(x.today)-int(o) >= int(it.cycle)
}

// advance moves funnel j from stage s one stage up through item k's
// content and returns the new stage.
func (w *world) advance(j int, it *item, k int32, s uint8, r *dayRand, a *accum, x *userCtx) uint8 {
	a.flows[int(it.merchant)*5+int(s)]++
	if it.seed {
		w.fun[j].link = x.today // the last engagement with the merchant's seeding content
	}
	if it.creator >= 0 && u01(r.Uint64()) < x.followP {
		a.cnt[int(k)*nCnt+cFollows]++
	}
	return s + 1
}

// order records a purchase of user i on funnel j (the caller sets the
// stage it moves to).
func (w *world) order(i, j int, it *item, c []int64, linked bool, r *dayRand, a *accum, x *userCtx) {
	c[cOrders]++
	a.gOrders[w.ug[i]]++
	f := &w.fun[j]
	if f.order == 0 {
		c[cNew]++
	}
	if linked {
		c[cLinked]++
	}
	f.order = x.today
	if w.unOrders[i] < 65535 {
		w.unOrders[i]++
	}
	if w.ulife[i] == lifeActive && w.unOrders[i] >= x.loyalAfter {
		w.ulife[i] = lifeLoyal
	}
	if x.kpi && w.uflags[i]&1 == 0 {
		w.uflags[i] |= 1
		a.buyers++
	}
	if u01(r.Uint64()) < it.refundRate {
		c[cRefunds]++
	}
}
