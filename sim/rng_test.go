package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/startrend/startrend/sim/mechanisms"
)

// TestAliasFrequencies draws from an alias table and checks the observed
// frequencies against the weights with a chi-square test: with k−1 = 7
// degrees of freedom the statistic exceeds 24.3 with probability 0.001, so
// a correct sampler fails this (fixed-seed) test with probability < 0.1%.
func TestAliasFrequencies(t *testing.T) {
	w := []float64{5, 1, 0, 0.5, 12, 3, 3, 0.01, 7}
	var a mechanisms.Alias
	a.Build(w)
	r := newStream(1, 0, 99, 0)
	const n = 2_000_000
	counts := make([]float64, len(w))
	for i := 0; i < n; i++ {
		counts[a.DrawBits(r.Uint64())]++
	}
	var tot float64
	for _, x := range w {
		tot += x
	}
	chi := 0.0
	df := -1
	for i, x := range w {
		e := float64(n) * x / tot
		if x == 0 {
			if counts[i] != 0 {
				t.Fatalf("outcome %d has weight 0 but was drawn %v times", i, counts[i])
			}
			continue
		}
		chi += (counts[i] - e) * (counts[i] - e) / e
		df++
	}
	if df != 7 || chi > 24.3 {
		t.Fatalf("chi-square %.2f with %d df (limit 24.3 at p = 0.001); counts %v", chi, df, counts)
	}
}

// TestPoissonTable checks the inverse-CDF Poisson draw: mean and variance
// within 4 standard errors of lambda.
func TestPoissonTable(t *testing.T) {
	for _, lambda := range []float64{0.05, 1, 5, 40} {
		var p poissonTable
		p.set(lambda)
		r := newStream(2, 0, 99, 0)
		const n = 400_000
		var s, ss float64
		for i := 0; i < n; i++ {
			k := float64(p.draw(u01(r.Uint64())))
			s += k
			ss += k * k
		}
		mean := s / n
		v := ss/n - mean*mean
		if se := math.Sqrt(lambda / n); math.Abs(mean-lambda) > 4*se {
			t.Errorf("lambda %v: mean %v", lambda, mean)
		}
		if math.Abs(v-lambda) > 0.02*lambda+4*math.Sqrt(2*lambda*lambda/n) {
			t.Errorf("lambda %v: variance %v", lambda, v)
		}
	}
}

// TestResponseFrequencies checks that the simulated funnel advances match
// the probabilities in the response table: one item, users all at O, one
// impression each; the count of O→A1 advances is binomial.
func TestResponseFrequencies(t *testing.T) {
	sc := testScenario(t, "population.users=60000", "replications=1")
	w := testWorld(t, sc)
	w.beginDay(0)
	k := -1
	for i := range w.day.items {
		if w.day.items[i].merchant == 1 {
			k = i
			break
		}
	}
	if k < 0 {
		t.Fatal("no item of merchant b")
	}
	x := w.userContext()
	var a accum
	a.reset(w)
	var n, adv float64
	var expect float64
	for i := 0; i < w.U; i++ {
		w.setFunnel(i*w.M+1, 0, 0)
		w.fun[i*w.M+1].order = 0
		g := int(w.ug[i])
		before := a.flows[1*5+0]
		w.respond(i, g, int32(k), w.chunks[0].rng, &a, &x)
		adv += float64(a.flows[1*5+0] - before)
		expect += float64(w.day.resp[(k*w.G+g)*respStride+0])
		n++
	}
	sd := math.Sqrt(expect)
	if math.Abs(adv-expect) > 4*sd {
		t.Fatalf("O→A1 advances %v, expected %.1f ± %.1f (4 sd)", adv, expect, 4*sd)
	}
}

// TestPoissonGuideExact: the guided draw returns exactly the k of a scan
// of the CDF from 0, for uniforms on and around every cell bound and
// every CDF step, and for random ones.
func TestPoissonGuideExact(t *testing.T) {
	scan := func(p *poissonTable, u float64) int {
		k := 0
		for k < len(p.cdf)-1 && u >= p.cdf[k] {
			k++
		}
		return k
	}
	r := rand.New(rand.NewPCG(1, 2))
	var p poissonTable // reused, as the engine does: no stale guide
	for _, lambda := range []float64{0, 1e-6, 0.01, 0.3, 1, 2.7, 5, 17.5, 100, 999, 0} {
		p.set(lambda)
		us := []float64{0, math.Nextafter(1, 0)}
		for j := 0; j <= guideN; j++ {
			b := float64(j) / guideN
			us = append(us, b, math.Nextafter(b, 0), math.Nextafter(b, 1))
		}
		for _, c := range p.cdf {
			us = append(us, c, math.Nextafter(c, 0), math.Nextafter(c, 1))
		}
		for range 100000 {
			us = append(us, u01(r.Uint64()))
		}
		for _, u := range us {
			if u < 0 || u >= 1 {
				continue
			}
			if got, want := p.draw(u), scan(&p, u); got != want {
				t.Fatalf("lambda %v, u %v: draw %d, scan %d", lambda, u, got, want)
			}
		}
	}
}

