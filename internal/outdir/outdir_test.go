package outdir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func commitOne(t *testing.T, dir string, kind Kind, force bool, file, data string) error {
	t.Helper()
	s, err := Begin(dir, kind, force)
	if err != nil {
		return err
	}
	defer s.Abort()
	write(t, filepath.Join(s.Dir, file), data)
	return s.Commit()
}

// Issue 17, failures 1 and 2: a directory startrend did not write is never
// replaced, --force or not — whatever files it holds.
func TestForeignDirNeverReplaced(t *testing.T) {
	for name, files := range map[string][]string{
		"git checkout":           {".git/HEAD", "src/main.go", "README.md"},
		"any summary.json":       {"summary.json", "thesis.tex"},
		"any compare.json":       {"compare.json", "notes.md"},
		"run.json not complete":  {"run.json", "x.txt"},
		"complete run.json+user": {"run.json", "thesis.tex"},
		"checkpoint.json+user":   {"checkpoint.json", "README.md"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			for _, f := range files {
				data := "x"
				if strings.HasSuffix(f, ".json") {
					data = `{"complete": true, "format_version": 1}`
				}
				if name == "run.json not complete" && f == "run.json" {
					data = `{"complete": false, "format_version": 1}`
				}
				write(t, filepath.Join(dir, f), data)
			}
			for _, kind := range []Kind{Run, Optimize, Compare, Sweep} {
				for _, force := range []bool{false, true} {
					err := commitOne(t, dir, kind, force, "run.json", "{}")
					if !errors.Is(err, ErrNotOurs) {
						t.Fatalf("kind %s force %v: err = %v, want ErrNotOurs", kind, force, err)
					}
					if err := Claim(dir, kind, force); !errors.Is(err, ErrNotOurs) {
						t.Fatalf("Claim kind %s force %v: err = %v, want ErrNotOurs", kind, force, err)
					}
				}
			}
			for _, f := range files {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Fatalf("%s is gone: %v", f, err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, MarkerFile)); err == nil {
				t.Fatal("a marker was written into a foreign directory")
			}
		})
	}
}

func TestOwnOutputReplacedOnlyWithForce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "out")
	if err := commitOne(t, dir, Run, false, "run.json", "one"); err != nil {
		t.Fatal(err)
	}
	st, err := Inspect(dir)
	if err != nil || !st.Ours || st.Kind != Run || st.Legacy || st.Foreign != "" {
		t.Fatalf("Inspect = %+v, %v", st, err)
	}
	if err := commitOne(t, dir, Run, false, "run.json", "two"); !errors.Is(err, ErrExists) {
		t.Fatalf("without force: %v, want ErrExists", err)
	}
	if err := commitOne(t, dir, Run, true, "run.json", "two"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "run.json")); string(b) != "two" {
		t.Fatalf("run.json = %q", b)
	}
	// A file the user adds to our output makes it not wholly ours.
	write(t, filepath.Join(dir, "notes.txt"), "mine")
	if err := commitOne(t, dir, Run, true, "run.json", "three"); !errors.Is(err, ErrNotOurs) || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("with a user file: %v", err)
	}
	// ... but a marked output inside it (a comparison) does not.
	os.Remove(filepath.Join(dir, "notes.txt"))
	if err := commitOne(t, filepath.Join(dir, "compare"), Compare, false, "compare.json", "{}"); err != nil {
		t.Fatal(err)
	}
	if err := commitOne(t, dir, Run, true, "run.json", "three"); err != nil {
		t.Fatal(err)
	}
	assertNoLeftovers(t, filepath.Dir(dir))
}

func TestLegacyRunDirectoryStaysUsable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "old")
	write(t, filepath.Join(dir, "run.json"), `{"complete": true, "format_version": 1, "workers": 2}`)
	write(t, filepath.Join(dir, "summary.json"), `{}`)
	write(t, filepath.Join(dir, "plots", "a.png"), "png")
	st, err := Inspect(dir)
	if err != nil || !st.Ours || !st.Legacy || st.Kind != Run {
		t.Fatalf("Inspect = %+v, %v", st, err)
	}
	if err := commitOne(t, dir, Run, false, "run.json", "new"); !errors.Is(err, ErrExists) {
		t.Fatalf("without force: %v", err)
	}
	if err := commitOne(t, dir, Run, true, "run.json", "new"); err != nil {
		t.Fatal(err)
	}
}

func TestRefusedNames(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	write(t, file, "x")
	link := filepath.Join(tmp, "link")
	os.Mkdir(filepath.Join(tmp, "target"), 0o755)
	os.Symlink(filepath.Join(tmp, "target"), link)
	for _, dir := range []string{"/", "", file, link, filepath.Join(tmp, strings.Repeat("n", 240))} {
		if err := Prepare(dir, Run, true); err == nil {
			t.Errorf("Prepare(%q) accepted", dir)
		}
	}
}

