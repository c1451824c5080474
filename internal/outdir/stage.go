package outdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Staging is a hidden sibling of an output directory being written: files
// go into Dir, and Commit swaps it into place or Abort removes it.
type Staging struct {
	Dir    string // the staging directory to write into
	target string
	kind   Kind
	mode   replaceMode
	lock   *os.File // holds a lock on Dir while the write is alive
	done   bool
}

// stagingPrefix is the name prefix of dir's staging siblings.
func stagingPrefix(dir string) string {
	return "." + filepath.Base(dir) + ".tmp-"
}

// Begin checks dir as Prepare does and creates its staging sibling (and
// dir's parent), marked as startrend's so that a leftover is recognised.
func Begin(dir string, kind Kind, force bool) (*Staging, error) {
	return begin(dir, kind, modeOf(force))
}

// BeginOwn is Begin with PrepareOwn's rule: an existing output is replaced
// only when it is startrend's output of the same kind.
func BeginOwn(dir string, kind Kind) (*Staging, error) {
	return begin(dir, kind, sameKind)
}

func begin(dir string, kind Kind, mode replaceMode) (*Staging, error) {
	if err := prepare(dir, kind, mode); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, stagingPrefix(abs))
	if err != nil {
		return nil, err
	}
	s := &Staging{Dir: tmp, target: abs, kind: kind, mode: mode}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	s.lock = lockDir(tmp)
	if err := WriteMarker(tmp, kind, nil); err != nil {
		s.Abort()
		return nil, err
	}
	return s, nil
}

// Commit writes the final marker (listing what was written) and swaps the
// staging directory into place, after checking again that the target may
// be replaced (it may have changed meanwhile). On Linux an existing target
// is exchanged atomically with the staging directory and then removed;
// elsewhere it is renamed aside first and removed once the new output is in
// place.
func (s *Staging) Commit() error {
	if s.done {
		return errors.New("outdir: staging committed or aborted already")
	}
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return err
	}
	names := []string{}
	for _, e := range entries {
		if n := e.Name(); n != MarkerFile && !strings.HasPrefix(n, "."+MarkerFile+".tmp-") {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	if err := WriteMarker(s.Dir, s.kind, names); err != nil {
		return err
	}
	if err := checkTarget(s.target, s.kind, s.mode); err != nil {
		return err
	}
	st, err := Inspect(s.target)
	if err != nil {
		return err
	}
	if !st.Exists {
		if err := os.Rename(s.Dir, s.target); err != nil {
			return err
		}
		s.finish()
		return nil
	}
	if st.Empty {
		if err := os.Remove(s.target); err != nil {
			return err
		}
		if err := os.Rename(s.Dir, s.target); err != nil {
			return err
		}
		s.finish()
		return nil
	}
	if err := exchange(s.Dir, s.target); err == nil {
		// s.Dir now holds the previous output.
		s.finish()
		if err := removeMarkedLast(s.Dir, s.kind); err != nil {
			return fmt.Errorf("removing the previous output (now %s): %w", s.Dir, err)
		}
		return nil
	}
	old := s.Dir + ".old"
	if err := os.Rename(s.target, old); err != nil {
		return err
	}
	if err := os.Rename(s.Dir, s.target); err != nil {
		os.Rename(old, s.target)
		return err
	}
	s.finish()
	return removeMarkedLast(old, s.kind)
}

// removeMarkedLast removes a replaced output that sits at a staging name,
// marker last: it first makes sure the directory carries a marker (a legacy
// output may have none), then removes everything else, then the marker and
// the directory. A kill at any point leaves a directory that cleanLeftovers
// recognises as startrend's (it has a marker, or is empty).
func removeMarkedLast(dir string, kind Kind) error {
	return removeMarkedLastUntil(dir, kind, -1)
}

// errStopped is removeMarkedLastUntil's report of a removal cut short.
var errStopped = errors.New("outdir: removal stopped")

// removeMarkedLastUntil is removeMarkedLast stopping after n entries (n < 0:
// never), so that a test can cut a removal short where a kill would.
func removeMarkedLastUntil(dir string, kind Kind, n int) error {
	if _, ok := readMarker(dir); !ok {
		if err := WriteMarker(dir, kind, nil); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == MarkerFile {
			continue
		}
		if n == 0 {
			return errStopped
		}
		n--
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return os.RemoveAll(dir)
}

// onlyMarkerTemps reports whether dir holds nothing but temporary marker
// files: a staging directory killed while its first marker was written.
func onlyMarkerTemps(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return false
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), "."+MarkerFile+".tmp-") {
			return false
		}
	}
	return true
}

func (s *Staging) finish() {
	s.done = true
	if s.lock != nil {
		s.lock.Close()
		s.lock = nil
	}
}

// Abort removes the staging directory unless it was committed; it is meant
// for a defer right after Begin.
func (s *Staging) Abort() {
	if s.done {
		return
	}
	s.finish()
	os.RemoveAll(s.Dir)
}

// cleanLeftovers removes the staging siblings of dir that interrupted
// writes left: hidden directories named .NAME.tmp-* that are empty or carry
// a marker, and that no live process is writing (holds locked).
func cleanLeftovers(dir string) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return
	}
	parent, prefix := filepath.Dir(abs), stagingPrefix(abs)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		// ".NAME.tmp-*", and "..NAME.tmp-*.tmp-*": the staging of a
		// directory written into dir's own staging (optimize's run
		// directory).
		if !e.IsDir() || !(strings.HasPrefix(e.Name(), prefix) || strings.HasPrefix(e.Name(), "."+prefix)) {
			continue
		}
		p := filepath.Join(parent, e.Name())
		if os.Remove(p) == nil { // an empty one
			continue
		}
		if _, ok := readMarker(p); !ok && !onlyMarkerTemps(p) {
			if st, err := Inspect(p); err != nil || !st.Ours {
				continue // not ours: leave it
			}
		}
		if busy(p) {
			continue
		}
		os.RemoveAll(p)
	}
}
