// Package deploy tests the distributed recipes of deploy/slurm and
// deploy/kubernetes: a Slurm job array on a real single-node cluster and
// the Kubernetes Indexed Job's shard command, each merged and compared
// byte for byte with a sweep on one machine.
package deploy

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"
)

const scenario = "../experiments/testdata/tiny-sweep.yaml"

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// buildStartrend builds the command once per test binary and returns the
// path of a copy named startrend in dir.
func buildStartrend(t *testing.T, dir string) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "startrend-deploy-test-")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "startrend"), "../cmd/startrend").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	b, err := os.ReadFile(filepath.Join(binDir, "startrend"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "startrend")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	if err := stopCluster(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = max(code, 1)
	}
	os.Exit(code)
}

func runCmd(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// singleMachine sweeps the scenario in one process into dir.
func singleMachine(t *testing.T, bin, dir string) {
	runCmd(t, nil, bin, "sweep", scenario, "-o", dir, "--quiet", "--workers", "2")
}

func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != "run.json" {
			out[rel], err = os.ReadFile(p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, want, got string) {
	t.Helper()
	a, b := tree(t, want), tree(t, got)
	var names []string
	for k := range a {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(a) != len(b) || len(a) < 10 {
		t.Errorf("%s has %d files, %s has %d", want, len(a), got, len(b))
	}
	for _, k := range names {
		if !bytes.Equal(a[k], b[k]) {
			t.Errorf("%s differs between one machine and the merged shards", k)
		}
	}
}

// needSlurm skips the test when Slurm is missing (fails under CI=true).
func needSlurm(t *testing.T) {
	t.Helper()
	missing := []string{}
	for _, c := range []string{"sbatch", "sinfo", "slurmctld", "slurmd", "munged"} {
		if _, err := exec.LookPath(c); err != nil {
			if _, err2 := os.Stat("/usr/sbin/" + c); err2 != nil {
				missing = append(missing, c)
			}
		}
	}
	if len(missing) == 0 && os.Geteuid() != 0 && os.Getenv("SLURM_CONF") == "" {
		missing = append(missing, "root (to start slurmd)")
	}
	if len(missing) > 0 {
		msg := "Slurm is not available (missing " + strings.Join(missing, ", ") + "); .ci/run installs slurmctld slurmd slurm-client munge"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

var (
	clusterOnce sync.Once
	clusterDir  string
	clusterConf string
	clusterErr  error
)

// slurmCluster returns the slurm.conf of a running cluster: SLURM_CONF's,
// or a single-node cluster started once for the test binary by
// deploy/slurm/local-cluster.sh (stopped by TestMain).
func slurmCluster(t *testing.T) string {
	t.Helper()
	needSlurm(t)
	if c := os.Getenv("SLURM_CONF"); c != "" {
		return c
	}
	clusterOnce.Do(func() {
		t0 := time.Now()
		clusterDir, clusterErr = os.MkdirTemp("", "startrend-slurm-")
		if clusterErr != nil {
			return
		}
		out, err := exec.Command("./slurm/local-cluster.sh", "start", clusterDir).CombinedOutput()
		if err != nil {
			clusterErr = fmt.Errorf("local-cluster.sh start: %v\n%s", err, out)
			return
		}
		clusterConf = filepath.Join(clusterDir, "slurm.conf")
		t.Logf("cluster up in %.1fs", time.Since(t0).Seconds())
	})
	if clusterErr != nil {
		t.Fatal(clusterErr)
	}
	return clusterConf
}

func stopCluster() error {
	if clusterDir == "" {
		return nil
	}
	defer os.RemoveAll(clusterDir)
	if clusterConf == "" {
		return nil
	}
	if out, err := exec.Command("./slurm/local-cluster.sh", "stop", clusterDir).CombinedOutput(); err != nil {
		return fmt.Errorf("stopping the cluster: %v\n%s", err, out)
	}
	return nil
}

// TestSlurmJobArray submits deploy/slurm/sweep-array.sh as a 3-task job
// array to a real single-node Slurm cluster (see slurmCluster), merges the
// shards and checks the files are those of one machine. Without Slurm it
// skips, except under CI=true, where it fails.
func TestSlurmJobArray(t *testing.T) {
	conf := slurmCluster(t)
	tmp := t.TempDir()
	t0 := time.Now()
	bin := buildStartrend(t, tmp)
	want := filepath.Join(tmp, "one")
	singleMachine(t, bin, want)
	t.Logf("built and swept on one machine in %.1fs", time.Since(t0).Seconds())
	env := []string{"SLURM_CONF=" + conf, "STARTREND=" + bin}
	script, _ := filepath.Abs("slurm/sweep-array.sh")
	sc, _ := filepath.Abs(scenario)
	out := filepath.Join(tmp, "array")
	start := time.Now()
	runCmd(t, env, "sbatch", "--wait", "--array=0-2", "--chdir="+tmp, "--output="+filepath.Join(tmp, "task-%a.out"), script, sc, out)
	t.Logf("job array of 3 tasks finished in %.1fs", time.Since(start).Seconds())
	for i := 0; i < 3; i++ {
		b, _ := os.ReadFile(filepath.Join(tmp, "task-"+strconv.Itoa(i)+".out"))
		if !strings.Contains(string(b), filepath.Join(out, "shard-"+strconv.Itoa(i))) {
			t.Errorf("task %d did not write its shard:\n%s", i, b)
		}
	}
	merged := filepath.Join(tmp, "merged")
	runCmd(t, nil, bin, "merge", filepath.Join(out, "shard-0"), filepath.Join(out, "shard-1"), filepath.Join(out, "shard-2"), "-o", merged)
	sameTree(t, want, merged)
}

// TestKubernetesIndexedJob decodes deploy/kubernetes/sweep-job.yaml
// strictly into a batch/v1 Job, checks it is an Indexed Job whose
// completions match its shard count, runs its container command once per
// completion index with JOB_COMPLETION_INDEX set (as the Job controller
// does; no cluster runs here), merges and compares with one machine.
func TestKubernetesIndexedJob(t *testing.T) {
	data, err := os.ReadFile("kubernetes/sweep-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict(data, &job); err != nil {
		t.Fatalf("sweep-job.yaml is not a valid batch/v1 Job: %v", err)
	}
	if job.APIVersion != "batch/v1" || job.Kind != "Job" {
		t.Errorf("apiVersion/kind %s/%s", job.APIVersion, job.Kind)
	}
	if job.Spec.CompletionMode == nil || *job.Spec.CompletionMode != batchv1.IndexedCompletion {
		t.Fatalf("completionMode is %v, want Indexed", job.Spec.CompletionMode)
	}
	if len(job.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(job.Spec.Template.Spec.Containers))
	}
	c := job.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	shards, err := strconv.Atoi(env["SHARDS"])
	if err != nil || job.Spec.Completions == nil || int(*job.Spec.Completions) != shards {
		t.Fatalf("completions %v must equal env SHARDS %q", job.Spec.Completions, env["SHARDS"])
	}
	if job.Spec.Template.Spec.RestartPolicy != "Never" {
		t.Errorf("restartPolicy %q, want Never (retries are per index)", job.Spec.Template.Spec.RestartPolicy)
	}
	argv := append(append([]string(nil), c.Command...), c.Args...)
	if !strings.Contains(strings.Join(argv, " "), "JOB_COMPLETION_INDEX") {
		t.Fatalf("the command does not use JOB_COMPLETION_INDEX: %q", argv)
	}
	tmp := t.TempDir()
	bin := buildStartrend(t, tmp)
	want := filepath.Join(tmp, "one")
	singleMachine(t, bin, want)
	sc, _ := filepath.Abs(scenario)
	out := filepath.Join(tmp, "sweep")
	// One process per completion index, run in parallel as pods would be.
	procs := make([]*exec.Cmd, shards)
	outs := make([]*bytes.Buffer, shards)
	for i := range procs {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "PATH="+tmp+":"+os.Getenv("PATH"), "JOB_COMPLETION_INDEX="+strconv.Itoa(i),
			"SHARDS="+env["SHARDS"], "SCENARIO="+sc, "OUT="+out)
		outs[i] = new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs[i] = cmd
	}
	var dirs []string
	for i, p := range procs {
		if err := p.Wait(); err != nil {
			t.Fatalf("index %d: %v\n%s", i, err, outs[i])
		}
		dirs = append(dirs, filepath.Join(out, "shard-"+strconv.Itoa(i)))
	}
	merged := filepath.Join(tmp, "merged")
	runCmd(t, nil, bin, append(append([]string{"merge"}, dirs...), "-o", merged)...)
	sameTree(t, want, merged)
}
