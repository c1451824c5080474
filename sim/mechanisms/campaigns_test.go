package mechanisms

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// products 0,1 belong to merchant 0; 2 to merchant 1; 3 to merchant 2.
var testProductMerchant = []int32{0, 0, 1, 2}

func TestCampaignEffectsWindowAndEligibility(t *testing.T) {
	specs := []CampaignSpec{
		{First: 30, Last: 37, Discount: 0.15, TrafficMultiplier: 2, ConversionUplift: 0.25, Merchants: []int32{0}},
		{First: 35, Last: 50, Discount: 0.1, TrafficMultiplier: 1.5, ConversionUplift: 0.1,
			Merchants: []int32{0, 1}, Products: []int32{1, 2}, CreatorTiers: []int8{1, 2}},
		{First: -5, Last: 3, Discount: 0.05, TrafficMultiplier: 1.2, Merchants: []int32{2}, CreatorTypes: []int8{4}},
		{First: 10, Last: 20, Discount: 0.3, Merchants: nil}, // nobody joins
	}
	tab, err := NewCampaignTable(specs, testProductMerchant, 6, 4)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name                 string
		day, prod, typ, tier int
		want                 int // campaign index, −1 none
	}{
		{"before window", 29, 0, 0, 0, -1},
		{"first day", 30, 0, 0, 0, 0},
		{"last day", 37, 0, 0, 0, 0},
		{"after window", 38, 0, 0, 0, -1},
		{"other merchant in window", 33, 2, 0, 0, -1},
		{"merchant's own content", 33, 0, -1, -1, 0},
		{"overlap: first in file order wins", 36, 1, 0, 1, 0},
		{"second after first ends", 38, 1, 0, 1, 1},
		{"second: product not listed", 40, 0, 0, 1, -1},
		{"second: tier not listed", 40, 1, 0, 0, -1},
		{"second: tier 2 ok", 40, 2, 3, 2, 1},
		{"second: own content excluded by tier restriction", 40, 2, -1, -1, -1},
		{"second: last day", 50, 2, 0, 1, 1},
		{"second: after", 51, 2, 0, 1, -1},
		{"warm-up day campaign", -5, 3, 4, 3, 2},
		{"warm-up: wrong type", 0, 3, 3, 3, -1},
		{"warm-up: own content excluded by type restriction", 0, 3, -1, 0, -1},
		{"nobody joined", 15, 0, 0, 0, -1},
		{"product out of range", 33, 9, 0, 0, -1},
		{"type out of range", 33, 0, 6, 0, -1},
		{"tier out of range", 33, 0, 0, 4, -1},
	}
	for _, c := range cases {
		e, ok := tab.Effect(c.day, c.prod, c.typ, c.tier)
		got := -1
		if ok {
			got = e.Campaign
			s := specs[got]
			if e.Discount != s.Discount || e.TrafficMultiplier != s.TrafficMultiplier || e.ConversionUplift != s.ConversionUplift {
				t.Errorf("%s: effect %+v does not match spec %d", c.name, e, got)
			}
		}
		if got != c.want {
			t.Errorf("%s: Effect(%d, %d, %d, %d) = campaign %d, want %d", c.name, c.day, c.prod, c.typ, c.tier, got, c.want)
		}
	}
}

// reference is the rule, written the obvious way.
func referenceEffect(specs []CampaignSpec, pm []int32, day, prod, typ, tier int) int {
	for c, s := range specs {
		if day < s.First || day > s.Last || !slices.Contains(s.Merchants, pm[prod]) {
			continue
		}
		if len(s.Products) > 0 && !slices.Contains(s.Products, int32(prod)) {
			continue
		}
		if len(s.CreatorTypes) > 0 && (typ < 0 || !slices.Contains(s.CreatorTypes, int8(typ))) {
			continue
		}
		if len(s.CreatorTiers) > 0 && (tier < 0 || !slices.Contains(s.CreatorTiers, int8(tier))) {
			continue
		}
		return c
	}
	return -1
}

