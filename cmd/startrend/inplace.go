package main

import (
	"fmt"
	"path/filepath"

	"github.com/startrend/startrend/internal/outdir"
)

// beginRemoval is the first step of --force on an output written in place
// over time (a run store: sweep, calibrate). It refuses a directory that
// is not startrend's or holds a file startrend did not write, before
// anything is removed; then it turns the marker back into the in-place one
// (no entry list: not complete), so that a kill during the removal leaves
// an output in progress, never one marked complete with files missing.
func beginRemoval(dir string, kind outdir.Kind) error {
	st, err := outdir.Inspect(dir)
	switch {
	case err != nil:
		return err
	case !st.Ours:
		return fmt.Errorf("%s is not empty and is %w (no %s marker); refusing to replace it, --force or not — move it away or choose another directory", dir, outdir.ErrNotOurs, outdir.MarkerFile)
	case st.Foreign != "":
		return fmt.Errorf("%s holds %s, which startrend did not write: %w; refusing to replace it — move that file away or choose another directory", dir, filepath.Join(dir, st.Foreign), outdir.ErrNotOurs)
	}
	return outdir.WriteMarker(dir, kind, nil)
}
