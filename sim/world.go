package sim

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/startrend/startrend/scenarios"
	"github.com/startrend/startrend/sim/mechanisms"
	"gonum.org/v1/gonum/stat/distuv"
)

// This file holds the model's state (one world per replication × variant)
// and its initialisation. Agents live in struct-of-arrays slices addressed
// by index; the step phases are plain functions over them (step.go,
// users.go, settle.go).

// chunkSize is the number of users processed with one random stream. It is
// fixed (not derived from the worker count) so results do not depend on
// parallelism.
const chunkSize = 16384

// Format, tier, contract and lifecycle indices.
const (
	fShortVideo = iota
	fLive
	fPost
	fStorefront
	numFormats
)

const (
	tierHead = iota
	tierWaist
	tierTail
	tierKOC
	numTiers
)

const (
	kCPS = iota
	kFeeCPS
	kTask
	kSeedHarvest
	kOwn // the merchant's own live room and store: not a scenario contract kind
	numContracts
)

// Customer lifecycle states. Stored: new, active, loyal; at_risk and
// churned are derived from the days since the last app open.
const (
	lifeNew = iota
	lifeActive
	lifeLoyal
	lifeAtRisk
	lifeChurned
)

// Creator lifecycle states.
const (
	crNewcomer = iota
	crRising
	crEstablished
	crDormant
)

// A funnel is one user's relationship with one merchant, stored in two
// parts so that the loop's frequent reads (the stage at the last touch and
// its day, for lazy decay) fall in a compact array — 2 bytes per merchant,
// 40 bytes per user at 20 merchants — and the rarely read days (last
// order, last seeding engagement) in another. Days are stored as codes
// (day index + dayBase; 0 = never).
//
// Hot part (fhot): stage<<touchBits | touch when every day code of the run
// fits in touchBits bits (any run of up to ~22 years); otherwise the
// touch alone, the stage in fwide (the wide layout, 1 more byte).
const (
	touchBits = 13
	touchMask = 1<<touchBits - 1
)

// coldFunnel is the rarely read part of a funnel.
type coldFunnel struct {
	order uint16 // last order from the merchant (0 = never bought)
	link  uint16 // last engagement with the merchant's seeding content (0 = none)
}

// funnelAt returns funnel j's stage at its last touch and the touch's day code.
func (w *world) funnelAt(j int) (uint8, uint16) {
	h := w.fhot[j]
	if w.fwide == nil {
		return uint8(h >> touchBits), h & touchMask
	}
	return w.fwide[j], h
}

// setFunnel records a touch of funnel j on day code t that left it at stage s.
func (w *world) setFunnel(j int, s uint8, t uint16) {
	if w.fwide == nil {
		w.fhot[j] = uint16(s)<<touchBits | t
		return
	}
	w.fhot[j] = t
	w.fwide[j] = s
}

type chunk struct {
	lo, hi int
	key    uint64   // stream key of (seed, replication, user stream, chunk)
	rng    *dayRand // reseeded for every user-day (runChunk)
}

// product is a merchant's product.
type product struct {
	merchant                  int
	price, margin, refundRate float64
	stage                     []uint8   // product stage per sim day
	priceF                    []float64 // per group: share willing to pay the full price (priceFactor)
	cycle                     int       // repurchase cycle in days
}

// merchant is a merchant's running state.
type merchant struct {
	cfg       *merchantCfg
	products  []int             // global product indices
	partners  map[int32]float64 // existing partner creator → trust
	cooped    map[int32]bool    // creators that ever cooperated (not new)
	cumFees   []float64         // paced cumulative allowance per sim day (phase-relative)
	cumPaid   []float64
	spentFees float64 // in the current phase (warm-up or KPI)
	spentPaid float64
	reserved  float64 // task boosts committed but not yet delivered
	spentCamp float64
	groupMask []bool // paid traffic target groups
	stageMask uint8  // paid traffic target stages
	replan    int
	trendTag  []bool  // per trend: had a tagged cooperation
	plist     []int32 // partners, sorted (nil: rebuild)
	plans     []int   // per matrix entry: re-plans it was active in (entryCfg.rate)
}

// coop is a cooperation: content a creator (or the merchant itself, creator
// −1) publishes for one product, possibly over several days.
type coop struct {
	merchant, product, creator int32
	format, contract           uint8
	tier, typ                  int8 // −1 for own content
	isNew                      bool
	trust                      float64
	quality, skill             float64
	posts                      []int32 // sim days of scheduled posts
	published                  []int32 // sim days of published pieces
	end                        int32   // last day it may still receive impressions
	boostLeft, boostDaily      float64 // task e-commerce boost (CNY)
	commission                 float64
	own                        bool
	liveHours                  float64 // own live room: hours per day
}

