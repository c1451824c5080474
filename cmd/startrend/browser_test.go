package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/startrend/startrend/internal/browser"
)

// Issue 16 (must hold): the optimisation, sweep, sensitivity and
// calibration reports load in Chromium with no console errors, every image
// loaded and no horizontal overflow at 1280 px; the optimisation report
// shows its verdict. (The run report's browser test is in package reports.)
func TestStudyReportsInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if browser.Path() == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium not found (install Debian's chromium; .ci/run does); the browser test must run in CI")
		}
		t.Skip("Chromium not found; install Debian's chromium to run the browser test")
	}
	tmp := t.TempDir()
	lib, _ := filepath.Abs(filepath.Join("..", "..", "scenarios", "apparel-launch.yaml"))
	opt, sw := filepath.Join(tmp, "opt"), filepath.Join(tmp, "sweep")
	if code, _, e := run(t, append([]string{"optimize", lib, "-o", opt}, tinyOptimize...)...); code != 0 {
		t.Fatalf("optimize: %d %s", code, e)
	}
	if code, _, e := run(t, "sweep", tinySweep, "--quiet", "-o", sw); code != 0 {
		t.Fatalf("sweep: %d %s", code, e)
	}
	cal := filepath.Join(tmp, "cal")
	if code, _, e := run(t, "calibrate", "testdata/calibrate-small.yaml", "--quiet", "--workers", "2", "-o", cal); code != 0 {
		t.Fatalf("calibrate: %d %s", code, e)
	}
	sens := filepath.Join(tmp, "sens")
	if code, _, e := run(t, sensArgs(sens)...); code != 0 {
		t.Fatalf("sensitivity: %d %s", code, e)
	}
	for _, tc := range []struct {
		name, dir string
		images    int
		eval      string
	}{
		{"optimize", opt, 10, `!!document.querySelector("#optimize-verdict") && !!document.querySelector("#optimize-candidates tbody tr")`},
		{"sweep", sw, 5, `document.querySelectorAll("table").length > 0`},
		{"sensitivity", sens, 1, `document.querySelectorAll("table").length > 0`},
		{"calibrate", cal, 1, `document.querySelectorAll("table").length > 0`},
	} {
		page, err := browser.Load(context.Background(), browser.Options{
			URL: "file://" + filepath.ToSlash(filepath.Join(tc.dir, "report.html")), UserDataDir: t.TempDir(),
			Eval: `({ok: ` + tc.eval + `})`,
		})
		if errors.Is(err, browser.ErrNoChromium) {
			t.Skip("Chromium not found")
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if page.Images < tc.images {
			t.Errorf("%s: %d images, want at least %d", tc.name, page.Images, tc.images)
		}
		for _, src := range page.Broken {
			t.Errorf("%s: image %s did not load", tc.name, src)
		}
		for _, p := range page.Problems {
			t.Errorf("%s: browser: %s", tc.name, p)
		}
		if page.OverflowPx > 0 {
			t.Errorf("%s: the page overflows 1280 px by %d px", tc.name, page.OverflowPx)
		}
		if ok, _ := page.Eval["ok"].(bool); !ok {
			t.Errorf("%s: the page lacks its sections (%s)", tc.name, tc.eval)
		}
		t.Logf("%s: %d images loaded", tc.name, page.Images)
	}
}
