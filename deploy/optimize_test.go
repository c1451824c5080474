package deploy

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// optimizeArgs is a small optimisation of a library scenario with a few
// search generations (a few seconds on one core).
var optimizeArgs = []string{"--evals", "240", "--quiet", "--set", "optimize.frontier=[]",
	"--set", "population.users=500", "--set", "creators.generate.count=50", "--set", "horizon_days=40",
	"--set", "warmup_days=7", "--set", "replications=2"}

// TestSlurmOptimizeGenerations runs `startrend optimize --shards 2
// --launcher deploy/slurm/optimize-generation.sh` on the real single-node
// Slurm cluster: every search generation is one 2-task job array, and the
// optimize.json and the run store of the search are those of one process,
// byte for byte.
func TestSlurmOptimizeGenerations(t *testing.T) {
	conf := slurmCluster(t)
	tmp := t.TempDir()
	bin := buildStartrend(t, tmp)
	sc, _ := filepath.Abs("../scenarios/apparel-launch.yaml")
	one := filepath.Join(tmp, "one")
	runCmd(t, nil, bin, append([]string{"optimize", sc, "-o", one}, optimizeArgs...)...)
	script, _ := filepath.Abs("slurm/optimize-generation.sh")
	arr := filepath.Join(tmp, "slurm")
	start := time.Now()
	runCmd(t, []string{"SLURM_CONF=" + conf}, bin, append([]string{"optimize", sc, "-o", arr, "--shards", "2", "--launcher", script}, optimizeArgs...)...)
	b, _ := os.ReadFile(filepath.Join(one, "runs", "points.journal"))
	gens := bytes.Count(b, []byte("\nB\t"))
	t.Logf("%d generations as Slurm job arrays in %.1fs", gens, time.Since(start).Seconds())
	if gens < 2 {
		t.Fatalf("%d search generations; the test needs 2 or more", gens)
	}
	for _, f := range []string{"optimize.json", "runs/points.journal", "runs/runs.journal", "runs/rows.csv", "runs/points.csv"} {
		a, err1 := os.ReadFile(filepath.Join(one, f))
		b, err2 := os.ReadFile(filepath.Join(arr, f))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between one process and Slurm job arrays (%v, %v)", f, err1, err2)
		}
	}
	// the arrays ran: sacct is off on the test cluster, so ask the
	// controller's log (local cluster) or trust sbatch's exit status
	if log := filepath.Join(filepath.Dir(conf), "log", "slurmctld.log"); fileExists(log) {
		l, _ := os.ReadFile(log)
		if n := strings.Count(string(l), "_slurm_rpc_submit_batch_job"); n < gens {
			t.Errorf("the controller saw %d submissions for %d generations", n, gens)
		}
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