// world is one replication of one variant.
type world struct {
	cfg     *config
	seed    uint64
	rep     int
	T, W    int // sim days, warm-up days
	scale   float64
	U, M    int
	G, C    int
	NT      int // creator types
	rng     *rand.PCG
	dayBase int // day code of sim day 0

	// parameters
	decay              [6]int    // decay days by stage
	act                []float64 // [G*5] activation probability by group × lifecycle
	actT               []uint64  // [G*8] the same as thresholds of 53-bit integers (openThreshold)
	gPriceSens, gSpend []float64
	affinity           []float64 // [NT*G]
	bgWeight           float64
	contentSat         mechanisms.Saturation // one merchant's creator content in recommendation
	satW               []float64             // per merchant, saturate's scratch
	followRef          float64               // followers of reference reach (the tail threshold)
	mCycle             []int                 // per merchant: repurchase cycle of its first product
	// initPartner[m][c]: trust of creator c as merchant m's initial
	// partner (nil: m has none): its followers start aware of m or as its
	// customers (partnerAudience).
	initPartner [][]float32

	// users
	ug        []uint8
	ulife     []uint8
	uopens    []uint16
	ulastOpen []uint16
	unOrders  []uint16
	uflags    []uint8      // bit 0: bought during the KPI period
	fhot      []uint16     // [U*M] funnel stage and last touch (funnelAt)
	fwide     []uint8      // [U*M] stage at the last touch, wide layout only (nil: packed in fhot)
	fun       []coldFunnel // [U*M] last order, last seeding engagement
	// Wear-out (users.go): per funnel the stock of recent impressions in
	// units of 1/expUnit (saturating at 255), valid at the funnel's last
	// touch; expKeep[gap] is the share of the stock left gap days later,
	// expOmega[e] the response multiplier at stock e/expUnit.
	fexp     []uint8
	expKeep  [expGaps]float32
	expOmega [256]float32
	// Own-account organic impressions per active user a day, by stage
	// (users.go): e^{−rate} (1: none) and the rate.
	organicL, organicRate [6]float64
	organicAny            bool
	orgL                  []float64 // per merchant × stage: e^{−λ} of own-account impressions (buildKnown)
	orgT                  *[64][8]float64
	knownT                []([64][8]float64)
	anyLink               bool     // seeding content has existed: a link may be set
	umask                 []uint64 // per user (M ≤ 64): merchants whose funnel may be above O or linked
	// Packed current stages (M ≤ 21): 3 bits per merchant, valid for the
	// marked funnels on days before unext (when one of them next decays).
	ustage    []uint64
	unext     []uint16
	dropAt    []int   // [6*6] stage s0 at a touch is below s this many days after it
	stock     []int64 // [M*6] funnel stocks at the end of the last closed day
	cal       []int32 // [T*M*6] decay calendar: stock changes by lazy decay per sim day
	stageAt   []uint8 // [6*stageSpan] stage s touched el days ago → current stage
	stageSpan int
	effPois   []poissonTable // per group: thinned impressions (users.go)
	pFollow   []float64
	imps      int64 // work done: impressions evaluated, funnel transitions
	trans     int64
	// Follow graph: user i follows nFollow[i] creators, place j being
	// followed(i, g, j) — drawn from followAlias[g] by a hash, not stored.
	nFollow     []uint16
	followAlias []mechanisms.Alias // per group: followers × affinity of the creator's type
	followKey   uint64
	liveCols    [][]uint64 // per group: follow-alias columns that can reach live content today
	chunks      []chunk

	// creators
	cType, cTier, cLife []uint8
	cFollowers          []float64
	cQuality, cSkill    []float64
	cCap, cUsed         []float64 // [C*numFormats] weekly capacity and use
	cFee, cComm, cRes   []float64 // fee (roster) or 0 = rate card; commission; reservation (roster) or 0
	cRoster             []bool
	cEngaged            []bool    // has ever cooperated
	cEngDay             []int32   // day of the first cooperation (or of waking)
	cIncome             []float64 // over the KPI days
	cIncRing            []float64 // [C*dormantDays]
	cResRing            []float64 // [C*dormantDays]: reservation incomes of the cooperations taken
	cResToday           []float64 // reservation incomes of today's cooperations
	cIncDays            []int32   // engagement days: content live or income
	cToday              []float64 // income today
	cActive             []bool
	pools               [][]int32 // creators by type*numTiers+tier
	cgraph              mechanisms.Graph

	products   []product
	merchants  []merchant
	coops      []coop
	trends     []*mechanisms.Trend
	trendRef   [][]float64 // Bass recursion reference per trend (F per day since start)
	trendSub   [][]float64 // per trend: submissions per sim day
	trendRider [][]bool    // [trend][merchant]
	trendRate  []float64   // per trend: expected submissions today, Σ adopters r·ρ^age
	trendFade  []float64   // per trend: ρ = e^{−1/fade_days} (1: no fading)
	camp       []campaignState
	campTable  *mechanisms.CampaignTable // which campaign applies to content on a day
	campWindow *mechanisms.CampaignTable // the same with every merchant joined (campaign_window breakdown)
	board      mechanisms.Board          // Magpie Bridge task board (reused)
	link       mechanisms.LinkageRules   // Xingque linkage rules
	tasks      []mechanisms.Task         // task board buffers (reused)
	cands      []mechanisms.Candidate
	expOrders  [numTiers]float64 // realised orders per post by tier (for task acceptance)
	postsTier  [numTiers]float64

	mark      []int32   // per creator: replan stamp (picked this replan)
	rankBuf   []int32   // rankCreators' ordering (reused)
	rankScore []float64 // per creator: rankCreators' value per fee
	day       dayTables // rebuilt every day
	out       recorder
}

