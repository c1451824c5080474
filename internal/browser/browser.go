// Package browser drives a headless Chromium for tests and for
// `make screenshots`: it loads a page, waits for its images, reports
// console errors and failed loads, and takes a screenshot.
//
//	shot, err := browser.Load(ctx, browser.Options{URL: "file:///…/report.html"})
//	// shot.Problems: console errors, exceptions, failed loads
//	// shot.PNG: the first screen (or the full page with FullPage)
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Path finds a Chromium to drive: $CHROMIUM, Debian's chromium, or
// chromium-browser / google-chrome on PATH; "" when there is none.
func Path() string {
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

// ErrNoChromium is returned by Load when no Chromium is found.
var ErrNoChromium = errors.New("browser: Chromium not found (install Debian's chromium)")

// Options say what to load and how.
type Options struct {
	URL           string
	Width, Height int  // viewport; default 1280 × 1024
	FullPage      bool // screenshot the whole page, not the first screen
	UserDataDir   string
	Timeout       time.Duration // default 90 s
	// Eval, when set, is a JavaScript expression evaluated once the page
	// and its images have loaded; its JSON value is Page.Eval.
	Eval string
}

// Page is what Load saw.
type Page struct {
	PNG        []byte   // the screenshot
	Problems   []string // console errors, exceptions, log entries of level error
	Images     int      // images on the page
	Broken     []string // images that did not load
	OverflowPx int      // how far the page is wider than the viewport
	Eval       map[string]any
}

// Load opens o.URL in a fresh headless Chromium and returns what it saw.
func Load(ctx context.Context, o Options) (*Page, error) {
	chrome := Path()
	if chrome == "" {
		return nil, ErrNoChromium
	}
	if o.Width == 0 {
		o.Width, o.Height = 1280, 1024
	}
	if o.Timeout == 0 {
		o.Timeout = 90 * time.Second
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome), chromedp.Headless, chromedp.DisableGPU,
		chromedp.NoSandbox, // needed as root in containers
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(o.Width, o.Height),
	}
	if o.UserDataDir != "" {
		opts = append(opts, chromedp.UserDataDir(o.UserDataDir))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	var mu sync.Mutex
	page := &Page{}
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
				page.Problems = append(page.Problems, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(args, " ")))
			}
		case *cdpruntime.EventExceptionThrown:
			page.Problems = append(page.Problems, "exception: "+e.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				page.Problems = append(page.Problems, fmt.Sprintf("log: %s %s", e.Entry.Text, e.Entry.URL))
			}
		}
	}
	bctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(listener))
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cdplog.Enable, cdp.Empty{})
		return err
	})); err != nil {
		return nil, fmt.Errorf("browser: starting %s: %w", chrome, err)
	}
	tctx, cancelTimeout := context.WithTimeout(bctx, o.Timeout)
	defer cancelTimeout()
	if err := chromedp.Do(tctx, chromedp.Navigate(o.URL), chromedp.WaitReady("body")); err != nil {
		return nil, fmt.Errorf("browser: loading %s: %w", o.URL, err)
	}
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](`Array.from(document.images).every(i => i.complete)`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		return nil, fmt.Errorf("browser: waiting for the images: %w", err)
	}
	type image struct {
		Src string `json:"src"`
		W   int    `json:"w"`
	}
	images, err := chromedp.Run(tctx, chromedp.Evaluate[[]image](`Array.from(document.images).map(i => ({src: i.getAttribute("src"), w: i.complete ? i.naturalWidth : 0}))`))
	if err != nil {
		return nil, err
	}
	page.Images = len(images)
	for _, im := range images {
		if im.W <= 0 {
			page.Broken = append(page.Broken, im.Src)
		}
	}
	over, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil {
		return nil, err
	}
	page.OverflowPx = over
	if o.Eval != "" {
		if page.Eval, err = chromedp.Run(tctx, chromedp.Evaluate[map[string]any](o.Eval)); err != nil {
			return nil, fmt.Errorf("browser: evaluating: %w", err)
		}
	}
	if o.FullPage {
		page.PNG, err = chromedp.Run(tctx, chromedp.FullScreenshot(100))
	} else {
		page.PNG, err = chromedp.Run(tctx, chromedp.CaptureScreenshot())
	}
	if err != nil {
		return nil, fmt.Errorf("browser: screenshot: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return page, nil
}
