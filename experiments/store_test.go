package experiments

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

var testSpec = Spec{Kind: "test", Scenario: "t", ScenarioHash: "abc", Design: "d1",
	Columns: []Column{{Name: "x", Kind: KindReal}, {Name: "c", Kind: KindCategorical, Categories: []string{"a", "b"}}},
	Outputs: []Output{{Variant: "baseline", Metric: "y"}, {Variant: "baseline", Metric: "ratio"}}}

// testEval is a deterministic function of (point, replication); ratio is
// undefined (NaN) on every third replication.
func testEval(ctx context.Context, r Run, x, out []float64) error {
	out[0] = x[0]*10 + x[1] + float64(r.Replication)*0.125
	if r.Replication%3 != 2 {
		out[1] = x[0] / float64(r.Replication+1)
	}
	return nil
}

func testPoints(n int) Points {
	p := make(Points, n)
	for i := range p {
		p[i] = []float64{float64(i) * 0.5, float64(i % 2)}
	}
	return p
}

// runStore runs a whole study (two batches: 7 points × 3 replications,
// then 2 more replications of points 1 and 4) in dir.
func runStore(t *testing.T, dir string, opt Options, workers int, eval Evaluator) error {
	t.Helper()
	s, err := Open(dir, testSpec, opt)
	if err != nil {
		return err
	}
	b1, err := s.Submit(testPoints(7), 3)
	if err != nil {
		return err
	}
	if _, err := s.Execute(context.Background(), b1, eval, ExecuteOptions{Workers: workers}); err != nil {
		s.Close()
		return err
	}
	b2, err := s.Replicate([]int{1, 4}, 3, 2)
	if err != nil {
		return err
	}
	if _, err := s.Execute(context.Background(), b2, eval, ExecuteOptions{Workers: workers}); err != nil {
		s.Close()
		return err
	}
	return s.Finalize()
}

// dirFiles reads every file of dir by name.
func dirFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := dirFiles(t, a), dirFiles(t, b)
	var names []string
	for k := range fa {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(fa) != len(fb) {
		t.Errorf("%s has %d files, %s has %d", a, len(fa), b, len(fb))
	}
	for _, k := range names {
		if !bytes.Equal(fa[k], fb[k]) {
			t.Errorf("%s differs between %s and %s", k, a, b)
		}
	}
}

func TestStoreSameFilesForAnyWorkersAndShards(t *testing.T) {
	tmp := t.TempDir()
	one := filepath.Join(tmp, "one")
	if err := runStore(t, one, Options{}, 1, testEval); err != nil {
		t.Fatal(err)
	}
	four := filepath.Join(tmp, "four")
	if err := runStore(t, four, Options{}, 4, testEval); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, one, four)
	var shards []string
	for i := 0; i < 3; i++ {
		d := filepath.Join(tmp, "shard"+string(rune('0'+i)))
		if err := runStore(t, d, Options{Shard: Shard{Index: i, Count: 3}}, 2, testEval); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, d)
	}
	merged := filepath.Join(tmp, "merged")
	if err := Merge(merged, []string{shards[2], shards[0], shards[1]}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, one, merged)
	csv := string(dirFiles(t, one)[FileRowsCSV])
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if want := 1 + (7*3+2*2)*2; len(lines) != want {
		t.Errorf("rows.csv has %d lines, want %d", len(lines), want)
	}
	if lines[0] != "point,replication,run_id,x,c,variant,metric,value" || lines[1] != "0,0,0,0,a,baseline,y,0" {
		t.Errorf("rows.csv starts %q, %q", lines[0], lines[1])
	}
	// Point 1 has 5 replications (3 + 2 from the Replicate batch).
	pts := string(dirFiles(t, one)[FilePointsCSV])
	if !strings.Contains(pts, "\n1,0.5,b,baseline,y,5,") {
		t.Errorf("points.csv lacks point 1 with 5 replications:\n%s", pts)
	}
}