type campaignState struct {
	cfg    *campaignCfg
	joined []bool // per merchant: joins (decided at initialisation)
}

// tierOf maps real followers to a tier.
func (w *world) tierOf(followers float64) uint8 {
	return tierOfFollowers(&w.cfg.thresholds, followers)
}

// newWorld builds the initial state of replication rep.
func newWorld(c *config, rep int) *world {
	w := &world{cfg: c, seed: c.seed, rep: rep, W: c.warmup, scale: c.scale}
	w.T = c.warmup + c.horizon
	w.U = c.users
	w.M = len(c.merchants)
	w.G = len(c.groups)
	w.NT = len(c.types)
	w.rng = newStream(c.seed, rep, streamWorld, 0)
	p := &c.plat
	w.decay = c.decay
	w.dayBase = c.dayBase
	w.initStageTable()
	w.initResponse()
	// Activation by group × lifecycle.
	w.act = make([]float64, w.G*5)
	w.gPriceSens = make([]float64, w.G)
	w.gSpend = make([]float64, w.G)
	w.actT = make([]uint64, w.G*8)
	for g, grp := range c.groups {
		for l := 0; l < 5; l++ {
			w.act[g*5+l] = math.Min(1, grp.activity*c.activity[l])
			w.actT[g*8+l] = openThreshold(w.act[g*5+l])
		}
		w.gPriceSens[g] = grp.priceSens
		w.gSpend[g] = grp.spending
	}
	w.affinity = make([]float64, w.NT*w.G)
	for t, ct := range c.types {
		copy(w.affinity[t*w.G:(t+1)*w.G], ct.affinity)
	}
	// The rest of the platform's commercial content: background_content
	// reference pieces (quality 1, affinity 1, reach 1) per 1,000 real users.
	w.bgWeight = float64(w.U) * w.scale / 1000 * p.BackgroundContent
	w.contentSat = mechanisms.Saturation{Half: float64(w.U) * w.scale / 1000 * p.ContentSaturation}
	w.followRef = c.thresholds.Tail
	if !(w.followRef > 0) {
		w.followRef = 1
	}

	w.link = mechanisms.LinkageRules{WindowDays: p.Linkage.WindowDays, ExposureBoost: p.Linkage.ExposureBoost,
		ConversionUplift: p.Linkage.ConversionUplift, SeedingCredit: p.Linkage.SeedingCredit}
	w.initCreators()
	w.initMerchants()
	w.mCycle = make([]int, w.M)
	for m := range w.mCycle {
		w.mCycle[m] = w.merchantCycle(m)
		if ps := w.merchants[m].partners; len(ps) > 0 {
			if w.initPartner == nil {
				w.initPartner = make([][]float32, w.M)
			}
			w.initPartner[m] = make([]float32, w.C)
			for c, tr := range ps {
				w.initPartner[m][c] = float32(tr)
			}
		}
	}
	w.initUsers()
	w.initTrends()
	w.initCampaigns()
	w.out.init(w)
	return w
}

func betaDraw(r *rand.PCG, ms scenarios.MeanSD) float64 {
	m := math.Min(math.Max(ms.Mean, 1e-6), 1-1e-6)
	if ms.SD <= 0 {
		return m
	}
	v := ms.SD * ms.SD
	k := m*(1-m)/v - 1
	if k <= 0.01 {
		k = 0.01
	}
	return distuv.Beta{Alpha: m * k, Beta: (1 - m) * k, Src: r}.Rand()
}