// Issue 17, failure 6 (second half): leftovers of a killed write are
// recognised and cleaned by the next write; foreign look-alikes and live
// writes are left alone.
func TestLeftoversCleaned(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	// A killed write: a marked staging directory with some files.
	dead := filepath.Join(parent, ".out.tmp-123")
	write(t, filepath.Join(dead, MarkerFile), `{"tool":"startrend","kind":"run","format_version":1}`)
	write(t, filepath.Join(dead, "summary.json"), "{")
	empty := filepath.Join(parent, ".out.tmp-456")
	os.Mkdir(empty, 0o755)
	// Killed while Begin wrote its first marker: only the marker's temp.
	unmarked := filepath.Join(parent, ".out.tmp-789")
	write(t, filepath.Join(unmarked, "."+MarkerFile+".tmp-42"), `{"tool":`)
	// A foreign directory that merely looks like one.
	foreign := filepath.Join(parent, ".out.tmp-mine")
	write(t, filepath.Join(foreign, "keep.txt"), "x")
	// A live write of another process.
	live, err := Begin(dir, Run, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := Prepare(dir, Run, false); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dead, empty, unmarked} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("leftover %s not cleaned", p)
		}
	}
	if _, err := os.Stat(filepath.Join(foreign, "keep.txt")); err != nil {
		t.Error("a foreign look-alike was removed")
	}
	if _, err := os.Stat(filepath.Join(live.Dir, MarkerFile)); err != nil {
		t.Error("a live staging directory was removed")
	}
	live.Abort()
	if _, err := os.Stat(live.Dir); err == nil {
		t.Error("Abort left the staging directory")
	}
}

func TestClaim(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "opt")
	if err := Claim(dir, Optimize, false); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "checkpoint.json"), "{}")
	if err := Claim(dir, Optimize, false); err != nil {
		t.Fatalf("continuing a claimed directory: %v", err)
	}
	if err := Claim(dir, Sweep, false); !errors.Is(err, ErrExists) {
		t.Fatalf("another kind without force: %v", err)
	}
	// A written-in-place directory may be committed over with force.
	if err := commitOne(t, dir, Optimize, true, "optimize.json", "{}"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "checkpoint.json")); err == nil {
		t.Fatal("old content survived the commit")
	}
}

func TestCommitRechecksTarget(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	s, err := Begin(dir, Run, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	write(t, filepath.Join(dir, "thesis.tex"), "x") // appears meanwhile
	if err := s.Commit(); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("Commit over a directory that appeared meanwhile: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "thesis.tex")); err != nil {
		t.Fatal(err)
	}
}

func assertNoLeftovers(t *testing.T, parent string) {
	t.Helper()
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

// compare -o replaces only a comparison, without --force (issue 17,
// failure 2, second half).
func TestBeginOwn(t *testing.T) {
	parent := t.TempDir()
	cmp := filepath.Join(parent, "cmp")
	for i := 0; i < 2; i++ {
		s, err := BeginOwn(cmp, Compare)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(s.Dir, "compare.json"), "{}")
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	run := filepath.Join(parent, "run")
	if err := commitOne(t, run, Run, false, "run.json", "{}"); err != nil {
		t.Fatal(err)
	}
	if _, err := BeginOwn(run, Compare); !errors.Is(err, ErrExists) {
		t.Fatalf("compare over a run: %v", err)
	}
	legacy := filepath.Join(parent, "legacy")
	write(t, filepath.Join(legacy, "compare.json"), `{"format_version":1,"base":{},"candidate":{}}`)
	write(t, filepath.Join(legacy, "compare.md"), "# x")
	if s, err := BeginOwn(legacy, Compare); err != nil {
		t.Fatalf("legacy comparison: %v", err)
	} else {
		s.Abort()
	}
	write(t, filepath.Join(legacy, "thesis.tex"), "x")
	if _, err := BeginOwn(legacy, Compare); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("legacy comparison with a user file: %v", err)
	}
}

// A kill while optimize writes its run directory into its own staging
// leaves a nested staging sibling; the next write cleans it.
func TestNestedLeftoverCleaned(t *testing.T) {
	parent := t.TempDir()
	nested := filepath.Join(parent, "..out.tmp-1.tmp-2")
	write(t, filepath.Join(nested, MarkerFile), `{"tool":"startrend","kind":"run","format_version":1}`)
	if err := Prepare(filepath.Join(parent, "out"), Optimize, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(nested); err == nil {
		t.Error("nested leftover not cleaned")
	}
}

// TestReplacedOutputRemovedMarkerLast: the previous output swapped out by
// Commit keeps a marker until everything else is gone, so a kill while it
// is removed leaves a leftover cleanLeftovers recognises — also for a
// legacy output that had no marker.
func TestReplacedOutputRemovedMarkerLast(t *testing.T) {
	parent := t.TempDir()
	old := filepath.Join(parent, ".out.tmp-1")
	write(t, filepath.Join(old, "summary.json"), "{}")
	write(t, filepath.Join(old, "report.html"), "<html>")
	// A removal that stops after the first entry (as a kill would).
	entries, _ := os.ReadDir(old)
	if err := removeMarkedLastUntil(old, Run, 1); err == nil {
		t.Fatal("the cut-short removal did not report stopping")
	}
	if _, ok := readMarker(old); !ok {
		t.Fatalf("a cut-short removal of %d entries left no marker", len(entries))
	}
	cleanLeftovers(filepath.Join(parent, "out"))
	if _, err := os.Stat(old); err == nil {
		t.Error("the half-removed previous output was not cleaned")
	}
}
