package sensitivity

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// MinTrajectories is the fewest Morris trajectories a study accepts: with
// fewer, σ and the bootstrap interval on μ* are not informative.
const MinTrajectories = 4

// MorrisSettings configure a [MorrisStudy]. The zero value is usable: 20
// trajectories over 4 levels, not optimised, one replication, 1,000
// bootstrap resamples.
type MorrisSettings struct {
	// Trajectories r (0 means 20; at least MinTrajectories). The study
	// costs r·(D+1) runs, times Replications.
	Trajectories int
	// Levels p of the grid each factor moves on (an even number ≥ 2; 0
	// means 4). The step is Δ = p / (2(p−1)) of the factor's range.
	Levels int
	// Candidates, when larger than Trajectories, turns on optimised
	// trajectories (Campolongo, Cariboni and Saltelli 2007): that many random
	// trajectories are drawn and the r most spread out are kept, chosen
	// greedily by the sum of point-to-point distances.
	Candidates   int
	Replications int // per run (0 means 1); replication means are analysed
	Resamples    int // bootstrap resamples for μ*'s interval (0 means 1,000)
	Seed         uint64
}

func (s MorrisSettings) withDefaults() MorrisSettings {
	if s.Trajectories == 0 {
		s.Trajectories = 20
	}
	if s.Levels == 0 {
		s.Levels = 4
	}
	if s.Replications == 0 {
		s.Replications = 1
	}
	if s.Resamples == 0 {
		s.Resamples = 1000
	}
	return s
}

// Validate reports the first invalid setting (after defaults).
func (s MorrisSettings) Validate() error {
	s = s.withDefaults()
	switch {
	case s.Trajectories < MinTrajectories:
		return fmt.Errorf("sensitivity: %d Morris trajectories are too few (at least %d)", s.Trajectories, MinTrajectories)
	case s.Levels < 2 || s.Levels%2 != 0:
		return fmt.Errorf("sensitivity: %d Morris levels; need an even number ≥ 2", s.Levels)
	case s.Candidates != 0 && s.Candidates < s.Trajectories:
		return fmt.Errorf("sensitivity: %d candidate trajectories are fewer than the %d to keep", s.Candidates, s.Trajectories)
	case s.Replications < 1:
		return fmt.Errorf("sensitivity: %d replications; need at least 1", s.Replications)
	case s.Resamples < MinResamples:
		return fmt.Errorf("sensitivity: %d bootstrap resamples; need at least %d", s.Resamples, MinResamples)
	}
	return nil
}

// MorrisEffects are one output's elementary-effect statistics per factor,
// in units of the output per full range of the factor (the effect of moving
// a factor by Δ of its range, divided by Δ).
type MorrisEffects struct {
	Mu     []float64 // mean elementary effect
	MuStar []Index   // mean absolute elementary effect, with bootstrap interval
	Sigma  []float64 // standard deviation of the elementary effects
}

// MorrisStudy screens factors by elementary effects (Morris 1991) in
// ask/tell form.
type MorrisStudy struct {
	factors []Factor
	set     MorrisSettings
	outputs []string
	traj    [][][]float64 // [trajectory][step 0..D][factor] in the unit cube
	moved   [][]int       // [trajectory][step 1..D] factor moved at that step
	resp    *responses
}

// NewMorrisStudy draws the trajectories and returns the study.
func NewMorrisStudy(factors []Factor, outputs []string, s MorrisSettings) (*MorrisStudy, error) {
	if err := validateFactors(factors); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if len(outputs) == 0 {
		return nil, errors.New("sensitivity: no outputs to explain")
	}
	s = s.withDefaults()
	st := &MorrisStudy{factors: slices.Clone(factors), set: s, outputs: outputs}
	rng := rand.New(rand.NewPCG(s.Seed, 0x3044))
	m := max(s.Candidates, s.Trajectories)
	trajs := make([][][]float64, m)
	moves := make([][]int, m)
	for i := range trajs {
		trajs[i], moves[i] = morrisTrajectory(len(factors), s.Levels, rng)
	}
	if m > s.Trajectories {
		keep := spreadOut(trajs, s.Trajectories)
		for i, k := range keep {
			trajs[i], moves[i] = trajs[k], moves[k]
		}
		trajs, moves = trajs[:s.Trajectories], moves[:s.Trajectories]
	}
	st.traj, st.moved = trajs, moves
	st.resp = newResponses(len(outputs), s.Replications)
	st.resp.grow(st.Runs())
	return st, nil
}

// morrisTrajectory draws one trajectory: a random grid point, then each
// factor in random order moved by ±Δ (up from the lower half of the grid,
// down from the upper half, so every level is visited equally often).
func morrisTrajectory(d, p int, rng *rand.Rand) ([][]float64, []int) {
	delta := float64(p) / (2 * float64(p-1))
	x := make([]float64, d)
	for j := range x {
		x[j] = float64(rng.IntN(p)) / float64(p-1)
	}
	pts := [][]float64{slices.Clone(x)}
	order := rng.Perm(d)
	for _, j := range order {
		if x[j]+delta <= 1+1e-12 {
			x[j] += delta
		} else {
			x[j] -= delta
		}
		x[j] = min(max(x[j], 0), 1)
		pts = append(pts, slices.Clone(x))
	}
	return pts, order
}