// TestCampaignTableMatchesReference: on random campaign sets, every
// (day, product, type, tier) agrees with the obvious rule.
func TestCampaignTableMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	const products, merchants, types, tiers = 12, 5, 6, 4
	pm := make([]int32, products)
	for i := range pm {
		pm[i] = int32(r.IntN(merchants))
	}
	sub := func(n, k int) []int32 {
		var s []int32
		for i := range n {
			if r.IntN(n) < k {
				s = append(s, int32(i))
			}
		}
		return s
	}
	sub8 := func(n, k int) []int8 {
		var s []int8
		for _, v := range sub(n, k) {
			s = append(s, int8(v))
		}
		return s
	}
	for trial := range 30 {
		specs := make([]CampaignSpec, 1+r.IntN(6))
		for c := range specs {
			first := r.IntN(60) - 10
			specs[c] = CampaignSpec{First: first, Last: first + r.IntN(20), Discount: float64(c) / 10,
				Merchants: sub(merchants, 3)}
			if r.IntN(2) == 0 {
				specs[c].Products = sub(products, 4)
			}
			if r.IntN(2) == 0 {
				specs[c].CreatorTypes = sub8(types, 3)
			}
			if r.IntN(2) == 0 {
				specs[c].CreatorTiers = sub8(tiers, 2)
			}
		}
		tab, err := NewCampaignTable(specs, pm, types, tiers)
		if err != nil {
			t.Fatal(err)
		}
		for day := -15; day <= 85; day++ {
			for p := range products {
				for ty := -1; ty < types; ty++ {
					for ti := -1; ti < tiers; ti++ {
						want := referenceEffect(specs, pm, day, p, ty, ti)
						e, ok := tab.Effect(day, p, ty, ti)
						got := -1
						if ok {
							got = e.Campaign
						}
						if got != want {
							t.Fatalf("trial %d day %d product %d type %d tier %d: got %d, want %d", trial, day, p, ty, ti, got, want)
						}
					}
				}
			}
		}
	}
}

func TestCampaignTableErrors(t *testing.T) {
	bad := []CampaignSpec{
		{First: 5, Last: 4, Merchants: []int32{0}},
		{First: 1, Last: 2, Products: []int32{99}},
		{First: 1, Last: 2, CreatorTypes: []int8{6}},
		{First: 1, Last: 2, CreatorTiers: []int8{-1}},
	}
	_, err := NewCampaignTable(bad, testProductMerchant, 6, 4)
	if err == nil {
		t.Fatal("want error")
	}
	for _, frag := range []string{"campaign 0", "campaign 1", "campaign 2", "campaign 3"} {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error %q does not name %s", err, frag)
		}
	}
	tab, err := NewCampaignTable(nil, testProductMerchant, 6, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tab.Effect(1, 0, 0, 0); ok {
		t.Error("empty table has an effect")
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}

func TestCampaignEffectNoAlloc(t *testing.T) {
	tab, _ := NewCampaignTable([]CampaignSpec{{First: 1, Last: 9, Merchants: []int32{0}}}, testProductMerchant, 6, 4)
	if a := testing.AllocsPerRun(1000, func() { tab.Effect(5, 1, 2, 3) }); a != 0 {
		t.Fatalf("Effect allocated %.0f", a)
	}
}

func BenchmarkCampaignEffect(b *testing.B) {
	const products = 2000
	pm := make([]int32, products)
	for i := range pm {
		pm[i] = int32(i / 10)
	}
	specs := []CampaignSpec{
		{First: 30, Last: 37, Merchants: []int32{0, 5, 7, 100}, CreatorTiers: []int8{1}},
		{First: 20, Last: 60, Merchants: []int32{5, 6, 150}, CreatorTypes: []int8{2, 3}},
		{First: 1, Last: 90, Merchants: []int32{199}},
	}
	tab, err := NewCampaignTable(specs, pm, 6, 4)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.NewPCG(1, 1)
	n := 0
	for b.Loop() {
		x := r.Uint64()
		if _, ok := tab.Effect(int(x%90), int(x>>8%products), int(x>>24%6), int(x>>32%4)); ok {
			n++
		}
	}
	_ = n
}
