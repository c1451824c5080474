package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestOptimizeShardsSameAnswer (issue 18, many machines): an optimisation
// whose search generations run as 2 shard processes, its coordinator killed
// mid-run and resumed (--resume), writes the optimize.json of one
// uninterrupted process, byte for byte.
func TestOptimizeShardsSameAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("shard processes skipped in -short (like the crash campaign)")
	}
	bin := startrendBinary(t)
	lib, _ := filepath.Abs(filepath.Join("..", "..", "scenarios", "apparel-launch.yaml"))
	parent := t.TempDir()
	args := func(dir string, extra ...string) []string {
		a := append([]string{"optimize", lib, "-o", dir}, tinyOptimize...)
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
	one := filepath.Join(parent, "one")
	runBin(args(one))
	want, err := os.ReadFile(filepath.Join(one, "optimize.json"))
	if err != nil {
		t.Fatal(err)
	}
	// 2 shard processes per generation; the coordinator is killed once the
	// second generation's shards have written, then resumed: both the
	// sharding and the resume must give the one-process bytes
	killed := filepath.Join(parent, "killed")
	cmd := exec.Command(bin, args(killed, "--shards", "2")...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(killed, "shards", "search-000001", "results-*")); len(m) > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(killed, optimizeCheckpointFile)); err != nil {
		t.Fatalf("no checkpoint after the second generation started: %v", err)
	}
	runBin(args(killed, "--shards", "2", "--resume"))
	res, err := os.ReadFile(filepath.Join(killed, "optimize.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res, want) {
		t.Fatal("a sharded optimisation, killed and resumed, ends with another optimize.json than one process")
	}
}
