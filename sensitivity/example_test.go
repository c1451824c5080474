package sensitivity_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/startrend/startrend/sensitivity"
)

// First-order and total Sobol indices of the Ishigami function, whose
// analytic values are S1 = (0.314, 0.442, 0) and ST = (0.558, 0.442, 0.244).
func ExampleSobol() {
	r, err := sensitivity.Sobol(sensitivity.Ishigami(7, 0.1), sensitivity.IshigamiFactors(),
		sensitivity.SobolSettings{N: 1 << 12, Seed: 2})
	if err != nil {
		panic(err)
	}
	for j, name := range []string{"x1", "x2", "x3"} {
		fmt.Printf("%s S1 %.2f ST %.2f [%.2f, %.2f] inert=%v\n", name, r.S1[j].Value, r.ST[j].Value, r.ST[j].Lo, r.ST[j].Hi, r.Inert(j))
	}
	// Output:
	// x1 S1 0.31 ST 0.58 [0.53, 0.62] inert=false
	// x2 S1 0.42 ST 0.46 [0.44, 0.48] inert=false
	// x3 S1 -0.02 ST 0.25 [0.24, 0.27] inert=false
}

// A stochastic model in ask/tell form: four replications per design point
// with independent seeds let the study measure the noise and remove it from
// the indices; the stop rule doubles N until every ST interval is within
// ±0.05.
func ExampleSobolStudy() {
	f := sensitivity.Ishigami(7, 0.1)
	model := func(x []float64, seed uint64) ([]float64, error) {
		noise := rand.New(rand.NewPCG(seed, 0)).NormFloat64() * 2 // variance 4
		return []float64{f(x) + noise}, nil
	}
	st, err := sensitivity.NewSobolStudy(sensitivity.IshigamiFactors(), []string{"y"},
		sensitivity.SobolSettings{N: 512, UntilCI: 0.05, Replications: 4, Resamples: 200, Seed: 1})
	if err != nil {
		panic(err)
	}
	for {
		tasks, err := st.Ask()
		if err != nil {
			panic(err)
		}
		if tasks == nil {
			break
		}
		for _, t := range tasks { // a run store or a worker pool would go here
			y, _ := model(t.X, t.Seed)
			st.Tell(t.Run, t.Rep, y)
		}
	}
	r := st.Result()
	ix := r.Indices[0]
	fmt.Printf("stopped at N = %d after %d passes, converged %v\n", r.N, len(st.Passes()), st.Converged())
	fmt.Printf("noise variance %.1f, noise share %.2f\n", ix.NoiseVariance, ix.NoiseShare)
	fmt.Printf("ST %.2f %.2f %.2f\n", ix.ST[0].Value, ix.ST[1].Value, ix.ST[2].Value)
	// Output:
	// stopped at N = 4096 after 4 passes, converged true
	// noise variance 4.0, noise share 0.22
	// ST 0.56 0.44 0.24
}

// Morris screening of the g-function: μ* ranks x1 (a = 0) first and the
// four factors with a = 99 last.
func ExampleNewMorrisStudy() {
	a := []float64{0, 1, 4.5, 9, 99, 99, 99, 99}
	st, err := sensitivity.NewMorrisStudy(sensitivity.GFactors(8), []string{"g"},
		sensitivity.MorrisSettings{Trajectories: 20, Candidates: 100, Seed: 4})
	if err != nil {
		panic(err)
	}
	if err := sensitivity.Run(context.Background(), st, sensitivity.Func(sensitivity.GFunction(a)), 2); err != nil {
		panic(err)
	}
	eff, _ := st.Effects()
	for j, ms := range eff[0].MuStar {
		fmt.Printf("x%d μ* %.2f\n", j+1, ms.Value)
	}
	// Output:
	// x1 μ* 3.05
	// x2 μ* 1.76
	// x3 μ* 0.62
	// x4 μ* 0.36
	// x5 μ* 0.04
	// x6 μ* 0.04
	// x7 μ* 0.05
	// x8 μ* 0.04
}
