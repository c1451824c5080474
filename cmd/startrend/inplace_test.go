package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/startrend/startrend/experiments"
	"github.com/startrend/startrend/internal/outdir"
	"github.com/startrend/startrend/reports"
)

// Issue 17: a `calibrate --force` killed while it removes the previous
// calibration left the directory marked complete with its store gone, and
// every rerun (plain, --force, --resume) refused it. Now the removal first
// marks the directory in progress and removes store.json last, so each
// state a kill can leave is in progress and a --force rerun completes.
func TestCalibrateForceKilledMidRemovalRecovers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cal")
	args := []string{"calibrate", "testdata/calibrate-small.yaml", "--quiet", "--workers", "2", "-o", dir}
	if code, _, e := run(t, args...); code != 0 {
		t.Fatalf("calibrate: %d %s", code, e)
	}
	if st, _ := outdir.Inspect(dir); !st.Whole {
		t.Fatalf("a finished calibration is not marked complete: %+v", st)
	}
	// --force's removal stopped half-way (as by a kill): report.md cannot
	// be removed (a directory holding a file), so the removal ends there,
	// after the journals, before store.json.
	md := filepath.Join(dir, reports.ReportMDFile)
	os.Remove(md)
	os.MkdirAll(filepath.Join(md, "x"), 0o755)
	if err := removeCalibrateFiles(dir); err == nil {
		t.Fatal("the removal did not stop at report.md")
	}
	os.RemoveAll(md)
	if _, err := os.Stat(filepath.Join(dir, experiments.FilePoints)); !os.IsNotExist(err) {
		t.Fatalf("the removal did not get past the journals: %v", err)
	}
	if st, _ := outdir.Inspect(dir); !st.Ours || st.Whole {
		t.Fatalf("after the removal began the directory is %+v; want startrend's, in progress", st)
	}
	if !experiments.IsStore(dir) {
		t.Fatal("store.json was removed before the other files")
	}
	if code, _, e := run(t, append(args, "--force")...); code != 0 {
		t.Fatalf("--force after a killed --force: %d %s", code, e)
	}
	if st, _ := outdir.Inspect(dir); !st.Whole || st.Foreign != "" {
		t.Errorf("the rerun is not marked complete: %+v", st)
	}
	// A file of the user's is refused before anything is removed.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	if code, _, _ := run(t, append(args, "--force")...); code == 0 {
		t.Error("--force over a calibration holding a user's file succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, experiments.FileManifest)); err != nil {
		t.Errorf("the refused --force removed files: %v", err)
	}
}