// spreadOut picks k trajectories greedily maximising the sum of pairwise
// trajectory distances (a trajectory distance is the sum of Euclidean
// distances between their points): first the farthest pair, then each time
// the candidate farthest from those chosen. Deterministic; ties go to the
// lower index.
func spreadOut(trajs [][][]float64, k int) []int {
	m := len(trajs)
	dist := make([][]float64, m)
	for i := range dist {
		dist[i] = make([]float64, m)
	}
	for i := range m {
		for j := i + 1; j < m; j++ {
			var s float64
			for _, p := range trajs[i] {
				for _, q := range trajs[j] {
					var e float64
					for c := range p {
						e += (p[c] - q[c]) * (p[c] - q[c])
					}
					s += math.Sqrt(e)
				}
			}
			dist[i][j], dist[j][i] = s, s
		}
	}
	bi, bj, best := 0, 1, -1.0
	for i := range m {
		for j := i + 1; j < m; j++ {
			if dist[i][j] > best {
				bi, bj, best = i, j, dist[i][j]
			}
		}
	}
	chosen := []int{bi, bj}
	in := make([]bool, m)
	in[bi], in[bj] = true, true
	total := make([]float64, m)
	for c := range m {
		total[c] = dist[c][bi] + dist[c][bj]
	}
	for len(chosen) < k {
		next, best := -1, -1.0
		for c := range m {
			if !in[c] && total[c] > best {
				next, best = c, total[c]
			}
		}
		chosen = append(chosen, next)
		in[next] = true
		for c := range m {
			total[c] += dist[c][next]
		}
	}
	return chosen
}

// Runs is the number of design runs: r·(D+1).
func (st *MorrisStudy) Runs() int { return len(st.traj) * (len(st.factors) + 1) }

// Point writes run i's factor values into dst.
func (st *MorrisStudy) Point(run int, dst []float64) []float64 {
	k := len(st.factors) + 1
	return scalePoint(st.factors, st.traj[run/k][run%k], dst)
}

// Outputs returns the output names.
func (st *MorrisStudy) Outputs() []string { return st.outputs }

// Settings returns the settings with defaults filled in.
func (st *MorrisStudy) Settings() MorrisSettings { return st.set }

// Ask returns the runs not yet told (nil when all are).
func (st *MorrisStudy) Ask() ([]Task, error) {
	m := st.resp.missing(st.Runs())
	if len(m) == 0 {
		return nil, nil
	}
	tasks := make([]Task, len(m))
	for i, rr := range m {
		tasks[i] = Task{Run: rr[0], Rep: rr[1], X: st.Point(rr[0], nil), Seed: RunSeed(st.set.Seed, rr[0], rr[1])}
	}
	return tasks, nil
}

// Tell records replication rep of run run.
func (st *MorrisStudy) Tell(run, rep int, outputs []float64) error {
	return st.resp.tell(run, rep, outputs)
}

// Effects computes every output's elementary-effect statistics; all runs
// must have been told. μ*'s 95% interval is the percentile bootstrap over
// trajectories.
func (st *MorrisStudy) Effects() ([]*MorrisEffects, error) {
	if m := st.resp.missing(st.Runs()); len(m) > 0 {
		return nil, fmt.Errorf("sensitivity: %d of %d Morris evaluations are missing", len(m), st.Runs()*st.set.Replications)
	}
	d := len(st.factors)
	r := len(st.traj)
	out := make([]*MorrisEffects, len(st.outputs))
	for o := range st.outputs {
		// ee[j][t]: factor j's elementary effect in trajectory t
		ee := make([][]float64, d)
		for j := range ee {
			ee[j] = make([]float64, r)
		}
		y := st.resp.y[o]
		for t := range r {
			for s := 1; s <= d; s++ {
				j := st.moved[t][s-1]
				step := st.traj[t][s][j] - st.traj[t][s-1][j]
				y0 := mean(y[t*(d+1)+s-1])
				y1 := mean(y[t*(d+1)+s])
				ee[j][t] = (y1 - y0) / step
			}
		}
		me := &MorrisEffects{Mu: make([]float64, d), MuStar: make([]Index, d), Sigma: make([]float64, d)}
		rng := rand.New(rand.NewPCG(st.set.Seed, 0xb007+uint64(o)))
		boot := make([][]float64, d)
		for j := range boot {
			boot[j] = make([]float64, st.set.Resamples)
		}
		idx := make([]int, r)
		for b := range st.set.Resamples {
			for i := range idx {
				idx[i] = rng.IntN(r)
			}
			for j := range d {
				var s float64
				for _, t := range idx {
					s += math.Abs(ee[j][t])
				}
				boot[j][b] = s / float64(r)
			}
		}
		for j := range d {
			var s, sa float64
			for _, e := range ee[j] {
				s += e
				sa += math.Abs(e)
			}
			mu := s / float64(r)
			var ss float64
			for _, e := range ee[j] {
				ss += (e - mu) * (e - mu)
			}
			me.Mu[j] = mu
			me.Sigma[j] = math.Sqrt(ss / float64(r-1))
			me.MuStar[j] = interval(sa/float64(r), boot[j])
		}
		out[o] = me
	}
	return out, nil
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