func TestStoreShardRunsOnlyItsShare(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "s"), testSpec, Options{Shard: Shard{Index: 1, Count: 4}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, _ := s.Submit(testPoints(10), 2) // 20 runs: ids 1, 5, 9, 13, 17
	var ids []uint64
	var n atomic.Int64
	c, err := s.Execute(context.Background(), b, func(ctx context.Context, r Run, x, out []float64) error {
		n.Add(1)
		if r.ID%4 != 1 {
			t.Errorf("shard 1/4 ran run %d", r.ID)
		}
		return nil
	}, ExecuteOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	_ = ids
	if c.Share != 5 || c.Ran != 5 || n.Load() != 5 || c.Batch != 20 {
		t.Errorf("count %+v, evaluations %d; want share 5 of 20, all run", c, n.Load())
	}
}

// A process killed in the middle leaves a journal with a torn last record;
// resuming discards it, skips finished runs and ends with the same files.
func TestStoreResumeAfterTornRecord(t *testing.T) {
	tmp := t.TempDir()
	want := filepath.Join(tmp, "want")
	if err := runStore(t, want, Options{}, 1, testEval); err != nil {
		t.Fatal(err)
	}
	got := filepath.Join(tmp, "got")
	var calls atomic.Int64
	boom := errors.New("stop")
	failing := func(ctx context.Context, r Run, x, out []float64) error {
		if calls.Add(1) > 9 {
			return boom
		}
		return testEval(ctx, r, x, out)
	}
	if err := runStore(t, got, Options{}, 2, failing); !errors.Is(err, boom) {
		t.Fatalf("interrupted run: %v", err)
	}
	// Tear the last record as kill -9 during a write would.
	rp := filepath.Join(got, FileRuns)
	b, _ := os.ReadFile(rp)
	os.WriteFile(rp, append(b, "R\t20\t6\t2\t1"...), 0o644)
	if err := runStore(t, got, Options{}, 1, testEval); !errors.Is(err, ErrExists) {
		t.Fatalf("reopening without resume: %v, want ErrExists", err)
	}
	calls.Store(0)
	counting := func(ctx context.Context, r Run, x, out []float64) error {
		calls.Add(1)
		return testEval(ctx, r, x, out)
	}
	if err := runStore(t, got, Options{Resume: true}, 3, counting); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 25-9 {
		t.Errorf("resume ran %d runs, want %d (the unfinished ones)", n, 25-9)
	}
	sameFiles(t, want, got)
	// A finished store resumes to the same files without running anything.
	calls.Store(0)
	if err := runStore(t, got, Options{Resume: true}, 3, counting); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 0 {
		t.Errorf("resuming a finished store ran %d runs", calls.Load())
	}
	sameFiles(t, want, got)
	// Resuming with another design or scenario is refused, naming why.
	other := testSpec
	other.Design = "d2"
	if _, err := Open(got, other, Options{Resume: true}); err == nil || !strings.Contains(err.Error(), "another design") {
		t.Errorf("resume with another design: %v", err)
	}
	other = testSpec
	other.ScenarioHash = "zzz"
	if _, err := Open(got, other, Options{Resume: true}); err == nil || !strings.Contains(err.Error(), "runs of another scenario") {
		t.Errorf("resume with another scenario: %v", err)
	}
	if _, err := Open(got, testSpec, Options{Resume: true, Shard: Shard{1, 2}}); err == nil || !strings.Contains(err.Error(), "shard") {
		t.Errorf("resume as another shard: %v", err)
	}
}

func TestStoreCorruptMiddleRecordIsAnError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	if err := runStore(t, dir, Options{}, 1, testEval); err != nil {
		t.Fatal(err)
	}
	rp := filepath.Join(dir, FileRuns)
	b, _ := os.ReadFile(rp)
	b[3] ^= 1
	os.WriteFile(rp, b, 0o644)
	err := runStore(t, dir, Options{Resume: true}, 1, testEval)
	if err == nil || !strings.Contains(err.Error(), "runs.journal:1: corrupt record") {
		t.Errorf("got %v, want a corrupt-record error at line 1", err)
	}
}

