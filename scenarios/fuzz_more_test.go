package scenarios

import (
	"math"
	"strings"
	"testing"
)

// FuzzRoster feeds arbitrary bytes to the roster CSV parser: it must never
// panic, every error must name the file and a row ≥ 1, and every creator it
// accepts must hold finite, in-range values.
func FuzzRoster(f *testing.F) {
	header := strings.Join(RosterColumns(), ",")
	f.Add([]byte(header + "\nc1,小美,seeder,120000,0.6,0.4,3,1,2,0,8000,0.2,5000\n"))
	f.Add([]byte(header + "\nc1,a,seeder,-5,2,0.4,3,1,2,0,8000,0.2,5000\n"))
	f.Add([]byte("id,name\n\"unterminated\n"))
	f.Add([]byte("\xef\xbb\xbf" + header + "\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		creators, errs := parseRoster("creators.csv", data)
		for _, e := range errs {
			if e.File != "creators.csv" || e.Line < 1 {
				t.Fatalf("error without position: %+v", e)
			}
			if e.Error() == "" {
				t.Fatal("empty error text")
			}
		}
		if len(errs) > 0 {
			return
		}
		for _, c := range creators {
			for _, v := range []float64{c.Followers, c.Quality, c.LiveSkill, c.Fee, c.Commission, c.ReservationIncome,
				c.Capacity.ShortVideo, c.Capacity.Live, c.Capacity.Post, c.Capacity.Storefront} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("accepted creator %q with value %v", c.ID, v)
				}
			}
			if c.Quality > 1 || c.LiveSkill > 1 || c.Commission > 1 {
				t.Fatalf("accepted creator %q with a share above 1: %+v", c.ID, c)
			}
		}
	})
}

// FuzzSet applies arbitrary --set overrides to a small scenario (loading
// the library's default costs too much per execution to fuzz): the loader
// must never panic, and an override it accepts must leave a scenario that
// validates and marshals.
func FuzzSet(f *testing.F) {
	f.Add("horizon_days=30")
	f.Add("population.users=-1")
	f.Add("merchants.spring_jacket.budget.paid_traffic=abc")
	f.Add("campaigns.super_value.eligible.merchants=[nobody]")
	f.Add("campaigns.super_value.window.1=1e400")
	f.Add("creator_types.live_seller.affinity.gen_z=0.5")
	f.Add("variants.0.name=x")
	f.Add("=")
	f.Add("merchants.0.budget.paid_traffic=1")
	f.Add("horizon_days=1\n---\n2")
	f.Fuzz(func(t *testing.T, set string) {
		if len(set) > maxFuzzInput {
			return
		}
		sc, err := LoadBytes("base.yaml", []byte(base), set)
		if err != nil {
			if _, ok := err.(Errors); !ok {
				t.Fatalf("error of type %T, want Errors: %v", err, err)
			}
			return
		}
		if err := Validate(sc); err != nil {
			t.Fatalf("accepted --set %q but the result does not validate: %v", set, err)
		}
		if _, err := Marshal(sc); err != nil {
			t.Fatalf("accepted --set %q but the result does not marshal: %v", set, err)
		}
	})
}
