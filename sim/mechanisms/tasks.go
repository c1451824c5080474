package mechanisms

import (
	"fmt"
	"math/rand/v2"
)

// MaxFormats is the number of content formats a candidate has capacity for
// (short video, live, post, storefront in the scenario language's order).
const MaxFormats = 4

// Task is one Magpie Bridge task a merchant posts.
type Task struct {
	// Merchant posting the task (index into the feeBudget slice of Match).
	Merchant int32
	// Type and Tier the creator must have; −1 accepts any.
	Type, Tier int8
	// Format of the content, in [0, MaxFormats).
	Format int8
	// Posts is the capacity the task uses in Format (0 counts as 1).
	Posts int32
	// Budget per task: the creator's fee plus the boost.
	Budget float64
	// EcommerceShare of Budget is paid traffic boosting the task's content
	// (Boost); the rest is the creator's fee (Fee).
	EcommerceShare float64
	// ExpectedCommission is the commission an average creator expects from
	// the task's orders; a candidate expects ExpectedCommission ×
	// CommissionFactor.
	ExpectedCommission float64
}

// Fee is the creator's fee: Budget × (1 − EcommerceShare).
func (t *Task) Fee() float64 { return t.Budget * (1 - t.EcommerceShare) }

// Boost is the paid traffic bought for the task's content: Budget ×
// EcommerceShare.
func (t *Task) Boost() float64 { return t.Budget * t.EcommerceShare }

func (t *Task) posts() int32 { return max(t.Posts, 1) }

// Candidate is a creator who may take tasks.
type Candidate struct {
	// Creator is the engine's creator index (reported back, not interpreted).
	Creator    int32
	Type, Tier int8
	// Dormant creators take a task only if it strictly beats their
	// reservation income (and are woken by it).
	Dormant bool
	// Capacity remaining per format (posts); Match decrements it.
	Capacity [MaxFormats]int32
	// Reservation is the income per cooperation below which the creator
	// refuses.
	Reservation float64
	// CommissionFactor scales the task's ExpectedCommission for this
	// creator (its reach and conversion relative to an average creator).
	CommissionFactor float64
}

// Outcome is what became of a task.
type Outcome uint8

const (
	// Filled: a creator took the task.
	Filled Outcome = iota
	// UnfilledBudget: the merchant's remaining fee budget did not cover the
	// fee, so the task was not posted.
	UnfilledBudget
	// UnfilledNoTaker: posted, but no eligible creator with capacity
	// accepted it.
	UnfilledNoTaker
)

var outcomeNames = [...]string{"filled", "unfilled_budget", "unfilled_no_taker"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "outcome?"
}

// Assignment is a task taken by a creator.
type Assignment struct {
	// Task and Candidate index the slices given to Match; Creator is the
	// candidate's Creator.
	Task, Candidate, Creator int32
	// Fee paid to the creator (debited from the merchant's fee budget),
	// Boost to spend on paid traffic, and the creator's expected commission.
	Fee, Boost, ExpectedCommission float64
	// WokeDormant: the creator was dormant and this task woke it.
	WokeDormant bool
}

// MatchResult is the outcome of one Match. It is owned by the Board and
// overwritten by its next Match.
type MatchResult struct {
	// Assignments in task order.
	Assignments []Assignment
	// Outcomes[i] is the outcome of tasks[i].
	Outcomes []Outcome
	// Posted = Accepted + UnfilledNoTaker; len(tasks) = Posted + UnfilledBudget.
	Posted, Accepted, UnfilledBudget, UnfilledNoTaker int
}

// Board matches tasks to creators. The zero value is ready; reusing one
// Board makes Match allocation-free once its buffers have grown.
type Board struct {
	order []int32
	res   MatchResult
}