func (w *world) initCreators() {
	cf := w.cfg
	r := newStream(cf.seed, w.rep, streamCreators, 0)
	gen := cf.gen
	nRoster := len(cf.roster)
	nGen := 0
	if gen != nil {
		nGen = gen.count
	}
	C := nRoster + nGen
	w.C = C
	makeEach(C, &w.cType, &w.cTier, &w.cLife)
	makeEach(C, &w.cFollowers, &w.cQuality, &w.cSkill, &w.cFee, &w.cComm, &w.cRes, &w.cIncome, &w.cResToday, &w.cToday)
	makeEach(C*numFormats, &w.cCap, &w.cUsed)
	makeEach(C, &w.cRoster, &w.cEngaged, &w.cActive)
	makeEach(C, &w.cEngDay, &w.cIncDays)
	dd := max(1, cf.plat.CreatorGrowth.DormantAfterDays)
	makeEach(C*dd, &w.cIncRing, &w.cResRing)
	for i, rc := range cf.roster {
		w.cType[i] = rc.typ
		w.cFollowers[i] = rc.followers
		w.cQuality[i] = rc.quality
		w.cSkill[i] = rc.skill
		copy(w.cCap[i*numFormats:(i+1)*numFormats], rc.capacity[:])
		w.cFee[i] = rc.fee
		w.cComm[i] = rc.commission
		w.cRes[i] = rc.reservation
		w.cRoster[i] = true
	}
	if gen != nil && nGen > 0 {
		// Tier counts by largest remainder.
		shares := gen.tierShares
		counts := largestRemainder(shares[:], nGen)
		// Type shares in creator-type order.
		var ta mechanisms.Alias
		ta.Build(gen.typeW)
		alpha := gen.alpha
		i := nRoster
		for t := 0; t < numTiers; t++ {
			for n := 0; n < counts[t]; n++ {
				if ta.Len() > 0 {
					w.cType[i] = uint8(ta.DrawBits(r.Uint64()))
				}
				u := u01(r.Uint64())
				a, b := cf.thresholds.FollowerRange(t)
				if b <= a {
					w.cFollowers[i] = a
				} else {
					w.cFollowers[i] = a * math.Pow(1-u*(1-math.Pow(a/b, alpha)), -1/alpha)
				}
				w.cQuality[i] = betaDraw(r, gen.quality)
				w.cSkill[i] = betaDraw(r, gen.liveSkill)
				copy(w.cCap[i*numFormats:(i+1)*numFormats], gen.capacity[t][:])
				w.cComm[i] = gen.commission
				i++
			}
		}
	}
	for c := 0; c < C; c++ {
		w.cTier[c] = w.tierOf(w.cFollowers[c])
		if w.cFollowers[c] >= cf.plat.CreatorGrowth.EstablishedFollowers {
			w.cLife[c] = crEstablished
		}
	}
	w.rebuildPools()
	// Creator–creator follow graph for trends that spread along it.
	if cf.followGraph && C > 0 {
		gr := newStream(cf.seed, w.rep, streamGraph, 0)
		var fa mechanisms.Alias
		fa.Build(w.cFollowers)
		k := min(20, C)
		w.cgraph.Offsets = make([]int32, C+1)
		w.cgraph.Targets = make([]int32, 0, C*k)
		for c := 0; c < C; c++ {
			for j := 0; j < k && fa.Len() > 0; j++ {
				w.cgraph.Targets = append(w.cgraph.Targets, fa.DrawBits(gr.Uint64()))
			}
			w.cgraph.Offsets[c+1] = int32(len(w.cgraph.Targets))
		}
	}
}

// makeEach sets each of the slices to a new zeroed slice of length n (the
// world's per-agent columns are allocated by kind, several at a time).
func makeEach[T any](n int, slices ...*[]T) {
	for _, p := range slices {
		*p = make([]T, n)
	}
}

// fee is a creator's fee per cooperation (roster fee or rate card).
func (w *world) fee(c int32) float64 {
	if w.cRoster[c] {
		return w.cFee[c]
	}
	return w.cfg.fee.rateCard(w.cFollowers[c])
}

// reservation is a creator's reservation income per cooperation.
func (w *world) reservation(c int32) float64 {
	if w.cRoster[c] {
		return w.cRes[c]
	}
	return w.cfg.fee.resRatio * w.fee(c)
}

func (w *world) rebuildPools() {
	n := w.NT * numTiers
	if w.pools == nil {
		w.pools = make([][]int32, n)
	}
	for i := range w.pools {
		w.pools[i] = w.pools[i][:0]
	}
	for c := 0; c < w.C; c++ {
		w.cTier[c] = w.tierOf(w.cFollowers[c])
		k := int(w.cType[c])*numTiers + int(w.cTier[c])
		w.pools[k] = append(w.pools[k], int32(c))
	}
}

func largestRemainder(shares []float64, n int) []int {
	var sum float64
	for _, s := range shares {
		sum += math.Max(s, 0)
	}
	out := make([]int, len(shares))
	if sum <= 0 {
		out[len(out)-1] = n
		return out
	}
	rem := make([]float64, len(shares))
	got := 0
	for i, s := range shares {
		x := math.Max(s, 0) / sum * float64(n)
		out[i] = int(x)
		rem[i] = x - float64(out[i])
		got += out[i]
	}
	for got < n {
		b := 0
		for i := range rem {
			if rem[i] > rem[b] {
				b = i
			}
		}
		out[b]++
		rem[b] = -1
		got++
	}
	return out
}

