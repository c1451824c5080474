package sensitivity

import (
	"context"
	"math"
	"testing"
)

func noisyIshigamiIndices(t *testing.T, n, r int, tau2 float64, seed uint64) *SobolIndices {
	t.Helper()
	st, err := NewSobolStudy(IshigamiFactors(), []string{"y"}, SobolSettings{N: n, Replications: r, Seed: seed, Resamples: 300})
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), st, noisyIshigami(tau2), 1); err != nil {
		t.Fatal(err)
	}
	return st.Result().Indices[0]
}

// The noise bound of each total index's interval: none without noise;
// with noise (Ishigami plus Gaussian noise of 30% of a run's variance,
// means over 3 seeds), the 1/√N prediction at 4N is within 20% of what that
// design gives (measured 3–13%), and the noise-free floor w·√(1 − noise)
// is no wider than the interval 4× the replications give (+10%): the
// noise share is not underestimated.
func TestSTNoiseBoundAndWidthPlan(t *testing.T) {
	clean := noisyIshigamiIndices(t, 512, 2, 0, 1)
	for j, ns := range clean.STNoise {
		if ns.Linear+ns.Square > 1e-9 {
			t.Errorf("no noise: ST[%d] noise share %g", j, ns.Linear+ns.Square)
		}
	}
	const tau2 = 6
	var predN, floor, gotN, gotR [3]float64
	for seed := uint64(1); seed <= 3; seed++ {
		base := noisyIshigamiIndices(t, 256, 2, tau2, seed)
		bigN := noisyIshigamiIndices(t, 1024, 2, tau2, seed+10)
		bigR := noisyIshigamiIndices(t, 256, 8, tau2, seed+20)
		for j := range 3 {
			w, ns := base.ST[j].HalfWidth(), base.STNoise[j]
			predN[j] += w / 2 / 3
			floor[j] += w * math.Sqrt(1-ns.Linear-ns.Square) / 3
			gotN[j] += bigN.ST[j].HalfWidth() / 3
			gotR[j] += bigR.ST[j].HalfWidth() / 3
		}
	}
	for j := range 3 {
		t.Logf("x%d: at 4N predicted ±%.4f, got ±%.4f; noise-free floor ±%.4f, at 4R got ±%.4f", j+1, predN[j], gotN[j], floor[j], gotR[j])
		if math.Abs(predN[j]/gotN[j]-1) > 0.2 {
			t.Errorf("x%d: the 1/√N prediction is off by more than 20%%", j+1)
		}
		if floor[j] > 1.1*gotR[j] {
			t.Errorf("x%d: the noise-free floor is wider than the interval 4× the replications give: noise underestimated", j+1)
		}
	}
	if q := PlanWidth(0.1, 128, 0.5, 0.05); q.N != 1024 || q.FloorN != 512 {
		t.Errorf("plan for ±0.1 at N = 128 to ±0.05 (noise ≤ 50%%): N %d, floor %d; want 1024, 512", q.N, q.FloorN)
	}
}
