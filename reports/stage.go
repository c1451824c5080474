package reports

import (
	"os"
	"path/filepath"
)

// Staging is a temporary sibling of a directory that is being written, so
// that readers never see a half-written output: files go into Dir, and
// Commit swaps it into place (replacing whatever is there) or Abort removes
// it. Every writer of an output directory (run, compare, optimize) uses it.
type Staging struct {
	Dir    string // the temporary directory to write into
	target string
	done   bool
}

// Stage creates the temporary sibling of dir (creating dir's parent).
func Stage(dir string) (*Staging, error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return &Staging{Dir: tmp, target: dir}, nil
}

// Commit renames the staged directory into place. An existing target is
// moved aside first and removed only once the new one is in place, so a
// failed swap leaves the old output as it was.
func (s *Staging) Commit() error {
	if _, err := os.Lstat(s.target); err == nil {
		old := s.Dir + ".old"
		if err := os.Rename(s.target, old); err != nil {
			return err
		}
		if err := os.Rename(s.Dir, s.target); err != nil {
			os.Rename(old, s.target)
			return err
		}
		s.done = true
		return os.RemoveAll(old)
	}
	if err := os.Rename(s.Dir, s.target); err != nil {
		return err
	}
	s.done = true
	return nil
}

// Abort removes the staged directory unless it was committed; it is meant
// for a defer right after Stage.
func (s *Staging) Abort() {
	if !s.done {
		os.RemoveAll(s.Dir)
	}
}
