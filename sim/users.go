package sim

import "math/rand/v2"

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
	stock  []int64 // [M*6]
	active []int64 // [M*G*6] users who opened the app, by merchant stage
	life   [5]int64
	opened int64
	react  int64
	buyers int64
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
	}
	clear(a.flows)
	clear(a.stock)
	clear(a.active)
	a.life = [5]int64{}
	a.opened, a.react, a.buyers = 0, 0, 0
}

// add adds b's counts into a.
func (a *accum) add(b *accum) {
	for i, x := range b.cnt {
		a.cnt[i] += x
	}
	for i, x := range b.line {
		a.line[i] += x
	}
	for i, x := range b.flows {
		a.flows[i] += x
	}
	for i, x := range b.stock {
		a.stock[i] += x
	}
	for i, x := range b.active {
		a.active[i] += x
	}
	for i := range a.life {
		a.life[i] += b.life[i]
	}
	a.opened += b.opened
	a.react += b.react
	a.buyers += b.buyers
}

// stageNow derives the current stage from the stage at the last touch and
// the days since (lazy decay: one level per decay window without touches).
func (w *world) stageNow(f *funnel, today uint16) uint8 {
	s := f.stage
	if s == 0 {
		return 0
	}
	el := int(today) - int(f.touch)
	for s > 0 && el >= w.decay[s] {
		el -= w.decay[s]
		s--
	}
	return s
}

// userCtx holds the loop's per-day constants in locals-friendly form.
type userCtx struct {
	today                   uint16
	kpi                     bool
	followShr               float64
	bg                      float64
	cycle                   int
	followP                 float64
	linkMult                float64
	linkWindow              uint16
	activeAfter, loyalAfter uint16
	atRisk, churn           int
}

func (w *world) userContext() userCtx {
	p := &w.sc.Platform
	return userCtx{
		today:       w.day.today,
		kpi:         w.day.kpi,
		followShr:   p.FollowShare,
		bg:          w.bgWeight,
		cycle:       p.RepurchaseCycleDays,
		followP:     p.CreatorGrowth.FollowPerEngagement,
		linkMult:    1 + p.Linkage.ConversionUplift,
		linkWindow:  uint16(max(0, p.Linkage.WindowDays)),
		activeAfter: uint16(min(65535, max(0, p.Customers.ActiveAfterDays))),
		loyalAfter:  uint16(min(65535, max(0, p.Customers.LoyalAfterOrders))),
		atRisk:      p.Customers.AtRiskAfterDays,
		churn:       p.Customers.ChurnAfterDays,
	}
}

// runChunk simulates one day for the users of one chunk.
func (w *world) runChunk(ch *chunk, a *accum, x *userCtx) {
	r := ch.rng
	t := &w.day
	M, G := w.M, w.G
	today := x.today
	dayKey := splitmix64(ch.key ^ uint64(x.today)*0xd1342543de82ef95)
	for i := ch.lo; i < ch.hi; i++ {
		// Each user-day has its own stream: a change in one user's draws
		// (in a variant) does not shift any other user's numbers, which
		// keeps common random numbers aligned.
		h := splitmix64(dayKey + uint64(i))
		r.Seed(h, h^0x6a09e667f3bcc909)
		g := int(w.ug[i])
		life := w.ulife[i]
		since := int(today) - int(w.ulastOpen[i])
		eff := life
		if since > x.churn {
			eff = lifeChurned
		} else if since > x.atRisk {
			eff = lifeAtRisk
		}
		open := u01(r.Uint64()) < w.act[g*5+int(eff)]
		if open {
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
			eff = life
			a.opened++
			w.exposeUser(i, g, r, a, x)
			eff = w.ulife[i] // orders may have made the user loyal
		}
		a.life[eff]++
		base := i * M
		for m := 0; m < M; m++ {
			s := w.stageNow(&w.fun[base+m], today)
			a.stock[m*6+int(s)]++
			if open {
				a.active[(m*G+g)*6+int(s)]++
			}
		}
	}
	_ = t
}

