package mechanisms

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func oneCandidate(reservation float64, dormant bool) []Candidate {
	return []Candidate{{Creator: 7, Type: 2, Tier: 1, Dormant: dormant,
		Capacity: [MaxFormats]int32{1, 0, 0, 0}, Reservation: reservation, CommissionFactor: 1}}
}

// TestTaskAcceptance: a creator accepts a task just above its reservation
// income and refuses just below; ties accept, except for a dormant creator,
// who needs the task to strictly beat its reservation income.
func TestTaskAcceptance(t *testing.T) {
	// fee = 1000 × (1 − 0.2) = 800, commission 50 × 1 = 50: income 850.
	task := Task{Merchant: 0, Type: -1, Tier: -1, Format: 0, Budget: 1000, EcommerceShare: 0.2, ExpectedCommission: 50}
	const income = 850.0
	cases := []struct {
		name        string
		reservation float64
		dormant     bool
		want        Outcome
	}{
		{"just below reservation → refuse", math.Nextafter(income, math.Inf(1)), false, UnfilledNoTaker},
		{"just above reservation → accept", math.Nextafter(income, 0), false, Filled},
		{"tie → accept", income, false, Filled},
		{"1 cent short → refuse", income + 0.01, false, UnfilledNoTaker},
		{"dormant tie → refuse", income, true, UnfilledNoTaker},
		{"dormant strictly above → accept and wake", math.Nextafter(income, 0), true, Filled},
	}
	var b Board
	for _, c := range cases {
		cands := oneCandidate(c.reservation, c.dormant)
		budget := []float64{1e6}
		res := b.Match([]Task{task}, cands, budget, rand.NewPCG(1, 1))
		if res.Outcomes[0] != c.want {
			t.Errorf("%s: outcome %v, want %v", c.name, res.Outcomes[0], c.want)
			continue
		}
		if c.want == Filled {
			a := res.Assignments[0]
			if a.Creator != 7 || a.Fee != 800 || math.Abs(a.Boost-200) > 1e-12 || a.ExpectedCommission != 50 || a.WokeDormant != c.dormant {
				t.Errorf("%s: assignment %+v", c.name, a)
			}
			if cands[0].Dormant || cands[0].Capacity[0] != 0 || budget[0] != 1e6-800 {
				t.Errorf("%s: state after taking: %+v, budget %v", c.name, cands[0], budget[0])
			}
		} else if cands[0].Capacity[0] != 1 || budget[0] != 1e6 {
			t.Errorf("%s: refused task changed state", c.name)
		}
	}
}

// TestTaskShortBudget: a short budget leaves tasks unfilled (by budget, not
// posted), and spend never exceeds the budget.
func TestTaskShortBudget(t *testing.T) {
	tasks := make([]Task, 5)
	for i := range tasks {
		tasks[i] = Task{Merchant: 0, Type: -1, Tier: -1, Format: 1, Budget: 100, EcommerceShare: 0.5}
	}
	tasks = append(tasks, Task{Merchant: 1, Type: -1, Tier: -1, Format: 1, Budget: 100}) // another merchant
	cands := make([]Candidate, 10)
	for i := range cands {
		cands[i] = Candidate{Creator: int32(i), Capacity: [MaxFormats]int32{0, 3, 0, 0}, Reservation: 10}
	}
	budget := []float64{120, 1000} // merchant 0 covers two fees of 50
	var b Board
	res := b.Match(tasks, cands, budget, rand.NewPCG(2, 2))
	want := []Outcome{Filled, Filled, UnfilledBudget, UnfilledBudget, UnfilledBudget, Filled}
	if !slices.Equal(res.Outcomes, want) {
		t.Fatalf("outcomes %v, want %v", res.Outcomes, want)
	}
	if res.Posted != 3 || res.Accepted != 3 || res.UnfilledBudget != 3 || res.UnfilledNoTaker != 0 {
		t.Fatalf("counts %+v", res)
	}
	if budget[0] != 20 || budget[1] != 900 {
		t.Fatalf("budgets left %v, want [20 900]", budget)
	}
}

