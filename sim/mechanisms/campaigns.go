package mechanisms

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// CampaignSpec is one platform campaign (e.g. Super Value Team) resolved to
// dense indices.
type CampaignSpec struct {
	// First and Last are the window's days, inclusive (First ≤ Last).
	First, Last int
	// Discount depth paid by the merchant, the traffic multiplier on
	// exposure and the conversion uplift (conversion × (1 + uplift)).
	Discount, TrafficMultiplier, ConversionUplift float64
	// Merchants that join (empty: none — the campaign never applies).
	Merchants []int32
	// Products (global indices), CreatorTypes and CreatorTiers restrict the
	// campaign further; empty means all.
	Products     []int32
	CreatorTypes []int8
	CreatorTiers []int8
}

// CampaignEffect is the effect of the campaign that applies to a party.
type CampaignEffect struct {
	// Campaign is the index of the campaign in the specs.
	Campaign                                      int
	Discount, TrafficMultiplier, ConversionUplift float64
}

// maxCampaigns keeps campaign numbers and segments (≤ 2K+1) within uint16.
const maxCampaigns = 1<<15 - 1

// CampaignTable answers "which campaign applies to this content today" in
// O(1) without allocation. Build it once per run with NewCampaignTable; it
// is read-only afterwards and safe for concurrent use.
//
// Layout: the days from the earliest First to the latest Last are cut into
// segments at every window edge (at most 2K+1 for K campaigns); each
// (segment, product) points to a row of (types+1) × (tiers+1) campaign
// numbers, rows deduplicated. Memory: 2 bytes per day of the span, 4 per
// segment × product, 2 × (types+1)(tiers+1) per distinct row.
type CampaignTable struct {
	lo, hi   int      // day span covered; outside it nothing applies
	daySeg   []uint16 // day − lo → segment
	products int
	types    int
	tiers    int
	width    int      // (types+1) × (tiers+1)
	cellRow  []uint32 // segment × products + product → row
	rows     []uint16 // row × width + (type+1)(tiers+1) + tier+1 → campaign+1, 0 = none
	effects  []CampaignEffect
}

// NewCampaignTable compiles specs for products 0..len(productMerchant)−1
// (productMerchant[i] is the merchant of product i), creator types
// 0..types−1 and tiers 0..tiers−1.
//
// A campaign applies to (day, product, type, tier) when First ≤ day ≤ Last,
// the product's merchant is in Merchants, the product is in Products (or
// Products is empty), and likewise for the type and tier. A negative type
// (tier) stands for content that is not a creator's (the merchant's own live
// room, store, paid traffic): it is eligible only for campaigns without a
// type (tier) restriction. When several campaigns apply, the first in specs
// order (file order) wins: campaigns do not stack.
//
// It returns an error naming every invalid spec (reversed window, index out
// of range, non-finite number) and builds nothing then.
func NewCampaignTable(specs []CampaignSpec, productMerchant []int32, types, tiers int) (*CampaignTable, error) {
	if err := checkCampaignSpecs(specs, len(productMerchant), types, tiers); err != nil {
		return nil, err
	}
	t := &CampaignTable{
		products: len(productMerchant),
		types:    types,
		tiers:    tiers,
		width:    (types + 1) * (tiers + 1),
		effects:  make([]CampaignEffect, len(specs)),
		lo:       1,
		hi:       0, // empty span
	}
	for c, s := range specs {
		t.effects[c] = CampaignEffect{Campaign: c, Discount: s.Discount, TrafficMultiplier: s.TrafficMultiplier, ConversionUplift: s.ConversionUplift}
	}
	if len(specs) == 0 || len(productMerchant) == 0 {
		return t, nil
	}
	edges, err := t.segments(specs)
	if err != nil {
		return nil, err
	}
	t.fillRows(specs, edges, campaignMasks(specs, len(productMerchant), types, tiers), productMerchant)
	return t, nil
}

// checkCampaignSpecs reports every problem with the specs at once.
func checkCampaignSpecs(specs []CampaignSpec, products, types, tiers int) error {
	var errs []error
	if types < 0 || tiers < 0 || types > 126 || tiers > 126 {
		errs = append(errs, fmt.Errorf("campaign table: %d types and %d tiers; each must be in [0, 126]", types, tiers))
	}
	if len(specs) > maxCampaigns {
		errs = append(errs, fmt.Errorf("campaign table: %d campaigns; at most %d", len(specs), maxCampaigns))
	}
	for c, s := range specs {
		if s.First > s.Last {
			errs = append(errs, fmt.Errorf("campaign %d: window [%d, %d] ends before it starts", c, s.First, s.Last))
		}
		for _, v := range []float64{s.Discount, s.TrafficMultiplier, s.ConversionUplift} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				errs = append(errs, fmt.Errorf("campaign %d: non-finite effect %v", c, v))
			}
		}
		for _, m := range s.Merchants {
			if m < 0 {
				errs = append(errs, fmt.Errorf("campaign %d: merchant index %d is negative", c, m))
			}
		}
		for _, p := range s.Products {
			if p < 0 || int(p) >= products {
				errs = append(errs, fmt.Errorf("campaign %d: product index %d outside [0, %d)", c, p, products))
			}
		}
		for _, ty := range s.CreatorTypes {
			if ty < 0 || int(ty) >= types {
				errs = append(errs, fmt.Errorf("campaign %d: creator type %d outside [0, %d)", c, ty, types))
			}
		}
		for _, ti := range s.CreatorTiers {
			if ti < 0 || int(ti) >= tiers {
				errs = append(errs, fmt.Errorf("campaign %d: creator tier %d outside [0, %d)", c, ti, tiers))
			}
		}
	}
	return errors.Join(errs...)
}

