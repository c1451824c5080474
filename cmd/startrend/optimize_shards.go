package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sourcegraph/conc/iter"
	"github.com/startrend/startrend/experiments"
	"github.com/startrend/startrend/internal/safeio"
	"github.com/startrend/startrend/strategy"
)

// Many processes: with --shards N, every search generation is written as a
// jobs file under DIR/shards/PHASE-GEN/ and run by N shard processes
// (`startrend optimize SCENARIO --set … --shard-jobs FILE --shard i/N`),
// each simulating the jobs k ≡ i (mod N) and writing results-i-of-N.json
// atomically; the coordinator reads them back in job order and tells the
// method. A shard's results file, once written, is reused: a killed
// coordinator resumes (--resume) without rerunning finished shards. The
// answer is the one process's, byte for byte.

// shardResults is a shard's output: KPIs per job index.
type shardResults struct {
	Jobs    string                       `json:"jobs"` // checksum of the jobs file
	Results map[int]map[string][]float64 `json:"results"`
}

// shardDispatch is the coordinator's Dispatch for n > 1 shards (nil runs
// generations in this process).
func shardDispatch(dir string, n int, scenario string, sets []string, stderr io.Writer) strategy.Dispatch {
	if n <= 1 {
		return nil
	}
	return func(ctx context.Context, jobs []strategy.Job) ([]map[string][]float64, error) {
		if len(jobs) == 0 {
			return nil, nil
		}
		gdir := filepath.Join(dir, "shards", fmt.Sprintf("%s-%06d", jobs[0].Phase, jobs[0].Gen))
		if err := os.MkdirAll(gdir, 0o755); err != nil {
			return nil, err
		}
		data, err := json.Marshal(jobs)
		if err != nil {
			return nil, err
		}
		jobsFile := filepath.Join(gdir, "jobs.json")
		if old, err := os.ReadFile(jobsFile); err != nil || !bytes.Equal(old, data) {
			if err := writeFileAtomic(jobsFile, data); err != nil {
				return nil, err
			}
		}
		sum := checksumOf(data)
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		shardsIdx := make([]int, n)
		for i := range shardsIdx {
			shardsIdx[i] = i
		}
		errs := make([]error, n)
		iter.ForEachIdx(shardsIdx, func(_ int, i *int) {
			res := filepath.Join(gdir, fmt.Sprintf("results-%d-of-%d.json", *i, n))
			if r, err := readShard(res); err == nil && r.Jobs == sum {
				return // finished before an interruption
			}
			args := []string{"optimize", scenario, "--quiet", "--shard-jobs", jobsFile, "--shard", fmt.Sprintf("%d/%d", *i, n)}
			for _, s := range sets {
				args = append(args, "--set", s)
			}
			cmd := exec.CommandContext(ctx, exe, args...)
			var se bytes.Buffer
			cmd.Stderr = &se
			if err := cmd.Run(); err != nil {
				errs[*i] = fmt.Errorf("shard %d/%d of %s: %v: %s", *i, n, gdir, err, strings.TrimSpace(se.String()))
			}
		})
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out := make([]map[string][]float64, len(jobs))
		for i := range n {
			if errs[i] != nil {
				return nil, errs[i]
			}
			r, err := readShard(filepath.Join(gdir, fmt.Sprintf("results-%d-of-%d.json", i, n)))
			if err != nil {
				return nil, err
			}
			if r.Jobs != sum {
				return nil, fmt.Errorf("shard %d/%d of %s ran other jobs", i, n, gdir)
			}
			for k := i; k < len(jobs); k += n {
				v, ok := r.Results[k]
				if !ok {
					return nil, fmt.Errorf("shard %d/%d of %s has no result for job %d", i, n, gdir, k)
				}
				out[k] = v
			}
		}
		return out, nil
	}
}

func readShard(path string) (*shardResults, error) {
	b, err := safeio.ReadRegular(path, safeio.CheckpointLimit, "shard results")
	if err != nil {
		return nil, err
	}
	var r shardResults
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &r, nil
}

func checksumOf(b []byte) string {
	var h uint64 = 14695981039346656037
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return strconv.FormatUint(h, 16)
}

// runOptimizeShard is a shard process: it runs its share of a jobs file and
// writes its results next to it.
func runOptimizeShard(ctx context.Context, p *strategy.Problem, jobsFile, shard string, stderr io.Writer) int {
	sh, err := experiments.ParseShard(shard)
	if err != nil || sh.Count < 1 {
		fmt.Fprintf(stderr, "startrend optimize: --shard %q: %v (want i/n, 0 ≤ i < n)\n", shard, err)
		return exitUsage
	}
	i, n := sh.Index, sh.Count
	data, err := safeio.ReadRegular(jobsFile, safeio.CheckpointLimit, "shard jobs")
	if err != nil {
		fmt.Fprintf(stderr, "startrend optimize: --shard-jobs: %v\n", err)
		return exitUsage
	}
	var jobs []strategy.Job
	if err := json.Unmarshal(data, &jobs); err != nil {
		fmt.Fprintf(stderr, "startrend optimize: --shard-jobs %s: %v\n", jobsFile, err)
		return exitUsage
	}
	res := shardResults{Jobs: checksumOf(data), Results: map[int]map[string][]float64{}}
	var idx []int
	for k := i; k < len(jobs); k += n {
		idx = append(idx, k)
	}
	outs := make([]map[string][]float64, len(idx))
	errs := make([]error, len(idx))
	iter.ForEachIdx(idx, func(j int, k *int) {
		outs[j], errs[j] = strategy.RunJob(ctx, p, jobs[*k])
	})
	for j, k := range idx {
		if errs[j] != nil {
			fmt.Fprintf(stderr, "startrend optimize: shard %d/%d job %d: %v\n", i, n, k, errs[j])
			return exitFailure
		}
		res.Results[k] = outs[j]
	}
	b, err := json.Marshal(&res)
	if err == nil {
		err = writeFileAtomic(filepath.Join(filepath.Dir(jobsFile), fmt.Sprintf("results-%d-of-%d.json", i, n)), b)
	}
	if err != nil {
		fmt.Fprintf(stderr, "startrend optimize: shard %d/%d: %v\n", i, n, err)
		return exitFailure
	}
	return exitOK
}
