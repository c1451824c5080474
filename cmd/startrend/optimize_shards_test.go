package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// shardOptimize is tinyOptimize with a budget for a few search generations
// (at --evals 40 the search has none: everything goes to the race).
func shardOptimize() []string {
	a := append([]string(nil), tinyOptimize...)
	for i := range a {
		if a[i] == "--evals" {
			a[i+1] = "240"
		}
	}
	return a
}

// batchesIn counts the batch records of a run store's points journal.
func batchesIn(store string) int {
	b, _ := os.ReadFile(filepath.Join(store, "points.journal"))
	return bytes.Count(b, []byte("\nB\t")) + map[bool]int{true: 1}[bytes.HasPrefix(b, []byte("B\t"))]
}

// TestOptimizeShardsSameAnswer (issue 18, many machines): the search
// generations go through the run store (DIR/runs); an optimisation run by
// 2 shard tasks per generation, its coordinator killed during the second
// generation and resumed, and one run in one process killed after a
// checkpoint and resumed, both end with the optimize.json and the run store
// files of one uninterrupted process, byte for byte — as does one process
// killed in its third generation and resumed with 3 shard tasks.
func TestOptimizeShardsSameAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("shard processes skipped in -short (like the crash campaign)")
	}
	bin := startrendBinary(t)
	lib, _ := filepath.Abs(filepath.Join("..", "..", "scenarios", "apparel-launch.yaml"))
	parent := t.TempDir()
	args := func(dir string, extra ...string) []string {
		a := append([]string{"optimize", lib, "-o", dir}, shardOptimize()...)
		return append(a, extra...)
	}
	runBin := func(a []string) {
		t.Helper()
		var se bytes.Buffer
		cmd := exec.Command(bin, a...)
		cmd.Stderr = &se
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v\n%s", a, err, se.String())
		}
	}
	// killAfter starts the command and kills it (the coordinator only:
	// its shard tasks may run on) once ready() holds.
	killAfter := func(a []string, ready func() bool) {
		t.Helper()
		cmd := exec.Command(bin, a...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(2 * time.Millisecond) {
			select {
			case err := <-done:
				t.Fatalf("%v ended (%v) before it could be killed", a, err)
			default:
			}
			if ready() || time.Now().After(deadline) {
				break
			}
		}
		cmd.Process.Kill()
		<-done
	}
	one := filepath.Join(parent, "one")
	runBin(args(one))
	want := optimizeFiles(t, one)
	if n := batchesIn(filepath.Join(one, "runs")); n < 3 {
		t.Fatalf("the reference optimisation has %d search generations; the test needs 3 or more", n)
	}
	same := func(what, dir string) {
		t.Helper()
		got := optimizeFiles(t, dir)
		for name, b := range want {
			if !bytes.Equal(b, got[name]) {
				t.Errorf("%s: %s differs from one uninterrupted process", what, name)
			}
		}
	}
	// 2 shard tasks per generation, the coordinator killed once the second
	// generation is recorded in the shard stores
	killed := filepath.Join(parent, "killed")
	shard0 := filepath.Join(killed, "shards", "shard-0-of-2")
	killAfter(args(killed, "--shards", "2"), func() bool { return batchesIn(shard0) >= 2 })
	if _, err := os.Stat(filepath.Join(killed, optimizeCheckpointFile)); err != nil {
		t.Fatalf("no checkpoint after the first generation: %v", err)
	}
	runBin(args(killed, "--shards", "2", "--resume"))
	same("2 shard tasks per generation, killed and resumed", killed)
	// one process, killed after its first checkpoint, resumed
	single := filepath.Join(parent, "single")
	killAfter(args(single), func() bool {
		_, err := os.Stat(filepath.Join(single, optimizeCheckpointFile))
		return err == nil
	})
	runBin(args(single, "--resume"))
	same("one process, killed and resumed", single)
	// one process killed, resumed with 3 shard tasks: the earlier batches
	// go into the new shard stores, only the current one runs there
	mixed := filepath.Join(parent, "mixed")
	killAfter(args(mixed), func() bool { return batchesIn(filepath.Join(mixed, "runs")) >= 3 })
	runBin(args(mixed, "--resume", "--shards", "3"))
	same("one process killed, resumed with 3 shards", mixed)
}

// optimizeFiles reads an optimisation's optimize.json and run store files.
func optimizeFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range []string{"optimize.json", "runs/store.json", "runs/points.journal", "runs/runs.journal", "runs/rows.csv", "runs/rows.parquet", "runs/points.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	if !strings.Contains(string(out["runs/store.json"]), `"complete"`) {
		t.Errorf("%s/runs is not finalised", dir)
	}
	return out
}

// TestOptimizeLauncherNeedsShards: --launcher without --shards N ≥ 2 is
// refused before any run, naming both flags.
func TestOptimizeLauncherNeedsShards(t *testing.T) {
	lib := filepath.Join("..", "..", "scenarios", "apparel-launch.yaml")
	code, _, stderr := run(t, append([]string{"optimize", lib, "-o", filepath.Join(t.TempDir(), "o"), "--launcher", "deploy/slurm/optimize-generation.sh"}, tinyOptimize...)...)
	if code != exitUsage || !strings.Contains(stderr, "--shards 0") || !strings.Contains(stderr, "--launcher needs N ≥ 2") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// TestRemoveStoresKeepsForeignFiles: starting again over an unfinished
// optimisation removes its run stores, lock files and Slurm task logs, and
// nothing else: a directory holding a file startrend did not write is kept
// whole, and named.
func TestRemoveStoresKeepsForeignFiles(t *testing.T) {
	dir := t.TempDir()
	shards := filepath.Join(dir, "shards")
	for _, f := range []string{"shard-0-of-2/store.json", "shard-1-of-2/store.json", "shard-0-of-2.lock", "slurm-12_0.out"} {
		os.MkdirAll(filepath.Dir(filepath.Join(shards, f)), 0o755)
		os.WriteFile(filepath.Join(shards, f), []byte("{}"), 0o644)
	}
	if err := removeStores(shards); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(shards); !os.IsNotExist(err) {
		t.Fatalf("%s not removed: %v", shards, err)
	}
	mine := filepath.Join(dir, "runs")
	os.MkdirAll(filepath.Join(mine, "shard-0-of-2"), 0o755)
	os.WriteFile(filepath.Join(mine, "shard-0-of-2", "store.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(mine, "notes.txt"), []byte("precious"), 0o644)
	err := removeStores(mine)
	if err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("a directory with a foreign file: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(mine, "notes.txt")); string(b) != "precious" {
		t.Error("the foreign file was removed")
	}
	if err := removeStores(filepath.Join(dir, "absent")); err != nil {
		t.Errorf("absent directory: %v", err)
	}
}