// Match assigns tasks to candidates, deterministically given rng's state.
//
// Tasks are taken in slice (posting) order. A task is posted only if
// feeBudget[task.Merchant] ≥ Fee (else UnfilledBudget). A candidate accepts
// a posted task when
//   - task.Type and task.Tier are −1 or equal the candidate's,
//   - Capacity[task.Format] ≥ Posts, and
//   - Fee + ExpectedCommission × CommissionFactor ≥ Reservation (ties
//     accept; a Dormant candidate needs a strict >, and is then woken:
//     Dormant is cleared and the assignment says WokeDormant).
//
// Candidates are visited in one order shuffled by rng per Match, starting
// just after the candidate that took the previous task and wrapping around,
// so tasks spread over creators; a creator may still take several tasks up
// to its capacity. The first accepting candidate takes the task: Capacity is
// decremented in place and the Fee debited from feeBudget in place (so
// spend never exceeds budget and capacity never goes negative). The boost is
// reported, not debited: it is paid traffic, charged by the caller.
//
// Cost: O(len(cands)) for the shuffle plus, per task, the candidates
// scanned until one accepts (worst case all of them).
//
// Invalid input (a Format outside [0, MaxFormats), a Merchant outside
// feeBudget, more than 2^31−1 candidates) panics: it is a caller bug.
func (b *Board) Match(tasks []Task, cands []Candidate, feeBudget []float64, rng *rand.PCG) *MatchResult {
	if len(cands) > 1<<31-1 {
		panic("mechanisms: Match with too many candidates")
	}
	b.order = b.order[:0]
	for i := range cands {
		c := &cands[i]
		if c.Capacity[0] > 0 || c.Capacity[1] > 0 || c.Capacity[2] > 0 || c.Capacity[3] > 0 {
			b.order = append(b.order, int32(i))
		}
	}
	shuffle32(rng, b.order)

	res := &b.res
	res.Assignments = res.Assignments[:0]
	res.Outcomes = grow(res.Outcomes, len(tasks))
	res.Posted, res.Accepted, res.UnfilledBudget, res.UnfilledNoTaker = 0, 0, 0, 0

	cursor := 0
	n := len(b.order)
	for k := range tasks {
		t := &tasks[k]
		if t.Format < 0 || int(t.Format) >= MaxFormats {
			panic(fmt.Sprintf("mechanisms: task %d has format %d outside [0, %d)", k, t.Format, MaxFormats))
		}
		if t.Merchant < 0 || int(t.Merchant) >= len(feeBudget) {
			panic(fmt.Sprintf("mechanisms: task %d has merchant %d outside the %d fee budgets", k, t.Merchant, len(feeBudget)))
		}
		fee, boost := t.Fee(), t.Boost()
		if !(feeBudget[t.Merchant] >= fee) {
			res.Outcomes[k] = UnfilledBudget
			res.UnfilledBudget++
			continue
		}
		res.Posted++
		posts := t.posts()
		taken := false
		for j := 0; j < n; j++ {
			pos := cursor + j
			if pos >= n {
				pos -= n
			}
			ci := b.order[pos]
			c := &cands[ci]
			if (t.Type >= 0 && t.Type != c.Type) || (t.Tier >= 0 && t.Tier != c.Tier) || c.Capacity[t.Format] < posts {
				continue
			}
			comm := t.ExpectedCommission * c.CommissionFactor
			income := fee + comm
			if income < c.Reservation || (c.Dormant && income == c.Reservation) {
				continue
			}
			c.Capacity[t.Format] -= posts
			feeBudget[t.Merchant] -= fee
			res.Assignments = append(res.Assignments, Assignment{
				Task: int32(k), Candidate: ci, Creator: c.Creator,
				Fee: fee, Boost: boost, ExpectedCommission: comm, WokeDormant: c.Dormant,
			})
			c.Dormant = false
			res.Outcomes[k] = Filled
			res.Accepted++
			cursor = pos + 1
			if cursor == n {
				cursor = 0
			}
			taken = true
			break
		}
		if !taken {
			res.Outcomes[k] = UnfilledNoTaker
			res.UnfilledNoTaker++
		}
	}
	return res
}