// TestDayRand checks the user-day stream against wyrand's definition
// (outputs computed independently with arbitrary-precision integers:
// s += 0xa0761d6478bd642f, then the high XOR low word of
// s × (s XOR 0xe7037ed1a0b428db)) and its uniformity as runChunk uses it:
// short streams (16 numbers) seeded from consecutive user-day hashes, 64
// bins of u01 and a chi-square test on 63 degrees of freedom (above 103.4
// with probability 0.001), plus the successive pairs (8 × 8 bins) within
// each stream.
func TestDayRand(t *testing.T) {
	var r dayRand
	for _, c := range []struct {
		seed uint64
		want [3]uint64
	}{
		{0, [3]uint64{0x111cb3a78f59a58e, 0xceabd938ff4e856d, 0x61fb51318f47d2a4}},
		{1, [3]uint64{0xcdef1695e1f8ed2c, 0x61d6d24b1c9aad40, 0x8cf880c22eebfadf}},
		{0x9e3779b97f4a7c15, [3]uint64{0x53fffa7f4796cfba, 0x27cd1f68b2b3fc72, 0x39d0492663abb2de}},
	} {
		r.Seed(c.seed)
		for k, want := range c.want {
			if got := r.Uint64(); got != want {
				t.Fatalf("seed %#x, draw %d: %#x, wyrand gives %#x", c.seed, k, got, want)
			}
		}
	}
	const streams, per = 1 << 16, 16
	var bins [64]float64
	var pairs [64]float64
	key := splitmix64(7)
	for i := 0; i < streams; i++ {
		r.Seed(splitmix64(splitmix64(key + uint64(i))))
		prev := -1
		for k := 0; k < per; k++ {
			b := int(u01(r.Uint64()) * 64)
			bins[b]++
			if prev >= 0 {
				pairs[(prev>>3)*8+b>>3]++
			}
			prev = b
		}
	}
	chi := func(obs []float64) float64 {
		n := 0.0
		for _, o := range obs {
			n += o
		}
		e, x := n/float64(len(obs)), 0.0
		for _, o := range obs {
			x += (o - e) * (o - e) / e
		}
		return x
	}
	if x := chi(bins[:]); x > 103.4 {
		t.Errorf("u01 over 64 bins: chi-square %.1f on 63 df (p < 0.001)", x)
	}
	if x := chi(pairs[:]); x > 103.4 {
		t.Errorf("successive pairs over 8 × 8 bins: chi-square %.1f on 63 df (p < 0.001)", x)
	}
}

// TestOpenThreshold: the integer open test agrees with u01(h) < p at and
// around every threshold, for probabilities at the edges and in between.
func TestOpenThreshold(t *testing.T) {
	for _, p := range []float64{0, 1e-300, 0x1p-53, 0x1p-52 * 3, 1e-9, 0.1, 1.0 / 3, 0.5, 0.7, 0.999999, 1 - 0x1p-53, 1, 2, math.NaN(), -1} {
		T := openThreshold(p)
		for _, k := range []uint64{0, 1, T - 2, T - 1, T, T + 1, 1<<53 - 1} {
			if k >= 1<<53 {
				continue
			}
			h := k<<11 | 0x5a5 // low bits do not matter
			if got, want := h>>11 < T, u01(h) < p; got != want {
				t.Errorf("p %v, k %d: integer test %v, u01 test %v", p, k, got, want)
			}
		}
	}
}

// TestExposeKnownWide: exposeKnownWide (worlds of more than 21 merchants,
// without packed stages) makes exactly exposeKnown's draws: two copies of
// one world, every user with a known merchant exposed on each of 8 days
// through one and the other with the same stream, leave the same funnels,
// counts and stream states.
func TestExposeKnownWide(t *testing.T) {
	sc := testScenario(t, "population.users=4000", "replications=1")
	w1, w2 := testWorld(t, sc), testWorld(t, sc)
	var r1, r2 dayRand
	var imps int64
	for d := 0; d < 8; d++ {
		w1.beginDay(d)
		w2.beginDay(d)
		x1, x2 := w1.userContext(), w2.userContext()
		var a1, a2 accum
		a1.reset(w1)
		a2.reset(w2)
		for i := 0; i < w1.U; i++ {
			if d%2 == 1 && x1.today >= w1.unext[i] { // every other day: the packed stages current
				w1.refreshStages(i, &x1)
				w2.refreshStages(i, &x2)
			}
			if w1.umask[i] == 0 {
				continue
			}
			g := int(w1.ug[i])
			seed := splitmix64(uint64(d*w1.U + i))
			r1.Seed(seed)
			r2.Seed(seed)
			w1.exposeKnown(i, g, &r1, &a1, &x1)
			w2.exposeKnownWide(i, g, &r2, &a2, &x2)
			if r1.s != r2.s {
				t.Fatalf("day %d, user %d: the two paths drew different numbers", d, i)
			}
		}
		for name, p := range map[string][2][]int64{"cnt": {a1.cnt, a2.cnt}, "flows": {a1.flows, a2.flows}, "line": {a1.line, a2.line}, "dstock": {a1.dstock, a2.dstock}} {
			if !slices.Equal(p[0], p[1]) {
				t.Fatalf("day %d: %s differ", d, name)
			}
		}
		if !slices.Equal(w1.fhot, w2.fhot) || !slices.Equal(w1.fexp, w2.fexp) || !slices.Equal(w1.fun, w2.fun) {
			t.Fatalf("day %d: funnels differ", d)
		}
		for k := range w1.day.items {
			imps += a1.cnt[k*nCnt+cImp]
		}
	}
	if imps == 0 {
		t.Fatal("no known-merchant impressions: the test exercises nothing")
	}
	t.Logf("%d known-merchant impressions over 8 days", imps)
}