func (w *world) initMerchants() {
	cf := w.cfg
	w.merchants = make([]merchant, w.M)
	for m := range cf.merchants {
		mc := &cf.merchants[m]
		mer := &w.merchants[m]
		mer.cfg = mc
		mer.partners = map[int32]float64{}
		mer.cooped = map[int32]bool{}
		mer.replan = mc.replan
		mer.trendTag = make([]bool, len(cf.trends))
		for _, pr := range mc.products {
			pi := len(w.products)
			mer.products = append(mer.products, pi)
			p := product{merchant: m, price: pr.price, margin: pr.margin, refundRate: pr.refundRate, cycle: pr.cycle}
			p.stage = make([]uint8, w.T)
			for d := 0; d < w.T; d++ {
				switch {
				case pr.fixedStage >= 0:
					p.stage[d] = uint8(pr.fixedStage)
				case pr.bass != nil:
					p.stage[d] = uint8(pr.bass.Stage(d - w.W + 1))
				default:
					p.stage[d] = 2 // maturity
				}
			}
			p.priceF = make([]float64, w.G)
			for g := 0; g < w.G; g++ {
				p.priceF[g] = priceFactor(w.gSpend[g], pr.price, w.gPriceSens[g])
			}
			w.products = append(w.products, p)
		}
		// Paid traffic targeting.
		mer.groupMask = mc.groupMask
		mer.stageMask = mc.stageMask
		mer.cumFees = w.pacing(m, mc.creatorFees)
		mer.cumPaid = w.pacing(m, mc.paidTraffic)
		// Existing partners.
		for _, pt := range mc.partners {
			pool := w.pools[pt.typ*numTiers+pt.tier]
			n := 0
			if len(pool) > 0 {
				start := int(w.rng.Uint64() % uint64(len(pool)))
				for j := 0; j < len(pool) && n < pt.count; j++ {
					c := pool[(start+j)%len(pool)]
					if _, ok := mer.partners[c]; ok {
						continue
					}
					mer.partners[c] = pt.trust
					mer.cooped[c] = true
					n++
				}
			}
		}
		// The merchant's own live room and store: permanent content.
		for _, pi := range mer.products {
			q := mc.liveQuality
			w.coops = append(w.coops, coop{merchant: int32(m), product: int32(pi), creator: -1,
				format: fStorefront, contract: kOwn, tier: -1, typ: -1, quality: q, skill: 0.5,
				end: math.MaxInt32, own: true})
			if mc.liveHours > 0 {
				w.coops = append(w.coops, coop{merchant: int32(m), product: int32(pi), creator: -1,
					format: fLive, contract: kOwn, tier: -1, typ: -1, quality: q, skill: q,
					end: math.MaxInt32, own: true, liveHours: mc.liveHours / float64(len(mer.products))})
			}
		}
	}
}

// priceFactor is the share of a consumer group willing to pay price:
// willingness to pay is log-normal with median the group's spending level
// and log-sd 1/sens, so the share is Φ(sens × ln(spending/price)) —
// smooth in the price, so a discount moves conversion at the margin in
// every group. sens 0: 1 (price does not matter).
func priceFactor(spending, price, sens float64) float64 {
	if price <= 0 || sens == 0 {
		return 1
	}
	if !(spending > 0) {
		return 0
	}
	x := 0.5 * math.Erfc(-sens*math.Log(spending/price)/math.Sqrt2)
	if math.IsNaN(x) {
		return 0
	}
	return x
}

// pacing returns the cumulative allowance of a budget per sim day. The
// budget is for the KPI horizon; the warm-up gets the same daily rate on
// top (budget × warmup/horizon), tracked separately. Each phase's
// allowance is cumulative within the phase.
func (w *world) pacing(m int, budget float64) []float64 {
	mc := w.merchants[m].cfg
	H := float64(w.cfg.horizon)
	out := make([]float64, w.T)
	even := budget / H
	sw := &mc.stageWeights
	wbar := (sw[0] + sw[1] + sw[2] + sw[3]) / 4
	cum := 0.0
	for d := 0; d < w.T; d++ {
		if d == w.W {
			cum = 0
		}
		rate := even
		if d >= w.W {
			t := float64(d - w.W)
			switch mc.pacing {
			case paceFrontLoaded:
				if t < H/3 {
					rate = 2 * budget / H
				} else {
					rate = budget / (2 * H)
				}
			case paceByStage:
				st := 2
				if len(w.merchants[m].products) > 0 {
					st = int(w.products[w.merchants[m].products[0]].stage[d])
				}
				if wbar > 0 {
					rate = even * sw[st] / wbar
				}
			}
		}
		cum += rate
		limit := budget
		if d < w.W {
			limit = budget * float64(w.W) / H
		}
		out[d] = math.Min(cum, limit)
	}
	return out
}