// segments sets the table's day span and day → segment map and returns the
// segment edges: every First and Last+1, segment k = [edges[k], edges[k+1]).
func (t *CampaignTable) segments(specs []CampaignSpec) ([]int, error) {
	edges := make([]int, 0, 2*len(specs))
	t.lo, t.hi = specs[0].First, specs[0].Last
	for _, s := range specs {
		edges = append(edges, s.First, s.Last+1)
		t.lo, t.hi = min(t.lo, s.First), max(t.hi, s.Last)
	}
	if span := t.hi - t.lo + 1; span > 1<<24 {
		return nil, fmt.Errorf("campaign table: windows span %d days", span)
	}
	slices.Sort(edges)
	edges = slices.Compact(edges)
	t.daySeg = make([]uint16, t.hi-t.lo+1)
	for k := range len(edges) - 1 {
		for d := edges[k]; d < edges[k+1]; d++ {
			t.daySeg[d-t.lo] = uint16(k)
		}
	}
	return edges, nil
}

// campaignMask is one campaign's eligibility.
type campaignMask struct {
	merchant map[int32]bool
	product  []bool // nil = all
	typ      []bool // index type+1; [0] = non-creator content
	tier     []bool
}

// campaignMasks returns each campaign's eligibility masks.
func campaignMasks(specs []CampaignSpec, products, types, tiers int) []campaignMask {
	masks := make([]campaignMask, len(specs))
	for c, s := range specs {
		m := campaignMask{merchant: map[int32]bool{}}
		for _, x := range s.Merchants {
			m.merchant[x] = true
		}
		if len(s.Products) > 0 {
			m.product = make([]bool, products)
			for _, p := range s.Products {
				m.product[p] = true
			}
		}
		m.typ = make([]bool, types+1)
		m.typ[0] = len(s.CreatorTypes) == 0
		for i := 1; i <= types; i++ {
			m.typ[i] = len(s.CreatorTypes) == 0 || slices.Contains(s.CreatorTypes, int8(i-1))
		}
		m.tier = make([]bool, tiers+1)
		m.tier[0] = len(s.CreatorTiers) == 0
		for i := 1; i <= tiers; i++ {
			m.tier[i] = len(s.CreatorTiers) == 0 || slices.Contains(s.CreatorTiers, int8(i-1))
		}
		masks[c] = m
	}
	return masks
}

// fillRows builds, per segment and product, the row of the campaign that
// applies to each (type, tier) cell, sharing identical rows.
func (t *CampaignTable) fillRows(specs []CampaignSpec, edges []int, masks []campaignMask, productMerchant []int32) {
	nseg := len(edges) - 1
	types, tiers := t.types, t.tiers
	t.cellRow = make([]uint32, nseg*t.products)
	rowIndex := map[string]uint32{}
	row := make([]uint16, t.width)
	key := make([]byte, 2*t.width)
	active := make([]int, 0, len(specs))
	for k := range nseg {
		day := edges[k]
		active = active[:0]
		for c, s := range specs {
			if s.First <= day && day <= s.Last {
				active = append(active, c)
			}
		}
		for p := range t.products {
			clear(row)
			for _, c := range active {
				m := &masks[c]
				if !m.merchant[productMerchant[p]] || (m.product != nil && !m.product[p]) {
					continue
				}
				for ty := 0; ty <= types; ty++ {
					if !m.typ[ty] {
						continue
					}
					for ti := 0; ti <= tiers; ti++ {
						if cell := ty*(tiers+1) + ti; m.tier[ti] && row[cell] == 0 {
							row[cell] = uint16(c + 1) // first in file order wins
						}
					}
				}
			}
			for i, v := range row {
				key[2*i], key[2*i+1] = byte(v), byte(v>>8)
			}
			r, ok := rowIndex[string(key)]
			if !ok {
				r = uint32(len(t.rows) / t.width)
				rowIndex[string(key)] = r
				t.rows = append(t.rows, row...)
			}
			t.cellRow[k*t.products+p] = r
		}
	}
}

// Effect returns the effect of the campaign that applies to content by a
// creator of creatorType and creatorTier (negative: not a creator's
// content) promoting product on day, and whether one applies. Out-of-range
// days, products, types and tiers have no campaign. O(1), no allocation.
func (t *CampaignTable) Effect(day, product, creatorType, creatorTier int) (CampaignEffect, bool) {
	if day < t.lo || day > t.hi || uint(product) >= uint(t.products) ||
		creatorType >= t.types || creatorTier >= t.tiers {
		return CampaignEffect{}, false
	}
	ty, ti := max(creatorType+1, 0), max(creatorTier+1, 0)
	seg := int(t.daySeg[day-t.lo])
	r := int(t.cellRow[seg*t.products+product])
	c := t.rows[r*t.width+ty*(t.tiers+1)+ti]
	if c == 0 {
		return CampaignEffect{}, false
	}
	return t.effects[c-1], true
}

// Len returns the number of campaigns compiled.
func (t *CampaignTable) Len() int { return len(t.effects) }
