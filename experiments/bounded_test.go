package experiments

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/startrend/startrend/internal/safeio"
)

// copyDir copies the files of a store directory.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range dirFiles(t, from) {
		if err := os.WriteFile(filepath.Join(to, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sparse makes path a file of n zero bytes (no newline) without writing
// them.
func sparse(t *testing.T, path string, n int64) {
	t.Helper()
	os.Remove(path)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(n); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// heapGrowth runs fn and returns how much the bytes allocated grew.
func heapGrowth(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// Issue 17 (bounded inputs): every file of a run store is read with a
// limit. A store file replaced by /dev/zero, one past its size limit and a
// journal with a line past the record limit are refused — by resume
// (Open), a read-only open (a calibration shard reading its peers),
// Complete and Merge — with a message naming the file and the
// limit, reading at most about the limit (a 64 MiB line-less runs.journal
// costs a few MiB, not 64).
func TestStoreReadsAreBounded(t *testing.T) {
	tmp := t.TempDir()
	good := filepath.Join(tmp, "good")
	if err := runStore(t, good, Options{}, 1, testEval); err != nil {
		t.Fatal(err)
	}
	var shards []string
	for i := range 2 {
		d := filepath.Join(tmp, "shard"+string(rune('0'+i)))
		if err := runStore(t, d, Options{Shard: Shard{Index: i, Count: 2}}, 1, testEval); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, d)
	}
	for _, tc := range []struct {
		name, file string
		spoil      func(path string)
		want       []string
	}{
		{"manifest /dev/zero", FileManifest, func(p string) { os.Remove(p); os.Symlink("/dev/zero", p) },
			[]string{"run store manifest", FileManifest, "not a regular file (a character device)"}},
		{"manifest too large", FileManifest, func(p string) { sparse(t, p, safeio.StoreFileLimit+1) },
			[]string{"run store manifest", FileManifest, "256 MiB limit"}},
		{"points /dev/zero", FilePoints, func(p string) { os.Remove(p); os.Symlink("/dev/zero", p) },
			[]string{"points journal", FilePoints, "not a regular file"}},
		{"points too large", FilePoints, func(p string) { sparse(t, p, safeio.StoreFileLimit+1) },
			[]string{"points journal", FilePoints, "256 MiB limit"}},
		{"runs /dev/zero", FileRuns, func(p string) { os.Remove(p); os.Symlink("/dev/zero", p) },
			[]string{"run journal", FileRuns, "not a regular file"}},
		{"runs line too long", FileRuns, func(p string) { sparse(t, p, 64<<20) },
			[]string{FileRuns, "longer than the 1 MiB limit for a journal record"}},
	} {
		check := func(what string, err error) {
			t.Helper()
			if err == nil {
				t.Errorf("%s: %s accepted", tc.name, what)
				return
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: %s: %q lacks %q", tc.name, what, err, w)
				}
			}
		}
		dir := filepath.Join(tmp, strings.ReplaceAll(tc.name, " ", "-"))
		copyDir(t, good, dir)
		tc.spoil(filepath.Join(dir, tc.file))
		var err error
		grew := heapGrowth(func() { _, err = Open(dir, testSpec, Options{Resume: true}) })
		check("resume", err)
		if grew > 8<<20 {
			t.Errorf("%s: resume allocated %d MiB", tc.name, grew>>20)
		}
		grew = heapGrowth(func() { _, err = OpenReadOnly(dir, testSpec) })
		check("read-only open", err)
		if grew > 8<<20 {
			t.Errorf("%s: read-only open allocated %d MiB", tc.name, grew>>20)
		}
		if tc.file == FileManifest {
			_, err = Complete(dir)
			check("Complete", err)
		}
		sh := filepath.Join(tmp, strings.ReplaceAll(tc.name, " ", "-")+"-shard1")
		copyDir(t, shards[1], sh)
		tc.spoil(filepath.Join(sh, tc.file))
		grew = heapGrowth(func() { err = Merge(filepath.Join(tmp, "merged-"+filepath.Base(sh)), []string{shards[0], sh}) })
		check("merge", err)
		if grew > 8<<20 {
			t.Errorf("%s: merge allocated %d MiB", tc.name, grew>>20)
		}
		if !errors.Is(err, safeio.ErrTooLarge) && !errors.Is(err, safeio.ErrNotRegular) && !strings.Contains(err.Error(), "limit") && !strings.Contains(err.Error(), "regular") {
			t.Errorf("%s: merge: %v", tc.name, err)
		}
	}
}

// An Open killed before it wrote store.json leaves empty journals (and
// perhaps the manifest's temporary file): the next Open begins a store over
// them. A journal that holds anything is never overwritten.
func TestOpenOverAKilledStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	os.MkdirAll(dir, 0o755)
	for _, f := range []string{FilePoints, FileRuns, FileManifest + ".tmp"} {
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	s, err := Open(dir, testSpec, Options{})
	if err != nil {
		t.Fatalf("Open over a killed start: %v", err)
	}
	s.Close()
	other := filepath.Join(t.TempDir(), "o")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, FilePoints), []byte("P\t0\t1\n"), 0o644)
	if _, err := Open(other, testSpec, Options{}); err == nil || !strings.Contains(err.Error(), "is not a run store") {
		t.Errorf("Open over a non-empty points journal: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(other, FilePoints)); string(b) != "P\t0\t1\n" {
		t.Errorf("the journal was overwritten: %q", b)
	}
}
