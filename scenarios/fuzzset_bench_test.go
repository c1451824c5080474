package scenarios

import "testing"

// fuzzSetInputs are the seed inputs of FuzzSet, accepted and refused ones.
var fuzzSetInputs = []string{
	"horizon_days=30", "population.users=-1", "merchants.spring_jacket.budget.paid_traffic=abc",
	"campaigns.super_value.eligible.merchants=[nobody]", "campaigns.super_value.window.1=1e400",
	"creator_types.live_seller.affinity.gen_z=0.5", "variants.0.name=x", "=",
	"merchants.0.budget.paid_traffic=1", "horizon_days=1\n---\n2",
}

// BenchmarkFuzzSetBody is the cost of one FuzzSet execution (its whole
// body: load with a --set, validate, marshal), averaged over the seed
// inputs: the fuzz rate's ceiling on one core.
func BenchmarkFuzzSetBody(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		set := fuzzSetInputs[i%len(fuzzSetInputs)]
		sc, err := LoadBytes("base.yaml", []byte(base), set)
		if err != nil {
			continue
		}
		if err := Validate(sc); err != nil {
			b.Fatal(err)
		}
		if _, err := Marshal(sc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadSet splits FuzzSet's cost: a load with an accepted --set,
// one with a refused --set, Validate and Marshal of the loaded scenario.
func BenchmarkLoadSet(b *testing.B) {
	b.Run("accepted", func(b *testing.B) {
		for b.Loop() {
			if _, err := LoadBytes("base.yaml", []byte(base), "horizon_days=30"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("refused", func(b *testing.B) {
		for b.Loop() {
			if _, err := LoadBytes("base.yaml", []byte(base), "population.users=-1"); err == nil {
				b.Fatal("accepted")
			}
		}
	})
	sc, err := LoadBytes("base.yaml", []byte(base))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("validate", func(b *testing.B) {
		for b.Loop() {
			if err := Validate(sc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("marshal", func(b *testing.B) {
		for b.Loop() {
			if _, err := Marshal(sc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