func TestMergeRejectsBadShards(t *testing.T) {
	tmp := t.TempDir()
	dirs := make([]string, 3)
	for i := range dirs {
		dirs[i] = filepath.Join(tmp, "s"+string(rune('0'+i)))
		if err := runStore(t, dirs[i], Options{Shard: Shard{Index: i, Count: 3}}, 1, testEval); err != nil {
			t.Fatal(err)
		}
	}
	other := filepath.Join(tmp, "other")
	spec2 := testSpec
	spec2.ScenarioHash = "zzz"
	s, _ := Open(other, spec2, Options{Shard: Shard{Index: 2, Count: 3}})
	b, _ := s.Submit(testPoints(7), 3)
	s.Execute(context.Background(), b, testEval, ExecuteOptions{})
	b2, _ := s.Replicate([]int{1, 4}, 3, 2)
	s.Execute(context.Background(), b2, testEval, ExecuteOptions{})
	if err := s.Finalize(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		dirs []string
		want string
	}{
		{"missing", dirs[:2], "missing shard 2/3"},
		{"duplicated", []string{dirs[0], dirs[1], dirs[1]}, "are both shard 1/3"},
		{"mismatched", []string{dirs[0], dirs[1], other}, "does not belong with"},
		{"not a store", []string{dirs[0], tmp}, "is not a run store"},
	} {
		err := Merge(filepath.Join(tmp, "out-"+tc.name), tc.dirs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/1", Shard{0, 1}, ""}, {"3/4", Shard{3, 4}, ""},
		{"3/2", Shard{}, "index 3 out of range (allowed 0 … 1"},
		{"2/2", Shard{}, "out of range"},
		{"a/b", Shard{}, `index "a" is not a whole number`},
		{"1", Shard{}, "expected INDEX/COUNT"},
		{"0/0", Shard{}, "count 0 must be at least 1"},
	} {
		got, err := ParseShard(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %v, %v", tc.in, got, err)
		}
	}
}

func TestJournalValuesRoundTrip(t *testing.T) {
	for _, x := range []float64{0, -0.1, 1e300, math.SmallestNonzeroFloat64, 123456789.123456789} {
		y, err := parseValue(formatValue(x))
		if err != nil || math.Float64bits(x) != math.Float64bits(y) {
			t.Errorf("%v → %q → %v", x, formatValue(x), y)
		}
	}
	if y, _ := parseValue(formatValue(math.NaN())); !math.IsNaN(y) {
		t.Error("NaN does not round-trip")
	}
}

// SubmitFrom and SubmitDiagonal batches (a calibration's) get the
// replications asked for, survive a resume and a merge of shards, and a
// shard reads the other shard's runs with OpenReadOnly and Available.
func TestStoreReplicationOffsetsAndPeers(t *testing.T) {
	tmp := t.TempDir()
	study := func(dir string, opt Options) (*Store, []Batch) {
		s, err := Open(dir, testSpec, opt)
		if err != nil {
			t.Fatal(err)
		}
		b1, err := s.SubmitFrom(testPoints(3), 4, 2)
		if err != nil {
			t.Fatal(err)
		}
		b2, err := s.SubmitDiagonal(testPoints(5), 10)
		if err != nil {
			t.Fatal(err)
		}
		return s, []Batch{b1, b2}
	}
	s, bs := study(filepath.Join(tmp, "one"), Options{})
	if r := bs[0].Run(3); r.Point != 1 || r.Replication != 5 {
		t.Errorf("SubmitFrom run 3: point %d replication %d, want 1, 5", r.Point, r.Replication)
	}
	if r := bs[1].Run(4); r.Point != 3+4 || r.Replication != 14 || bs[1].Runs != 5 {
		t.Errorf("SubmitDiagonal run 4: point %d replication %d (%d runs), want 7, 14 (5)", r.Point, r.Replication, bs[1].Runs)
	}
	for _, b := range bs {
		if _, err := s.Execute(context.Background(), b, testEval, ExecuteOptions{Workers: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Finalize(); err != nil {
		t.Fatal(err)
	}
	// A resumed store checks the offsets: another repFrom is refused.
	r, err := Open(filepath.Join(tmp, "one"), testSpec, Options{Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.SubmitFrom(testPoints(3), 0, 2); err == nil || !strings.Contains(err.Error(), "differs from the recorded one") {
		t.Errorf("resume with other replications: %v", err)
	}
	r.Close()
	// Two shards, each reading the other's runs.
	var dirs []string
	var shards [2]*Store
	for i := range 2 {
		d := filepath.Join(tmp, "shard", string(rune('a'+i)))
		dirs = append(dirs, d)
		sh, sbs := study(d, Options{Shard: Shard{Index: i, Count: 2}})
		for _, b := range sbs {
			if _, err := sh.Execute(context.Background(), b, testEval, ExecuteOptions{Workers: 1}); err != nil {
				t.Fatal(err)
			}
		}
		shards[i], bs = sh, sbs
	}
	peer, err := OpenReadOnly(dirs[1], testSpec)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if !shards[0].SameBatch(peer, b) {
			t.Fatalf("batch %d: not the same in the peer", b.Index)
		}
		seen := map[uint64]bool{}
		collect := func(r Run, x, out []float64) error {
			var want [2]float64
			want[1] = math.NaN()
			testEval(context.Background(), r, x, want[:])
			if out[0] != want[0] || seen[r.ID] {
				t.Errorf("run %d: %v (twice: %v), want %v", r.ID, out, seen[r.ID], want)
			}
			seen[r.ID] = true
			return nil
		}
		shards[0].Available(b, collect)
		peer.Available(b, collect)
		if len(seen) != b.Runs {
			t.Errorf("batch %d: own and peer runs give %d of %d", b.Index, len(seen), b.Runs)
		}
	}
	for _, sh := range shards {
		if err := sh.Finalize(); err != nil {
			t.Fatal(err)
		}
	}
	if err := Merge(filepath.Join(tmp, "merged"), dirs); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, filepath.Join(tmp, "one"), filepath.Join(tmp, "merged"))
	if _, err := OpenReadOnly(dirs[0], Spec{Kind: "other", Columns: testSpec.Columns}); err == nil {
		t.Error("a peer of another kind was opened")
	}
}
