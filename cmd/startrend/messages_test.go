package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Flag errors name the flag, and exit 2 (issue: `run --reps -3` was
// reported as "--set:1:14: replications: out of range").
func TestFlagErrorsNameTheFlag(t *testing.T) {
	code, _, errOut := run(t, "run", "--reps", "-3", "-o", filepath.Join(t.TempDir(), "x"))
	if code != exitUsage || !strings.Contains(errOut, "--reps: -3") || strings.Contains(errOut, "--set:") {
		t.Errorf("--reps -3: exit %d, %q", code, errOut)
	}
}

// A flag and a --set naming the same field is an error, not a silent
// choice by order (issue: `--reps 2 --set replications=20` simulated 20).
func TestFlagAndSetSameFieldRefused(t *testing.T) {
	for _, args := range [][]string{
		{"--reps", "2", "--set", "replications=20"},
		{"--set", "seed=3", "--seed", "4"},
	} {
		code, _, errOut := run(t, append([]string{"run", "-o", filepath.Join(t.TempDir(), "x")}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, "give one of them") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}

// --baseline-only runs the baseline alone, so an outside driver can skip
// the variants.
func TestBaselineOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "b")
	code, _, errOut := run(t, "run", "--baseline-only", "--quiet", "--reps", "2", "--set", "population.users=300",
		"--set", "creators.generate.count=30", "--set", "horizon_days=40", "-o", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Variants []json.RawMessage `json:"variants"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Variants) != 0 {
		t.Errorf("--baseline-only simulated %d variants", len(s.Variants))
	}
}

// --baseline-only on a scenario whose calibrate block names variants
// (targets measured on them) runs the baseline instead of refusing the
// targets' variant names.
func TestBaselineOnlyWithCalibrateBlock(t *testing.T) {
	lib, _ := filepath.Abs(filepath.Join("..", "..", "scenarios", "article-calibration.yaml"))
	dir := filepath.Join(t.TempDir(), "b")
	code, _, errOut := run(t, "run", lib, "--baseline-only", "--quiet", "--reps", "1", "--set", "population.users=300",
		"--set", "creators.generate.count=30", "-o", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
