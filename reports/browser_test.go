package reports

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/startrend/startrend/internal/browser"
)

// TestReportInBrowser loads report.html in headless Chromium and checks
// that every image loaded, the console shows no errors, the page does not
// overflow 1280 px and the answer and per-merchant sections are there; it
// saves a screenshot (also to $STARTREND_SCREENSHOT_DIR when set).
func TestReportInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	dir := writeSynth(t, t.TempDir(), synthOpts{Seed: 1, Variants: 2, Chinese: true})
	page, err := browser.Load(context.Background(), browser.Options{
		URL: "file://" + filepath.ToSlash(filepath.Join(dir, ReportHTMLFile)), FullPage: true, UserDataDir: t.TempDir(),
		Eval: `({answer: !!document.querySelector("#answer") && !!document.querySelector("#recommendation tbody tr"),
			merchants: document.querySelectorAll("table.merchant").length})`,
	})
	if errors.Is(err, browser.ErrNoChromium) {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium not found (install Debian's chromium; .ci/run does); the browser test must run in CI")
		}
		t.Skip("Chromium not found; install Debian's chromium to run the browser test")
	}
	if err != nil {
		t.Fatal(err)
	}
	if page.Images < 15 {
		t.Errorf("report shows %d images, want every plot", page.Images)
	}
	for _, src := range page.Broken {
		t.Errorf("image %s did not load", src)
	}
	for _, p := range page.Problems {
		t.Errorf("browser: %s", p)
	}
	if page.OverflowPx > 0 {
		t.Errorf("the page overflows 1280 px horizontally by %d px", page.OverflowPx)
	}
	if a, _ := page.Eval["answer"].(bool); !a {
		t.Error("no recommendation (Answer) section")
	}
	if n, _ := page.Eval["merchants"].(float64); n < 1 {
		t.Error("no per-merchant section")
	}
	if len(page.PNG) == 0 {
		t.Fatal("no screenshot")
	}
	if d := os.Getenv("STARTREND_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err == nil {
			err = os.WriteFile(filepath.Join(d, "report.png"), page.PNG, 0o644)
		}
		if err != nil {
			t.Errorf("saving screenshot to %s: %v", d, err)
		}
	}
	t.Logf("%d images loaded; screenshot %d bytes", page.Images, len(page.PNG))
}
