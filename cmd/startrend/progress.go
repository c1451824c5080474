package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress reports how far a long job is, on stderr. On a terminal it
// redraws one line with a bar, the percentage, the elapsed time, an ETA and
// a label; elsewhere (logs, CI) it prints a plain line at every 10%. It is
// safe for concurrent use, so it can be passed to sim.Options.Progress.
//
//	p := newProgress(stderr, "simulating", quiet)
//	p.Update(done, total)
//	p.SetLabel("best 1.23e6, eta 40s")
//	p.Finish()
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	title    string
	label    string
	tty      bool
	quiet    bool
	start    time.Time
	lastDraw time.Time
	lastDec  int // last 10% step printed (non-terminal)
	done     int
	total    int
	drawn    bool
	now      func() time.Time
}

// newProgress returns a progress reporter writing to w; quiet silences it.
func newProgress(w io.Writer, title string, quiet bool) *progress {
	return &progress{w: w, title: title, quiet: quiet, tty: isTerminal(w), start: time.Now(), lastDec: -1, now: time.Now}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// SetLabel sets the text shown after the bar (e.g. "best 1.23e6").
func (p *progress) SetLabel(label string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label = label
	p.draw(true)
}

// Update records done units of work out of total.
func (p *progress) Update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < p.done && total == p.total {
		return // late report from a slower goroutine
	}
	p.done, p.total = done, total
	p.draw(false)
}

// Finish ends the progress line.
func (p *progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quiet {
		return
	}
	if p.tty && p.drawn {
		p.render()
		fmt.Fprintln(p.w)
	}
	p.drawn = false
}

func (p *progress) draw(force bool) {
	if p.quiet || p.total <= 0 {
		return
	}
	if p.tty {
		now := p.now()
		if !force && p.done < p.total && now.Sub(p.lastDraw) < 100*time.Millisecond {
			return
		}
		p.lastDraw = now
		p.render()
		p.drawn = true
		return
	}
	dec := p.done * 10 / p.total
	if dec > p.lastDec {
		p.lastDec = dec
		fmt.Fprintf(p.w, "%s: %d%% (%d/%d)%s%s\n", p.title, dec*10, p.done, p.total, p.eta(), p.labelText())
	}
}

func (p *progress) render() {
	const width = 30
	frac := float64(p.done) / float64(max(p.total, 1))
	fill := int(frac * width)
	bar := strings.Repeat("█", fill) + strings.Repeat("░", width-fill)
	fmt.Fprintf(p.w, "\r\033[K%s %s %3.0f%% %s%s%s", p.title, bar, frac*100,
		fmtDuration(p.now().Sub(p.start)), p.eta(), p.labelText())
}

func (p *progress) labelText() string {
	if p.label == "" {
		return ""
	}
	return ", " + p.label
}

func (p *progress) eta() string {
	if p.done <= 0 || p.done >= p.total {
		return ""
	}
	el := p.now().Sub(p.start)
	rest := time.Duration(float64(el) * float64(p.total-p.done) / float64(p.done))
	return ", eta " + fmtDuration(rest)
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.0fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
