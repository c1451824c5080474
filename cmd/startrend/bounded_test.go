package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/startrend/startrend/internal/safeio"
	"github.com/startrend/startrend/reports"
)

// copyTree copies the regular files under from to to.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Issue 17 (bounded inputs): the sweep report's readers (store.json,
// rows.csv, points.csv), merge's scenario.yaml and the sensitivity
// report's sensitivity.json refuse /dev/zero and a file past its limit (or
// a line past the record limit) with a message naming the file and the
// limit.
func TestRunStoreReadersAreBounded(t *testing.T) {
	tmp := t.TempDir()
	sweep := filepath.Join(tmp, "sweep")
	if code, _, e := run(t, "sweep", tinySweep, "--quiet", "-o", sweep); code != 0 {
		t.Fatalf("sweep: %d %s", code, e)
	}
	// rows.csv is read for the paired differences of a one-parameter sweep.
	sweep1 := filepath.Join(tmp, "sweep1")
	if code, _, e := run(t, "sweep", tinySweep, "--quiet", "-o", sweep1, "--set", "sweep.parameters=[{path: campaigns.deal.discount, min: 0, max: 0.3, step: 0.15}]"); code != 0 {
		t.Fatalf("sweep: %d %s", code, e)
	}
	var shards []string
	for _, s := range []string{"0/2", "1/2"} {
		d := filepath.Join(tmp, "shard"+s[:1])
		if code, _, e := run(t, "sweep", tinySweep, "--quiet", "--shard", s, "-o", d); code != 0 {
			t.Fatalf("shard %s: %d %s", s, code, e)
		}
		shards = append(shards, d)
	}
	zero := func(p string) { os.Remove(p); os.Symlink("/dev/zero", p) }
	sparse := func(n int64) func(string) {
		return func(p string) { os.Remove(p); f, _ := os.Create(p); f.Truncate(n); f.Close() }
	}
	for _, tc := range []struct {
		name, file string
		spoil      func(string)
		want       []string
	}{
		{"store.json /dev/zero", "store.json", zero, []string{"run store manifest", "store.json", "not a regular file"}},
		{"store.json too large", "store.json", sparse(safeio.StoreFileLimit + 1), []string{"store.json", "256 MiB limit"}},
		{"rows.csv /dev/zero", "rows.csv", zero, []string{"sweep rows", "rows.csv", "not a regular file"}},
		{"rows.csv long line", "rows.csv", sparse(8 << 20), []string{"rows.csv", "a line longer than the 1 MiB limit"}},
		{"points.csv /dev/zero", "points.csv", zero, []string{"sweep points", "points.csv", "not a regular file"}},
		{"points.csv long line", "points.csv", sparse(8 << 20), []string{"points.csv", "a line longer than the 1 MiB limit"}},
	} {
		dir := filepath.Join(tmp, strings.NewReplacer(" ", "-", "/", "-").Replace(tc.name))
		from := sweep
		if tc.file == "rows.csv" {
			from = sweep1
		}
		copyTree(t, from, dir)
		tc.spoil(filepath.Join(dir, tc.file))
		err := reports.WriteSweepReport(dir, reports.SweepOptions{Currency: "CNY", Warn: io.Discard})
		if err == nil {
			t.Errorf("%s: the report was written", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.name, err, w)
			}
		}
	}
	// merge reads each shard's scenario.yaml with the scenario limit.
	sh := filepath.Join(tmp, "shard1-zero")
	copyTree(t, shards[1], sh)
	zero(filepath.Join(sh, "scenario.yaml"))
	code, _, e := run(t, "merge", shards[0], sh, "-o", filepath.Join(tmp, "merged"))
	if code == 0 || !strings.Contains(e, "scenario.yaml") {
		t.Errorf("merge with a /dev/zero scenario.yaml: %d %q", code, e)
	}
	// sensitivity.json
	sd := filepath.Join(tmp, "sens")
	os.MkdirAll(sd, 0o755)
	zero(filepath.Join(sd, reports.SensitivityFile))
	if _, err := reports.ReadSensitivity(sd); err == nil || !strings.Contains(err.Error(), "sensitivity result") || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("sensitivity.json /dev/zero: %v", err)
	}
	sparse(safeio.StoreFileLimit + 1)(filepath.Join(sd, reports.SensitivityFile))
	if _, err := reports.ReadSensitivity(sd); err == nil || !strings.Contains(err.Error(), "256 MiB limit") {
		t.Errorf("sensitivity.json too large: %v", err)
	}
}
