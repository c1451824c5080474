package outdir_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/startrend/startrend/internal/outdir"
)

// A command writes its output directory whole: Begin (which refuses a
// directory startrend did not write), files into the staging directory,
// Commit.
func Example() {
	parent, _ := os.MkdirTemp("", "outdir-example-")
	defer os.RemoveAll(parent)
	dir := filepath.Join(parent, "sweep")

	write := func(force bool) error {
		st, err := outdir.Begin(dir, outdir.Sweep, force)
		if err != nil {
			return err
		}
		defer st.Abort() // removes the staging directory unless committed
		if err := os.WriteFile(filepath.Join(st.Dir, "rows.csv"), []byte("x\n1\n"), 0o644); err != nil {
			return err
		}
		return st.Commit()
	}
	fmt.Println("first:", write(false))
	fmt.Println("again without force:", errors.Is(write(false), outdir.ErrExists))
	fmt.Println("again with force:", write(true))

	// A directory of the user's is never replaced.
	home := filepath.Join(parent, "home")
	os.MkdirAll(home, 0o755)
	os.WriteFile(filepath.Join(home, "thesis.tex"), []byte("precious"), 0o644)
	_, err := outdir.Begin(home, outdir.Sweep, true)
	fmt.Println("foreign:", errors.Is(err, outdir.ErrNotOurs))
	// Output:
	// first: <nil>
	// again without force: true
	// again with force: <nil>
	// foreign: true
}
