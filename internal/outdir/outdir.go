// Package outdir is the one rule every startrend command follows for the
// directories it writes (run, sweep, optimize, compare, calibrate, merge,
// sensitivity):
//
//   - A directory is startrend's only if it carries a marker startrend wrote
//     ([MarkerFile]: the [Kind] and the format version) — or, for run
//     directories written before the marker existed, a complete run.json
//     among files a run writes. Anything else that is not empty is never
//     removed or replaced, with or without --force.
//   - An output directory is written whole into a hidden staging sibling
//     (.NAME.tmp-*) and swapped into place at the end ([Begin],
//     [Staging.Commit]); readers never see a half-written output. On Linux
//     the swap is one atomic exchange, so the previous output stays in place
//     until the new one replaces it.
//   - Leftovers of an interrupted write (staging siblings of a killed
//     process) are recognised by their name and marker and removed by the
//     next write of the same directory ([Prepare] does it).
//
// The API:
//
//	Prepare(dir, kind, force) error          // may dir be written as kind? cleans leftovers
//	Begin(dir, kind, force) (*Staging, error) // Prepare + a staging directory to write into
//	BeginOwn(dir, kind) (*Staging, error)     // Begin that replaces only an output of the same kind, no force (compare)
//	(*Staging).Commit() error                 // marker, then the swap into place
//	(*Staging).Abort()                        // removes the staging directory (defer it)
//	Claim(dir, kind, force) error             // for outputs written in place over time
//	Inspect(dir) (Status, error)              // what a directory is
//
// Refusals wrap [ErrNotOurs] (a directory startrend did not write: never
// replaced) or [ErrExists] (startrend's, but --force was not given).
package outdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Kind names what a directory holds.
type Kind string

// The kinds of output directories.
const (
	Run         Kind = "run"
	Sweep       Kind = "sweep"
	Optimize    Kind = "optimize"
	Compare     Kind = "compare"
	Calibrate   Kind = "calibrate"
	Merge       Kind = "merge"
	Sensitivity Kind = "sensitivity"
)

// MarkerFile is the name of the marker file in every output directory.
const MarkerFile = ".startrend.json"

// FormatVersion is the version of the marker format.
const FormatVersion = 1

// markerTool is the tool field of every marker.
const markerTool = "startrend"

// maxMarkerBytes bounds the read of a marker (and of a legacy run.json).
const maxMarkerBytes = 1 << 20

// Marker is the content of MarkerFile.
type Marker struct {
	Tool          string `json:"tool"` // always "startrend"
	Kind          Kind   `json:"kind"`
	FormatVersion int    `json:"format_version"`
	// Entries lists the top-level entries startrend wrote, when the
	// directory was written whole (Begin/Commit); nil for directories
	// written in place (Claim). An entry not listed makes the directory
	// one that is not wholly startrend's: it is not replaced.
	Entries []string `json:"entries,omitempty"`
}

var (
	// ErrNotOurs is wrapped by refusals to touch a non-empty directory (or
	// a file) that startrend did not write.
	ErrNotOurs = errors.New("not a startrend output directory")
	// ErrExists is wrapped by refusals to replace startrend's own output
	// without force.
	ErrExists = errors.New("holds a startrend output already")
)

// Status is what Inspect found at a path.
type Status struct {
	Exists bool // something is at the path
	IsDir  bool // it is a directory (not a symlink)
	Empty  bool // an empty directory
	Ours   bool // a directory startrend wrote
	Kind   Kind // its kind (when Ours)
	Legacy bool // recognised without a marker (a run directory of an older startrend)
	// Whole is set when the marker lists the directory's entries: an
	// output written whole (Begin/Commit) or one written in place and
	// then marked complete. An in-place output in progress has no list.
	Whole bool
	// Foreign is the first entry that makes an Ours directory not wholly
	// startrend's ("" when none): a file the user added.
	Foreign string
}

// legacyRunEntries are the entries of a run directory (and of an optimize
// directory, which is a run directory plus its own files) as written before
// the marker existed.
var legacyRunEntries = []string{"scenario.yaml", "summary.json", "timeseries.csv", "replications.csv",
	"breakdown.csv", "run.json", "report.html", "report.md", "plots", "compare",
	"optimize.json", "checkpoint.json"}