// TestTaskRequirementsAndCapacity: on a large random board, no creator
// exceeds its capacity in any format, every assignment meets the task's
// requirements and the acceptance rule, spend stays within budget, the
// counts add up, and a task is left without a taker only if no eligible
// candidate could have taken it at that point (checked at the end: no
// remaining candidate accepts any no-taker task).
func TestTaskRequirementsAndCapacity(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	const ncand, ntask, merchants = 400, 1500, 8
	cands := make([]Candidate, ncand)
	for i := range cands {
		cands[i] = Candidate{Creator: int32(1000 + i), Type: int8(r.IntN(6)), Tier: int8(r.IntN(4)),
			Dormant: r.IntN(5) == 0, Reservation: 200 + 800*r.Float64(), CommissionFactor: 2 * r.Float64()}
		for f := range MaxFormats {
			cands[i].Capacity[f] = int32(r.IntN(4))
		}
	}
	initial := slices.Clone(cands)
	tasks := make([]Task, ntask)
	for i := range tasks {
		tasks[i] = Task{Merchant: int32(r.IntN(merchants)), Type: int8(r.IntN(7) - 1), Tier: int8(r.IntN(5) - 1),
			Format: int8(r.IntN(MaxFormats)), Posts: int32(r.IntN(3)), Budget: 300 + 1000*r.Float64(),
			EcommerceShare: 0.3 * r.Float64(), ExpectedCommission: 300 * r.Float64()}
	}
	budget := make([]float64, merchants)
	for m := range budget {
		budget[m] = 30000 + 30000*r.Float64()
	}
	budget0 := slices.Clone(budget)
	var b Board
	res := b.Match(tasks, cands, budget, rand.NewPCG(4, 4))

	used := make([][MaxFormats]int32, ncand)
	spent := make([]float64, merchants)
	for _, a := range res.Assignments {
		tk, c := tasks[a.Task], initial[a.Candidate]
		if (tk.Type >= 0 && tk.Type != c.Type) || (tk.Tier >= 0 && tk.Tier != c.Tier) {
			t.Fatalf("assignment %+v violates type/tier", a)
		}
		if inc := tk.Fee() + tk.ExpectedCommission*c.CommissionFactor; inc < c.Reservation {
			t.Fatalf("assignment %+v below reservation", a)
		}
		if a.Creator != c.Creator || a.Fee != tk.Fee() {
			t.Fatalf("assignment %+v mislabelled", a)
		}
		used[a.Candidate][tk.Format] += tk.posts()
		spent[tk.Merchant] += a.Fee
	}
	for i := range cands {
		for f := range MaxFormats {
			if used[i][f] > initial[i].Capacity[f] || cands[i].Capacity[f] != initial[i].Capacity[f]-used[i][f] {
				t.Fatalf("candidate %d format %d: capacity %d, used %d, left %d", i, f, initial[i].Capacity[f], used[i][f], cands[i].Capacity[f])
			}
		}
	}
	for m := range budget {
		if spent[m] > budget0[m]+1e-9 || budget[m] < 0 || math.Abs(budget0[m]-spent[m]-budget[m]) > 1e-6 {
			t.Fatalf("merchant %d: budget %v, spent %v, left %v", m, budget0[m], spent[m], budget[m])
		}
	}
	if res.Posted+res.UnfilledBudget != ntask || res.Accepted+res.UnfilledNoTaker != res.Posted || res.Accepted != len(res.Assignments) {
		t.Fatalf("counts don't add up: %+v", res)
	}
	if res.Accepted == 0 || res.UnfilledNoTaker == 0 || res.UnfilledBudget == 0 {
		t.Fatalf("test board not exercising all outcomes: %d/%d/%d", res.Accepted, res.UnfilledNoTaker, res.UnfilledBudget)
	}
	for k, o := range res.Outcomes {
		if o != UnfilledNoTaker {
			continue
		}
		tk := tasks[k]
		for i, c := range cands {
			if (tk.Type < 0 || tk.Type == c.Type) && (tk.Tier < 0 || tk.Tier == c.Tier) && c.Capacity[tk.Format] >= tk.posts() {
				inc := tk.Fee() + tk.ExpectedCommission*c.CommissionFactor
				if inc > c.Reservation || (!c.Dormant && inc == c.Reservation) {
					t.Fatalf("task %d left without taker, but candidate %d would still take it", k, i)
				}
			}
		}
	}
}

// TestTaskDeterminismAndSpread: the same seed gives the same assignments;
// another seed gives other ones; with equal candidates and fewer tasks than
// candidates, nobody takes two tasks (tasks spread over creators).
func TestTaskDeterminismAndSpread(t *testing.T) {
	mk := func() []Candidate {
		c := make([]Candidate, 50)
		for i := range c {
			c[i] = Candidate{Creator: int32(i), Capacity: [MaxFormats]int32{5, 5, 5, 5}}
		}
		return c
	}
	tasks := make([]Task, 40)
	for i := range tasks {
		tasks[i] = Task{Type: -1, Tier: -1, Format: int8(i % MaxFormats), Budget: 10}
	}
	run := func(seed uint64) []int32 {
		var b Board
		res := b.Match(tasks, mk(), []float64{1e9}, rand.NewPCG(seed, 0))
		var who []int32
		for _, a := range res.Assignments {
			who = append(who, a.Creator)
		}
		return who
	}
	a, b, c := run(1), run(1), run(2)
	if !slices.Equal(a, b) {
		t.Fatal("same seed, different assignments")
	}
	if slices.Equal(a, c) {
		t.Fatal("different seeds, same assignments")
	}
	seen := map[int32]bool{}
	for _, w := range a {
		if seen[w] {
			t.Fatalf("creator %d took two tasks while others had none", w)
		}
		seen[w] = true
	}
	// A creator may take several tasks up to capacity when it is the only one.
	var bd Board
	one := []Candidate{{Creator: 3, Capacity: [MaxFormats]int32{2, 0, 0, 0}}}
	res := bd.Match([]Task{{Type: -1, Tier: -1}, {Type: -1, Tier: -1}, {Type: -1, Tier: -1}}, one, []float64{1e9}, rand.NewPCG(1, 1))
	if res.Accepted != 2 || res.Outcomes[2] != UnfilledNoTaker || one[0].Capacity[0] != 0 {
		t.Fatalf("single creator: %+v, capacity left %d", res.Outcomes, one[0].Capacity[0])
	}
}

func TestTaskMatchNoAllocOnReuse(t *testing.T) {
	cands := make([]Candidate, 100)
	tasks := make([]Task, 50)
	for i := range tasks {
		tasks[i] = Task{Type: -1, Tier: -1, Budget: 1}
	}
	var b Board
	rng := rand.NewPCG(1, 1)
	reset := func() {
		for i := range cands {
			cands[i] = Candidate{Creator: int32(i), Capacity: [MaxFormats]int32{1, 1, 1, 1}}
		}
	}
	reset()
	b.Match(tasks, cands, []float64{1e9}, rng)
	budget := []float64{1e9}
	if a := testing.AllocsPerRun(20, func() { reset(); b.Match(tasks, cands, budget, rng) }); a != 0 {
		t.Fatalf("Match allocated %.0f times on reuse", a)
	}
}
