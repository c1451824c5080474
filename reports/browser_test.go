package reports

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds a Chromium to drive: $CHROMIUM, Debian's chromium, or
// chromium-browser / google-chrome on PATH.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestReportInBrowser loads report.html in headless Chromium, checks that
// every image loaded and that the console shows no errors, and saves a
// screenshot (also to $STARTREND_SCREENSHOT_DIR when set).
func TestReportInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chrome := chromiumPath()
	if chrome == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium not found (install Debian's chromium; .ci/run does); the browser test must run in CI")
		}
		t.Skip("Chromium not found; install Debian's chromium to run the browser test")
	}
	dir := writeSynth(t, t.TempDir(), synthOpts{Seed: 1, Variants: 2, Chinese: true})
	page := "file://" + filepath.ToSlash(filepath.Join(dir, ReportHTMLFile))

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoSandbox, // needed as root in containers
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 1024),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()

	// Console errors, uncaught exceptions and log entries of level error
	// (such as a resource that failed to load) are all problems.
	var mu sync.Mutex
	var problems []string
	listener := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *cdpruntime.EventConsoleAPICalled:
			if e.Type == cdpruntime.ConsoleAPICalledTypeError || e.Type == cdpruntime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				problems = append(problems, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(args, " ")))
			}
		case *cdpruntime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				problems = append(problems, fmt.Sprintf("log: %s %s", e.Entry.Text, e.Entry.URL))
			}
		}
	}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(listener))
	defer cancel()
	// The first Run starts the browser; it must not carry the timeout.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdplog.Enable, cdp.Empty{})
		return err
	})); err != nil {
		t.Fatalf("starting Chromium %s: %v", chrome, err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	type image struct {
		Src      string `json:"src"`
		Complete bool   `json:"complete"`
		Width    int    `json:"w"`
	}
	if err := chromedp.Do(tctx,
		chromedp.Navigate(page),
		chromedp.WaitReady("body"),
	); err != nil {
		t.Fatalf("loading %s: %v", page, err)
	}
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](`Array.from(document.images).every(i => i.complete)`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("waiting for the images: %v", err)
	}
	images, err := chromedp.Run(tctx, chromedp.Evaluate[[]image](`Array.from(document.images).map(i => ({src: i.getAttribute("src"), complete: i.complete, w: i.naturalWidth}))`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	layout, err := chromedp.Run(tctx, chromedp.Evaluate[map[string]any](`({overflow: document.documentElement.scrollWidth - window.innerWidth,
		answer: !!document.querySelector("#answer") && !!document.querySelector("#recommendation tbody tr"),
		merchants: document.querySelectorAll("table.merchant").length})`))
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := layout["overflow"].(float64); o > 0 {
		t.Errorf("the page overflows 1280 px horizontally by %v px", o)
	}
	if a, _ := layout["answer"].(bool); !a {
		t.Error("no recommendation (Answer) section")
	}
	if n, _ := layout["merchants"].(float64); n < 1 {
		t.Error("no per-merchant section")
	}
	if len(images) < 15 {
		t.Errorf("report shows %d images, want every plot", len(images))
	}
	for _, im := range images {
		if !im.Complete || im.Width <= 0 {
			t.Errorf("image %s did not load (naturalWidth %d)", im.Src, im.Width)
		}
	}
	mu.Lock()
	for _, p := range problems {
		t.Errorf("browser: %s", p)
	}
	mu.Unlock()
	if len(shot) == 0 {
		t.Fatal("no screenshot")
	}
	out := filepath.Join(t.TempDir(), "report.jpg")
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if d := os.Getenv("STARTREND_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err == nil {
			err = os.WriteFile(filepath.Join(d, "report.jpg"), shot, 0o644)
		}
		if err != nil {
			t.Errorf("saving screenshot to %s: %v", d, err)
		}
	}
	t.Logf("%d images loaded; screenshot %s (%d bytes)", len(images), out, len(shot))
}