// narrowFunnels reports whether every day code of the run (initial touches
// from 1, days up to dayBase+T−1) fits in touchBits bits, so a funnel's
// stage and touch share one uint16.
func (w *world) narrowFunnels() bool {
	return w.dayBase+w.T-1 <= touchMask && !forceWideFunnels
}

// forceWideFunnels makes every world use the wide funnel layout (tests).
var forceWideFunnels = false

// initUsers draws groups, initial funnels, lifecycle and the follow graph,
// chunk by chunk with each chunk's own stream.
func (w *world) initUsers() {
	cf := w.cfg
	U, M := w.U, w.M
	makeEach(U, &w.ug, &w.ulife, &w.uflags)
	makeEach(U, &w.uopens, &w.ulastOpen, &w.unOrders)
	w.fhot = make([]uint16, U*M)
	if !w.narrowFunnels() {
		w.fwide = make([]uint8, U*M)
	}
	w.fun = make([]coldFunnel, U*M)
	w.fexp = make([]uint8, U*M)
	gw := make([]float64, w.G)
	for g, grp := range cf.groups {
		gw[g] = grp.share
	}
	var ga mechanisms.Alias
	ga.Build(gw)
	// Follow choice per group: followers × affinity of the creator's type.
	fa := make([]mechanisms.Alias, w.G)
	cw := make([]float64, w.C)
	for g := 0; g < w.G; g++ {
		for c := 0; c < w.C; c++ {
			cw[c] = w.cFollowers[c] * w.affinity[int(w.cType[c])*w.G+g]
		}
		fa[g].Build(cw)
	}
	// Initial funnel shares per merchant (cumulative over A1..A5).
	cum := make([][6]float64, M)
	for m := range cf.merchants {
		f := &cf.merchants[m].funnel
		acc := 0.0
		for s := 5; s >= 1; s-- {
			acc += f[s]
			cum[m][s] = acc // P(stage >= s)
		}
	}
	nch := (U + chunkSize - 1) / chunkSize
	w.chunks = make([]chunk, nch)
	w.nFollow = make([]uint16, U)
	w.followAlias = fa
	w.followKey = splitmix64(newStream(cf.seed, w.rep, streamFollows, 0).Uint64())
	var pt poissonTable
	pt.set(cf.followsPerUser)
	pre := uint16(w.dayBase - 1) // code of sim day −1
	w.stock = make([]int64, M*6)
	w.cal = make([]int32, w.T*M*6)
	if M <= 64 {
		w.umask = make([]uint64, U)
	}
	if M <= 21 {
		w.ustage = make([]uint64, U)
		w.unext = make([]uint16, U) // 0: filled on the first open
	}
	// Chunks are independent (each has its own stream and its own users),
	// so they are initialised in parallel; the stocks and the decay
	// calendar are integer sums, the same for any number of goroutines.
	nw := max(1, min(runtime.GOMAXPROCS(0), nch))
	stocks := make([][]int64, nw)
	cals := make([][]int32, nw)
	var next atomic.Int64
	var wg sync.WaitGroup
	for gi := 0; gi < nw; gi++ {
		stocks[gi] = make([]int64, M*6)
		cals[gi] = make([]int32, len(w.cal))
		wg.Add(1)
		go func(stock []int64, cal []int32) {
			defer wg.Done()
			for {
				ci := int(next.Add(1)) - 1
				if ci >= nch {
					return
				}
				w.initChunk(ci, &ga, cum, &pt, pre, stock, cal)
			}
		}(stocks[gi], cals[gi])
	}
	wg.Wait()
	for gi := 0; gi < nw; gi++ {
		for j, x := range stocks[gi] {
			w.stock[j] += x
		}
		for j, x := range cals[gi] {
			w.cal[j] += x
		}
	}
}

