package experiments

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is a deterministic part of a store's runs: shard Index of Count
// runs the runs whose id ≡ Index (mod Count), so every shard gets an equal
// share of every batch (points and replications interleaved). Indices
// count from 0, as SLURM_ARRAY_TASK_ID (with --array=0-(n-1)) and
// JOB_COMPLETION_INDEX do. The zero value is the whole store.
type Shard struct {
	Index, Count int
}

// Whole reports whether the shard is the whole store.
func (s Shard) Whole() bool { return s.Count <= 1 }

// Contains reports whether run id belongs to the shard.
func (s Shard) Contains(id uint64) bool {
	return s.Whole() || id%uint64(s.Count) == uint64(s.Index)
}

// String formats the shard as "i/n" ("0/1" for the whole store).
func (s Shard) String() string {
	if s.Whole() {
		return "0/1"
	}
	return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count)
}

func (s Shard) check() error {
	if s.Count < 0 || (s.Count > 0 && (s.Index < 0 || s.Index >= s.Count)) {
		return fmt.Errorf("shard %d/%d: the index must be in 0 … %d", s.Index, s.Count, s.Count-1)
	}
	return nil
}

// ParseShard reads "i/n" with 0 ≤ i < n (an empty string is the whole
// store). The error says what is wrong and what is allowed.
func ParseShard(spec string) (Shard, error) {
	if spec == "" {
		return Shard{}, nil
	}
	a, b, ok := strings.Cut(spec, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: expected INDEX/COUNT, e.g. 0/4 (indices 0 … COUNT-1)", spec)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	switch {
	case err1 != nil:
		return Shard{}, fmt.Errorf("shard %q: index %q is not a whole number (expected INDEX/COUNT, e.g. 0/4)", spec, a)
	case err2 != nil:
		return Shard{}, fmt.Errorf("shard %q: count %q is not a whole number (expected INDEX/COUNT, e.g. 0/4)", spec, b)
	case n < 1:
		return Shard{}, fmt.Errorf("shard %q: count %d must be at least 1", spec, n)
	case i < 0 || i >= n:
		return Shard{}, fmt.Errorf("shard %q: index %d out of range (allowed 0 … %d for %d shards)", spec, i, n-1, n)
	}
	return Shard{Index: i, Count: n}, nil
}
