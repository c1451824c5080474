package optimize

import (
	"context"
	"math/rand/v2"
	"testing"
)

func TestRacePicksTheBestMean(t *testing.T) {
	means := []float64{10, 10.5, 12, 11.8, 9, 12.3}
	eval := func(_ context.Context, i, rep int) (float64, error) {
		crn := rand.New(rand.NewPCG(99, uint64(rep))).NormFloat64() // common to all candidates
		own := rand.New(rand.NewPCG(uint64(i), uint64(rep))).NormFloat64()
		return means[i] + 2*crn + 0.5*own, nil
	}
	for _, w := range []int{1, 4} {
		res, err := Race(context.Background(), len(means), eval, RaceOptions{MaxEvals: 2000, Maximize: true, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if res.Winner != 5 || !res.Decided {
			t.Fatalf("workers %d: winner %d decided %v: %+v", w, res.Winner, res.Decided, res.Entries)
		}
		if e := res.Entries[5]; !(e.CILo < 12.3+2 && e.CIHi > 12.3-2) {
			t.Errorf("winner CI [%g, %g]", e.CILo, e.CIHi)
		}
		if at := res.Entries[4].EliminatedAt; at < 5 || at > 7 {
			t.Errorf("the clearly worst candidate should go within the first three looks (5–7 replications), went at %d", at)
		}
		if sel := res.Selection; sel.PCS != 0.95 || !(sel.Level > 0.999) || sel.Looks < 2 {
			t.Errorf("selection info %+v: want PCS 0.95 and a level corrected over looks", sel)
		}
		t.Logf("workers %d: %d evaluations", w, res.Evals)
	}
	if _, err := Race(context.Background(), 0, eval, RaceOptions{MaxEvals: 10}); err == nil {
		t.Error("Race with no candidates: no error")
	}
}