// initChunk draws the users of chunk ci: group, initial funnels, lifecycle
// and number of follows; it tallies their initial stocks, schedules their
// decay events in the calendar and marks their funnels above O.
func (w *world) initChunk(ci int, ga *mechanisms.Alias, cum [][6]float64, pt *poissonTable, pre uint16, stock []int64, cal []int32) {
	seed := w.seed
	U, M := w.U, w.M
	lo, hi := ci*chunkSize, min(U, (ci+1)*chunkSize)
	w.chunks[ci] = chunk{lo: lo, hi: hi, rng: new(dayRand),
		key: splitmix64(newStream(seed, w.rep, streamUserDay, ci).Uint64())}
	r := newStream(seed, w.rep, streamUserInit, ci)
	for i := lo; i < hi; i++ {
		g := 0
		if ga.Len() > 0 {
			g = int(ga.DrawBits(r.Uint64()))
		}
		w.ug[i] = uint8(g)
		w.ulastOpen[i] = pre
		if w.C > 0 && w.followAlias[g].Len() > 0 {
			w.nFollow[i] = uint16(min(65535, pt.draw(u01(r.Uint64()))))
		}
		customer := false
		var mask, pk uint64
		nx := 65535
		for m := 0; m < M; m++ {
			u := u01(r.Uint64())
			s := 0
			if u < cum[m][1] {
				for s2 := 5; s2 >= 1; s2-- {
					if u < cum[m][s2] {
						s = s2
						break
					}
				}
			}
			if s < 4 && w.initPartner != nil && w.initPartner[m] != nil {
				s = w.partnerAudience(i, g, m, s, r)
			}
			j := i*M + m
			if s > 0 {
				// The last touch lies uniformly within the stage's decay window,
				// so initial stocks do not all decay on the same day.
				age := int(r.Uint64() % uint64(w.decay[s]))
				touch := uint16(w.dayBase - 1 - age)
				w.setFunnel(j, uint8(s), touch)
				w.schedule(cal, m, uint8(s), touch, -1, 1)
				mask |= 1 << (m & 63)
				pk |= uint64(s) << (3 * m)
				nx = min(nx, int(touch)+w.decay[s])
			}
			if s >= 4 {
				// An existing customer's last order lies uniformly within
				// the product's repurchase cycle before day 1 (day code ≥ 1).
				cyc := w.merchantCycle(m)
				w.fun[j].order = uint16(max(1, int(pre)-int(r.Uint64()%uint64(cyc))))
				customer = true
			}
			stock[m*6+s]++
		}
		if w.umask != nil {
			w.umask[i] = mask
		}
		if w.ustage != nil { // the packed stages hold until the first decay
			w.ustage[i] = pk
			w.unext[i] = uint16(nx)
		}
		if customer {
			w.ulife[i] = lifeActive
		}
	}
}

// followedLive returns the creator user i (of group g, key uk) follows in place j
// of its follow list, or −1 when that creator has no live commercial
// content today. The follow graph is not stored: place j is a fixed draw
// from the group's follow law keyed by (replication, user, j), so it is
// the same every day (a static graph) at no memory cost. Most alias
// columns lead only to creators without content today; a per-group bitmap
// of the columns that can (liveCols, rebuilt daily, a few KB) answers
// those without touching the large tables.
//
// uk is the user's follow key, followUserKey(i), which the caller computes
// once for all of the user's follow impressions of the day.
func (w *world) followedLive(uk uint64, g, j int) int32 {
	h := splitmix64(uk ^ uint64(j+1)*0x9e3779b97f4a7c15)
	a := &w.followAlias[g]
	col := a.Column(h)
	if w.liveCols[g][col>>6]&(1<<(col&63)) == 0 {
		return -1
	}
	c := a.Pick(col, h)
	if t := &w.day; t.cItemOff[c] == t.cItemOff[c+1] {
		return -1
	}
	return c
}

// followUserKey is user i's key in the follow graph's hash.
func (w *world) followUserKey(i int) uint64 {
	return splitmix64(w.followKey + uint64(i))
}

// buildLiveCols marks, per group, the follow-alias columns whose creator
// or alias has live commercial content today.
func (w *world) buildLiveCols() {
	t := &w.day
	if w.liveCols == nil {
		w.liveCols = make([][]uint64, w.G)
	}
	for g := range w.followAlias {
		a := &w.followAlias[g]
		n := a.Len()
		if cap(w.liveCols[g]) < (n+63)/64 {
			w.liveCols[g] = make([]uint64, (n+63)/64)
		}
		b := w.liveCols[g][:(n+63)/64]
		clear(b)
		for col := 0; col < n; col++ {
			al, possible := a.AliasOf(col)
			if t.cItemOff[col] != t.cItemOff[col+1] || (possible && t.cItemOff[al] != t.cItemOff[al+1]) {
				b[col>>6] |= 1 << (col & 63)
			}
		}
		w.liveCols[g] = b
	}
}

func (w *world) initTrends() {
	trends := w.cfg.trends
	w.trends = make([]*mechanisms.Trend, len(trends))
	makeEach(len(trends), &w.trendRef, &w.trendSub)
	w.trendRider = make([][]bool, len(trends))
	makeEach(len(trends), &w.trendRate, &w.trendFade)
	for j := range trends {
		t := &trends[j]
		w.trendFade[j] = 1
		if t.FadeDays > 0 {
			w.trendFade[j] = math.Exp(-1 / t.FadeDays)
		}
		mix := mechanisms.MixFull
		g := mechanisms.Graph{}
		if t.followGraph {
			mix = mechanisms.MixFollowGraph
			g = w.cgraph
			if len(g.Offsets) == 0 {
				g.Offsets = make([]int32, w.C+1)
			}
		}
		w.trends[j] = mechanisms.NewTrend(mechanisms.TrendConfig{StartDay: t.StartDay, P: t.P, Q: t.Q, Mixing: mix, Potential: t.Potential}, w.C, g, w.rng)
		w.trendRef[j] = mechanisms.BassRecursion(t.P, t.Q, w.T+1, 0, nil)
		w.trendSub[j] = make([]float64, w.T)
		w.trendRider[j] = t.riders
	}
}

