package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/startrend/startrend/internal/outdir"
)

// TestOptimizeInterruptBeforeFirstCheckpoint (issue 17 item 6): Ctrl-C
// before any checkpoint leaves nothing that blocks a plain rerun, and says
// so instead of pointing to --resume.
func TestOptimizeInterruptBeforeFirstCheckpoint(t *testing.T) {
	lib := filepath.Join("..", "..", "scenarios", "apparel-launch.yaml")
	dir := filepath.Join(t.TempDir(), "o")
	args := append([]string{"optimize", lib, "-o", dir, "--evals", "120", "--quiet", "--set", "optimize.frontier=[]"}, smallApparel...)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// interrupted once the directory is claimed, before the first
		// generation can end
		for ctx.Err() == nil {
			if _, err := os.Stat(filepath.Join(dir, outdir.MarkerFile)); err == nil {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	var so, se bytes.Buffer
	if code := dispatch(ctx, args, &so, &se); code != exitInterrupted {
		t.Fatalf("exit %d, want 130: %s", code, se.String())
	}
	if strings.Contains(se.String(), "--resume") || !strings.Contains(se.String(), "nothing was saved") {
		t.Errorf("message %q should say nothing was saved, not point to --resume", se.String())
	}
	if _, err := os.Stat(filepath.Join(dir, optimizeCheckpointFile)); err == nil {
		t.Error("a checkpoint appeared")
	}
	code, _, stderr := run(t, append(args[:len(args):len(args)], "--resume")...)
	if code != exitUsage || !strings.Contains(stderr, "without --resume") {
		t.Errorf("--resume with nothing to resume: exit %d: %s", code, stderr)
	}
	// A partial optimize.json without a checkpoint (an older build's
	// leftover) does not block a plain rerun either.
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "optimize.json"), []byte(`{"format_version":1,"complete":false}`), 0o644)
	// (a tiny optimisation: what matters is that the directory is accepted)
	if code, _, stderr := run(t, append([]string{"optimize", lib, "-o", dir}, tinyOptimize...)...); code != 0 {
		t.Fatalf("plain rerun: exit %d: %s", code, stderr)
	}
}

// TestOptimizeRefusesTamperedCheckpoint: --resume with a changed
// checkpoint exits 2 with a message naming the file and the problem.
func TestOptimizeRefusesTamperedCheckpoint(t *testing.T) {
	lib := filepath.Join("..", "..", "scenarios", "apparel-launch.yaml")
	dir := filepath.Join(t.TempDir(), "o")
	args := append([]string{"optimize", lib, "-o", dir, "--evals", "200", "--quiet", "--set", "optimize.frontier=[]"}, smallApparel...)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(filepath.Join(dir, optimizeCheckpointFile)); err == nil {
				cancel()
				return
			}
		}
	}()
	var so, se bytes.Buffer
	if code := dispatch(ctx, args, &so, &se); code != exitInterrupted {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	cancel()
	cp := filepath.Join(dir, optimizeCheckpointFile)
	b, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	bad := regexp.MustCompile(`"runs": [0-9]+`).ReplaceAllString(string(b), `"runs": -100000`)
	if bad == string(b) {
		t.Fatal("no runs field to tamper with")
	}
	os.WriteFile(cp, []byte(bad), 0o644)
	code, _, stderr := run(t, append(args, "--resume")...)
	if code != exitUsage || !strings.Contains(stderr, "checkpoint.json refused") || !strings.Contains(stderr, "checksum") {
		t.Errorf("tampered checkpoint: exit %d: %s", code, stderr)
	}
}

// TestOptimizeBudgetRefusals (issue 18): --evals 0 and a budget too small to
// work are refused up front with exit 2, the latter naming the smallest
// budget that works — which is then accepted.
func TestOptimizeBudgetRefusals(t *testing.T) {
	lib := filepath.Join("..", "..", "scenarios", "apparel-launch.yaml")
	base := append([]string{"optimize", lib, "--quiet", "--set", "optimize.frontier=[]"}, smallApparel...)
	code, _, stderr := run(t, append(base, "-o", filepath.Join(t.TempDir(), "a"), "--evals", "0")...)
	if code != exitUsage || !strings.Contains(stderr, "--evals 0") {
		t.Errorf("--evals 0: exit %d: %s", code, stderr)
	}
	code, _, stderr = run(t, append(base, "-o", filepath.Join(t.TempDir(), "b"), "--evals", "20")...)
	if code != exitUsage || !strings.Contains(stderr, "give --evals ≥ ") {
		t.Fatalf("--evals 20: exit %d: %s", code, stderr)
	}
	min := strings.TrimSpace(stderr[strings.Index(stderr, "give --evals ≥ ")+len("give --evals ≥ "):])
	dir := filepath.Join(t.TempDir(), "c")
	code, _, stderr = run(t, append(base, "-o", dir, "--evals", min)...)
	if code != 0 {
		t.Fatalf("--evals %s (the smallest that works): exit %d: %s", min, code, stderr)
	}
	if o := readOutcome(t, dir); o.EvalsUsed > o.Evals {
		t.Errorf("--evals %s used %d runs", min, o.EvalsUsed)
	}
}