// exposeUser draws an active user's impressions and their responses.
func (w *world) exposeUser(i, g int, r *rand.PCG, a *accum, x *userCtx) {
	t := &w.day
	n := t.pois.draw(u01(r.Uint64()))
	extra := 0.0
	if t.hasLink {
		base := i * w.M
		for m := 0; m < w.M; m++ {
			if w.fun[base+m].link >= x.today {
				extra += t.harvestW[m*w.G+g]
			}
		}
	}
	recW := t.recW[g]
	for j := 0; j < n; j++ {
		r1 := r.Uint64()
		k := int32(-1)
		if u01(r1) < x.followShr {
			lo, hi := w.fOff[i], w.fOff[i+1]
			if hi == lo {
				continue
			}
			c := w.fTo[lo+uint32(((r.Uint64()>>32)*uint64(hi-lo))>>32)]
			a0, b0 := t.cItemOff[c], t.cItemOff[c+1]
			if a0 == b0 {
				continue // the followed creator has no live commercial content
			}
			u := u01(r.Uint64()) * t.cItemCum[b0-1]
			for a0 < b0-1 && t.cItemCum[a0] <= u {
				a0++
			}
			k = t.cItems[a0]
		} else {
			u := u01(r.Uint64()) * (recW + x.bg + extra)
			switch {
			case u < extra:
				// A linked user is shown a linked live room of a merchant
				// whose seeding it engaged with.
				base := i * w.M
				for m := 0; m < w.M; m++ {
					if w.fun[base+m].link >= x.today {
						hw := t.harvestW[m*w.G+g]
						if u < hw {
							k = t.hItems[m][t.hAlias[m*w.G+g].draw(r.Uint64())]
							break
						}
						u -= hw
					}
				}
				if k < 0 {
					continue
				}
			case u < extra+recW:
				k = t.recAlias[g].draw(r.Uint64())
			default:
				continue // the rest of the platform's content
			}
		}
		w.respond(i, g, k, r, a, x)
	}
	if pt := &t.paidPois[g]; len(pt.cdf) > 1 {
		np := pt.draw(u01(r.Uint64()))
		for j := 0; j < np; j++ {
			l := t.paidAlias[g].draw(r.Uint64())
			ln := &t.lines[l]
			f := &w.fun[i*w.M+int(ln.merchant)]
			if ln.stageMask&(1<<w.stageNow(f, x.today)) == 0 {
				continue // outside the target: not delivered
			}
			a.line[l]++
			a.cnt[int(ln.item)*nCnt+cPaidImp]++
			w.respond(i, g, ln.item, r, a, x)
		}
	}
}

// respond applies one impression of item k to user i.
func (w *world) respond(i, g int, k int32, r *rand.PCG, a *accum, x *userCtx) {
	t := &w.day
	it := &t.items[k]
	c := a.cnt[int(k)*nCnt : int(k)*nCnt+nCnt]
	c[cImp]++
	m := int(it.merchant)
	if m < 0 {
		return // a trend submission: a play, no merchant
	}
	f := &w.fun[i*w.M+m]
	s := w.stageNow(f, x.today)
	f.stage = s
	f.touch = x.today
	p := t.resp[(int(k)*w.G+g)*respStride:]
	u := float32(u01(r.Uint64()))
	linked := it.harvest && f.link >= x.today
	mult := float32(1)
	if linked {
		mult = float32(x.linkMult)
	}
	switch s {
	case 0:
		if u < p[0] {
			w.advance(f, it, k, 0, r, a, x)
		}
	case 1, 2:
		pi := p[5] * mult
		if u < pi {
			if w.canOrder(f, x) {
				c[cImpulse]++
				w.order(i, f, it, c, 4, linked, r, a, x)
				a.flows[m*5+3]++
			}
		} else if u < pi+p[s] {
			w.advance(f, it, k, s, r, a, x)
		}
	case 3:
		if u < p[3]*mult && w.canOrder(f, x) {
			w.order(i, f, it, c, 4, linked, r, a, x)
			a.flows[m*5+3]++
		}
	default: // 4, 5: repurchase
		if u < p[4]*mult && w.canOrder(f, x) {
			w.order(i, f, it, c, 5, linked, r, a, x)
			if s == 4 {
				a.flows[m*5+4]++
			}
		}
	}
}

func (w *world) canOrder(f *funnel, x *userCtx) bool {
	return f.order == 0 || int(x.today)-int(f.order) >= x.cycle
}

// advance moves a user one stage up through item k's content.
func (w *world) advance(f *funnel, it *item, k int32, s uint8, r *rand.PCG, a *accum, x *userCtx) {
	f.stage = s + 1
	a.flows[int(it.merchant)*5+int(s)]++
	if it.seed {
		f.link = x.today + x.linkWindow - 1
	}
	if it.creator >= 0 && u01(r.Uint64()) < x.followP {
		a.cnt[int(k)*nCnt+cFollows]++
	}
}

// order records a purchase and moves the user to stage to.
func (w *world) order(i int, f *funnel, it *item, c []int64, to uint8, linked bool, r *rand.PCG, a *accum, x *userCtx) {
	c[cOrders]++
	if f.order == 0 {
		c[cNew]++
	}
	if linked {
		c[cLinked]++
	}
	f.order = x.today
	f.stage = to
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