// Inspect reports what is at dir. It reads at most a small marker (or a
// legacy run.json); it never follows a symlink at dir.
func Inspect(dir string) (Status, error) {
	var st Status
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.Exists = true
	if !fi.IsDir() {
		return st, nil
	}
	st.IsDir = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return st, err
	}
	if len(entries) == 0 {
		st.Empty = true
		return st, nil
	}
	if m, ok := readMarker(dir); ok {
		st.Ours, st.Kind, st.Whole = true, m.Kind, m.Entries != nil
		if m.Entries != nil {
			for _, e := range entries {
				n := e.Name()
				if n == MarkerFile || slices.Contains(m.Entries, n) || isOurSubdir(dir, e) {
					continue
				}
				st.Foreign = n
				break
			}
		}
		return st, nil
	}
	if kind, ok := legacyKind(dir, entries); ok {
		st.Ours, st.Kind, st.Legacy = true, kind, true
	}
	return st, nil
}

// isOurSubdir reports whether entry e of dir is a directory with a marker
// (a comparison written into a run directory, say).
func isOurSubdir(dir string, e fs.DirEntry) bool {
	if !e.IsDir() {
		return false
	}
	_, ok := readMarker(filepath.Join(dir, e.Name()))
	return ok
}

// readMarker reads dir's marker; ok only for a well-formed marker.
func readMarker(dir string) (Marker, bool) {
	var m Marker
	b, ok := readSmall(filepath.Join(dir, MarkerFile))
	if !ok {
		return m, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || m.Tool != markerTool || m.FormatVersion < 1 || !validKind(m.Kind) {
		return m, false
	}
	return m, true
}

func validKind(k Kind) bool {
	switch k {
	case Run, Sweep, Optimize, Compare, Calibrate, Merge, Sensitivity:
		return true
	}
	return false
}

// readSmall reads a regular file of at most maxMarkerBytes.
func readSmall(path string) ([]byte, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxMarkerBytes {
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(f, maxMarkerBytes+1))
	if err != nil || len(b) > maxMarkerBytes {
		return nil, false
	}
	return b, true
}

// legacyKind recognises directories of an older startrend: a run (or
// optimize) directory holds only entries such a directory holds, and a
// complete run.json (or, for an optimisation in progress, a checkpoint.json
// or optimize.json that is a JSON object).
func legacyKind(dir string, entries []fs.DirEntry) (Kind, bool) {
	if k, ok := legacyCompare(dir, entries); ok {
		return k, true
	}
	for _, e := range entries {
		n := e.Name()
		if slices.Contains(legacyRunEntries, n) {
			continue
		}
		// The temporary files of an optimisation's atomic writes.
		if strings.HasPrefix(n, ".checkpoint.json.tmp-") || strings.HasPrefix(n, ".optimize.json.tmp-") {
			continue
		}
		if e.IsDir() && strings.HasPrefix(n, ".") && strings.Contains(n, ".tmp-") {
			continue // a staging leftover inside
		}
		return "", false
	}
	var rj struct {
		Complete      bool `json:"complete"`
		FormatVersion int  `json:"format_version"`
	}
	if b, ok := readSmall(filepath.Join(dir, "run.json")); ok && json.Unmarshal(b, &rj) == nil && rj.Complete && rj.FormatVersion >= 1 {
		if has(entries, "optimize.json") || has(entries, "checkpoint.json") {
			return Optimize, true
		}
		return Run, true
	}
	for _, f := range []string{"optimize.json", "checkpoint.json"} {
		var obj map[string]json.RawMessage
		if b, ok := readSmall(filepath.Join(dir, f)); ok && json.Unmarshal(b, &obj) == nil && len(obj) > 0 {
			return Optimize, true
		}
	}
	return "", false
}

// legacyCompare recognises a comparison of an older startrend: only
// compare.json, compare.md and plots/, and a compare.json that is a JSON
// object with format_version, base and candidate.
func legacyCompare(dir string, entries []fs.DirEntry) (Kind, bool) {
	for _, e := range entries {
		switch e.Name() {
		case "compare.json", "compare.md", "plots":
		default:
			return "", false
		}
	}
	var obj map[string]json.RawMessage
	b, ok := readSmall(filepath.Join(dir, "compare.json"))
	if !ok || json.Unmarshal(b, &obj) != nil {
		return "", false
	}
	for _, k := range []string{"format_version", "base", "candidate"} {
		if _, ok := obj[k]; !ok {
			return "", false
		}
	}
	return Compare, true
}

func has(entries []fs.DirEntry, name string) bool {
	for _, e := range entries {
		if e.Name() == name {
			return true
		}
	}
	return false
}

// article returns "a run output", "an optimize output".
func article(k Kind) string {
	if strings.ContainsRune("aeiou", rune(string(k)[0])) {
		return "an " + string(k) + " output"
	}
	return "a " + string(k) + " output"
}

// Prepare checks that dir may be written as an output of kind and removes
// the leftovers of interrupted writes of dir. It accepts a missing or empty
// directory, and startrend's own output (of any kind) when force is set.
// It refuses, force or not, a file, a symlink, the file-system root, and a
// non-empty directory startrend did not write (errors.Is(err, ErrNotOurs));
// without force it refuses startrend's own output (errors.Is(err,
// ErrExists)).
func Prepare(dir string, kind Kind, force bool) error {
	return prepare(dir, kind, modeOf(force))
}

// PrepareOwn is Prepare for outputs that are cheap to remake and are
// rewritten without --force (compare's): it replaces startrend's output of
// the same kind only, and refuses any other.
func PrepareOwn(dir string, kind Kind) error {
	return prepare(dir, kind, sameKind)
}

// replaceMode says which existing outputs may be replaced.
type replaceMode int

const (
	replaceNone replaceMode = iota // only a missing or empty directory
	sameKind                       // and startrend's output of the same kind
	anyOurs                        // and any startrend output (--force)
)

func modeOf(force bool) replaceMode {
	if force {
		return anyOurs
	}
	return replaceNone
}

func prepare(dir string, kind Kind, mode replaceMode) error {
	if err := checkName(dir); err != nil {
		return err
	}
	if !validKind(kind) {
		return fmt.Errorf("outdir: unknown kind %q", kind)
	}
	cleanLeftovers(dir)
	return checkTarget(dir, kind, mode)
}

// checkName refuses names that cannot be an output directory.
func checkName(dir string) error {
	if dir == "" {
		return errors.New("empty output directory name")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if filepath.Dir(abs) == abs {
		return fmt.Errorf("%s: the file-system root cannot be an output directory; choose a directory below it", dir)
	}
	if len(filepath.Base(abs)) > 200 {
		return fmt.Errorf("%s: the directory name is longer than 200 bytes", filepath.Base(abs))
	}
	return nil
}

func checkTarget(dir string, kind Kind, mode replaceMode) error {
	st, err := Inspect(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	switch {
	case !st.Exists || st.Empty:
		return nil
	case !st.IsDir:
		return fmt.Errorf("%s exists and is not a directory: %w; refusing to replace it", dir, ErrNotOurs)
	case !st.Ours:
		return fmt.Errorf("%s is not empty and is %w (no %s marker); refusing to replace it, --force or not — move it away or choose another directory", dir, ErrNotOurs, MarkerFile)
	case st.Foreign != "":
		return fmt.Errorf("%s holds %s, which startrend did not write: %w; refusing to replace it — move that file away or choose another directory", dir, filepath.Join(dir, st.Foreign), ErrNotOurs)
	case mode == sameKind && st.Kind != kind:
		return fmt.Errorf("%s %w (%s, not %s); refusing to replace it — choose another directory", dir, ErrExists, article(st.Kind), article(kind))
	case mode == replaceNone:
		return fmt.Errorf("%s %w (%s); use --force to replace it or choose another directory", dir, ErrExists, article(st.Kind))
	}
	return nil
}

// Claim makes dir an output directory of kind that is written in place
// over time (an optimisation's checkpoints, a sweep's run store): it
// creates dir with its marker when dir is missing or empty, and accepts
// startrend's own output of the same kind as it is (to continue it). A
// directory of another kind is accepted only with force (its marker is
// rewritten). A directory startrend did not write is refused.
func Claim(dir string, kind Kind, force bool) error {
	if err := checkName(dir); err != nil {
		return err
	}
	if !validKind(kind) {
		return fmt.Errorf("outdir: unknown kind %q", kind)
	}
	cleanLeftovers(dir)
	st, err := Inspect(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if st.Ours {
		cleanMarkerTemps(dir)
	}
	switch {
	case st.Ours && st.Kind == kind && st.Foreign == "":
		if st.Legacy {
			return WriteMarker(dir, kind, nil)
		}
		return nil
	case st.Exists && !st.Empty:
		if err := checkTarget(dir, kind, modeOf(force)); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return WriteMarker(dir, kind, nil)
}

// cleanMarkerTemps removes the temporary files of a marker write that was
// killed before its rename (.startrend.json.tmp-*) from dir, one of ours:
// a directory written in place must not keep them once it is complete.
func cleanMarkerTemps(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), "."+MarkerFile+".tmp-") {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// WriteMarker writes dir's marker (atomically: a temporary file renamed).
// entries nil marks a directory written in place.
func WriteMarker(dir string, kind Kind, entries []string) error {
	m := Marker{Tool: markerTool, Kind: kind, FormatVersion: FormatVersion, Entries: entries}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, MarkerFile), append(b, '\n'), 0o644)
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory renamed over path, so that path is either its old content or
// the new one, never a part.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	name := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(name)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Chmod(name, perm); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}