// initCampaigns decides which eligible merchants join each campaign and
// compiles the campaigns into one mechanisms.CampaignTable for the run.
// Joining depends only on the campaigns budget and the fees (campaign fees
// are its only charges), so it is decided here, campaigns taken by first
// day (then file order); the fee is charged on the campaign's first KPI day
// (calendarCampaigns).
func (w *world) initCampaigns() {
	cps := w.cfg.campaigns
	w.camp = make([]campaignState, len(cps))
	order := make([]int, len(cps))
	for j := range cps {
		w.camp[j] = campaignState{cfg: &cps[j], joined: make([]bool, w.M)}
		order[j] = j
	}
	slices.SortStableFunc(order, func(a, b int) int { return cps[a].first - cps[b].first })
	spent := make([]float64, w.M)
	for _, j := range order {
		c := w.camp[j].cfg
		if c.window[1] < c.first {
			continue // the window lies in the warm-up: never opens
		}
		for _, m := range c.merchants {
			if w.camp[j].joined[m] {
				continue
			}
			if spent[m]+c.fee > w.merchants[m].cfg.campaignsBudget+1e-9 {
				continue // cannot afford the fee: does not join
			}
			spent[m] += c.fee
			w.camp[j].joined[m] = true
		}
	}
	productMerchant := make([]int32, len(w.products))
	for pi := range w.products {
		productMerchant[pi] = int32(w.products[pi].merchant)
	}
	specs := make([]mechanisms.CampaignSpec, len(cps))
	open := make([]bool, len(cps)) // applies to someone, once joined
	for j := range cps {
		c := &cps[j]
		s := mechanisms.CampaignSpec{First: c.first, Last: c.window[1],
			Discount: c.discount, TrafficMultiplier: c.traffic, ConversionUplift: c.uplift}
		if s.Last < s.First {
			s.Last = s.First // a window within the warm-up: no merchants, never applies
		} else {
			for m, ok := range w.camp[j].joined {
				if ok {
					s.Merchants = append(s.Merchants, int32(m))
				}
			}
		}
		s.Products = slices.Clone(c.products)
		s.CreatorTypes = slices.Clone(c.types)
		s.CreatorTiers = slices.Clone(c.tiers)
		if (c.restrictProducts && len(s.Products) == 0) || (c.restrictTypes && len(s.CreatorTypes) == 0) ||
			(c.restrictTiers && len(s.CreatorTiers) == 0) {
			s.Merchants = nil // restricted to products no merchant sells, or to no type or tier
		}
		open[j] = c.window[1] >= c.first &&
			(!c.restrictProducts || len(s.Products) > 0) &&
			(!c.restrictTypes || len(s.CreatorTypes) > 0) &&
			(!c.restrictTiers || len(s.CreatorTiers) > 0)
		specs[j] = s
	}
	t, err := mechanisms.NewCampaignTable(specs, productMerchant, w.NT, numTiers)
	if err != nil {
		panic("sim: campaigns of a compiled model: " + err.Error()) // Compile rules these out
	}
	w.campTable = t
	all := make([]int32, w.M)
	for m := range all {
		all[m] = int32(m)
	}
	for j := range specs {
		if open[j] {
			specs[j].Merchants = all
		}
	}
	w.campWindow, _ = mechanisms.NewCampaignTable(specs, productMerchant, w.NT, numTiers)
}

// Initial partners' audiences: a follower of an initial partner with trust
// τ saw last season's cooperations, so it starts as the merchant's customer
// with probability partnerCustomer·τ, else aware (a1) with probability
// partnerAware·τ (never lowering its drawn stage).
const (
	partnerCustomer = 0.1
	partnerAware    = 0.5
)

// partnerAudience returns user i's initial stage for merchant m given its
// drawn stage s < 4 and the initial partners it follows (the highest
// trust counts).
func (w *world) partnerAudience(i, g, m int, s int, r *rand.PCG) int {
	n := int(w.nFollow[i])
	if n == 0 || w.followAlias[g].Len() == 0 {
		return s
	}
	uk := w.followUserKey(i)
	best := float32(0)
	for j := 0; j < n; j++ {
		h := splitmix64(uk ^ uint64(j+1)*0x9e3779b97f4a7c15)
		if tr := w.initPartner[m][w.followAlias[g].DrawBits(h)]; tr > best {
			best = tr
		}
	}
	if best == 0 {
		return s
	}
	u := u01(r.Uint64())
	switch {
	case u < partnerCustomer*float64(best):
		return 4
	case u < (partnerCustomer+partnerAware)*float64(best) && s < 1:
		return 1
	}
	return s
}
