package mechanisms

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAliasFrequencies: choice frequencies match the probabilities that
// produced them. Pearson's chi-square over the outcomes with positive weight,
// N = 1,000,000 draws at fixed seeds, must stay below the 99.9% quantile of
// chi-square with k−1 degrees of freedom (Wilson–Hilferty approximation);
// zero-weight outcomes must never be drawn.
func TestAliasFrequencies(t *testing.T) {
	cases := []struct {
		name string
		w    []float64
	}{
		{"uniform", []float64{1, 1, 1, 1, 1}},
		{"skewed", []float64{100, 1, 0.01, 10, 3}},
		{"with zeros", []float64{0, 2, 0, 5, 1, 0}},
		{"single", []float64{7}},
		{"pareto-ish", paretoWeights(200)},
	}
	const n = 1_000_000
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := NewAlias(c.w)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.NewPCG(uint64(ci)+1, 99)
			counts := make([]int, len(c.w))
			for range n {
				counts[a.Draw(r)]++
			}
			sum := 0.0
			for _, w := range c.w {
				sum += w
			}
			chi2, k := 0.0, 0
			for i, w := range c.w {
				if w == 0 {
					if counts[i] != 0 {
						t.Fatalf("outcome %d has weight 0 but was drawn %d times", i, counts[i])
					}
					continue
				}
				e := n * w / sum
				d := float64(counts[i]) - e
				chi2 += d * d / e
				k++
			}
			if k == 1 {
				return
			}
			crit := chi2Quantile999(k - 1)
			if chi2 > crit {
				t.Fatalf("chi-square %.1f > %.1f (df %d, 99.9%%)", chi2, crit, k-1)
			}
		})
	}
}

// TestAliasDetectsWrongTable makes sure the chi-square test above has power:
// a table built from other weights fails it.
func TestAliasDetectsWrongTable(t *testing.T) {
	w := []float64{1, 2, 3, 4}
	wrong := []float64{1, 2, 3, 4.2}
	a, _ := NewAlias(wrong)
	r := rand.NewPCG(5, 5)
	counts := make([]int, 4)
	const n = 1_000_000
	for range n {
		counts[a.Draw(r)]++
	}
	chi2 := 0.0
	for i := range w {
		e := n * w[i] / 10
		d := float64(counts[i]) - e
		chi2 += d * d / e
	}
	if chi2 < chi2Quantile999(3) {
		t.Fatalf("chi-square %.1f did not detect a 2%% error in one weight", chi2)
	}
}

func TestAliasErrorsAndReuse(t *testing.T) {
	for _, w := range [][]float64{nil, {}, {0, 0}, {1, -1}, {math.NaN()}, {math.Inf(1), 1}} {
		if _, err := NewAlias(w); err == nil {
			t.Errorf("NewAlias(%v): want error", w)
		}
	}
	a, _ := NewAlias([]float64{1, 2, 3, 4, 5, 6, 7, 8})
	w := []float64{3, 1, 4, 1, 5}
	allocs := testing.AllocsPerRun(100, func() {
		if err := a.Reset(w); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Reset within capacity allocated %.0f times", allocs)
	}
	if a.Len() != 5 {
		t.Fatalf("Len = %d, want 5", a.Len())
	}
	r := rand.NewPCG(1, 2)
	if allocs := testing.AllocsPerRun(1000, func() { a.Draw(r) }); allocs != 0 {
		t.Fatalf("Draw allocated")
	}
	// Determinism: same seed, same sequence.
	r1, r2 := rand.NewPCG(3, 4), rand.NewPCG(3, 4)
	for range 1000 {
		if a.Draw(r1) != a.Draw(r2) {
			t.Fatal("draws differ under the same seed")
		}
	}
}

func paretoWeights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), 1.2)
	}
	return w
}

// chi2Quantile999 approximates the 99.9% quantile of chi-square with df
// degrees of freedom (Wilson–Hilferty; within 1% for df ≥ 3, and
// conservative, i.e. slightly high, for df 1–2).
func chi2Quantile999(df int) float64 {
	const z = 3.090232 // standard normal 99.9% quantile
	k := float64(df)
	c := 1 - 2/(9*k) + z*math.Sqrt(2/(9*k))
	return k * c * c * c
}

func BenchmarkAliasDraw(b *testing.B) {
	a, _ := NewAlias(paretoWeights(256))
	r := rand.NewPCG(1, 1)
	s := 0
	for b.Loop() {
		s += a.Draw(r)
	}
	_ = s
}
