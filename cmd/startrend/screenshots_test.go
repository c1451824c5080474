package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/startrend/startrend/internal/browser"
)

// screenshotFiles are the README's pictures, made by `make screenshots`.
var screenshotFiles = []string{"default-report.png", "optimize-report.png"}

// TestScreenshots runs the default scenario and an optimisation, opens
// their reports in headless Chromium and saves the first screen of each
// to $STARTREND_SCREENSHOTS (`make screenshots` sets it to docs/img). It
// checks what the browser test checks: no console errors, every image
// loaded, no horizontal overflow at 1280 px.
func TestScreenshots(t *testing.T) {
	out := os.Getenv("STARTREND_SCREENSHOTS")
	if out == "" {
		t.Skip("set STARTREND_SCREENSHOTS=DIR (make screenshots) to take the README's screenshots")
	}
	out, _ = filepath.Abs(out)
	tmp := t.TempDir()
	runDir, optDir := filepath.Join(tmp, "default"), filepath.Join(tmp, "opt")
	if code, _, e := run(t, "run", "--quiet", "-o", runDir, "--reps", "6", "--set", "population.users=8000"); code != 0 {
		t.Fatalf("run: %s", e)
	}
	lib := filepath.Join("..", "..", "scenarios", "apparel-launch.yaml")
	if code, _, e := run(t, append([]string{"optimize", lib, "-o", optDir, "--evals", "200", "--quiet"}, smallApparel...)...); code != 0 {
		t.Fatalf("optimize: %s", e)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, dir := range []string{runDir, optDir} {
		page, err := browser.Load(context.Background(), browser.Options{URL: "file://" + filepath.Join(dir, "report.html"),
			Width: 1280, Height: 1400, UserDataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Problems {
			t.Errorf("%s: browser: %s", dir, p)
		}
		if len(page.Broken) > 0 || page.OverflowPx > 0 {
			t.Errorf("%s: broken images %v, overflow %d px", dir, page.Broken, page.OverflowPx)
		}
		if err := os.WriteFile(filepath.Join(out, screenshotFiles[i]), page.PNG, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The README shows screenshots taken by `make screenshots`: they exist and
// are 1280-pixel-wide PNGs.
func TestScreenshotsCommitted(t *testing.T) {
	for _, f := range screenshotFiles {
		b, err := os.ReadFile(filepath.Join("..", "..", "docs", "img", f))
		if err != nil {
			t.Errorf("%v (run make screenshots)", err)
			continue
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width != 1280 {
			t.Errorf("docs/img/%s: not a 1280-pixel-wide PNG (%v, width %d)", f, err, cfg.Width)
		}
	}
}
