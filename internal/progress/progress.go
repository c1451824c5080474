// Package progress reports how far a long job is, on a terminal or in a log.
//
// On a terminal a [Bar] redraws one line in place: title, bar, percentage,
// elapsed time, an ETA and a label, cut to the terminal's width so that a
// redraw never wraps and leaves a stale line behind. When the writer is not
// a terminal (a CI log, a file) it prints one plain line at every 10% and at
// the end, never a control character.
//
//	b := progress.New(os.Stderr, "simulating")
//	for i := range n {
//		work(i)
//		b.Update(i+1, n)
//	}
//	b.Finish() // draws 100% and ends the line
//
// One measure of progress: Update takes done and total units of the same
// kind (runs, replication-days, evaluations); the percentage, the bar and the
// ETA are all derived from it. A Bar is safe for concurrent use.
package progress

import (
	"fmt"
	"golang.org/x/term"
	"golang.org/x/text/width"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultWidth is the line width assumed on a terminal whose size cannot be
// read (and COLUMNS is unset).
const DefaultWidth = 80

// Bar is a progress reporter. Its zero value is not usable; call [New].
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	title    string
	label    string
	tty      bool
	quiet    bool
	start    time.Time
	lastDraw time.Time
	lastDec  int
	done     int
	total    int
	drawn    bool
	finished bool

	// Now returns the current time (tests replace it).
	Now func() time.Time
	// Width returns the terminal's width in columns (tests replace it).
	Width func() int
}

// New returns a Bar writing to w, drawing in place when w is a terminal.
func New(w io.Writer, title string) *Bar {
	b := &Bar{w: w, title: title, tty: IsTerminal(w), lastDec: -1, Now: time.Now}
	b.Width = func() int { return terminalWidth(w) }
	b.start = b.Now()
	return b
}

// Quiet silences b: nothing is written.
func (b *Bar) Quiet(q bool) *Bar {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.quiet = q
	return b
}

// SetTerminal forces the terminal (in-place) or log (line) rendering.
func (b *Bar) SetTerminal(tty bool) *Bar {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tty = tty
	return b
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 0 {
		return c
	}
	return DefaultWidth
}

// SetLabel sets the text shown after the bar (e.g. "best 1,230,000").
// Control characters are dropped.
func (b *Bar) SetLabel(label string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.label = clean(label)
	b.draw(true)
}

// Update records done units of work out of total. A report older than the
// last one (done smaller at the same total) is ignored, so goroutines may
// report out of order; a new total re-bases the bar.
func (b *Bar) Update(done, total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if done < b.done && total == b.total {
		return
	}
	b.done, b.total = min(max(done, 0), max(total, 0)), total
	b.draw(false)
}

// Finish marks the work complete: the bar is drawn at 100% and its line ended.
// Later calls do nothing.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	if b.quiet || b.total <= 0 {
		return
	}
	b.done = b.total
	if b.tty {
		b.render()
		fmt.Fprintln(b.w)
		return
	}
	if b.lastDec < 10 {
		b.lastDec = 10
		fmt.Fprintln(b.w, b.logLine())
	}
}

// Abort ends the line without claiming completion (an interrupted job).
func (b *Bar) Abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	if !b.quiet && b.tty && b.drawn {
		fmt.Fprintln(b.w)
	}
}

func (b *Bar) draw(force bool) {
	if b.quiet || b.total <= 0 || b.finished {
		return
	}
	if b.tty {
		now := b.Now()
		if !force && b.done < b.total && now.Sub(b.lastDraw) < 100*time.Millisecond {
			return
		}
		b.lastDraw = now
		b.render()
		b.drawn = true
		return
	}
	dec := b.done * 10 / b.total
	if dec > b.lastDec {
		b.lastDec = dec
		fmt.Fprintln(b.w, b.logLine())
	}
}

func (b *Bar) frac() float64 { return float64(b.done) / float64(max(b.total, 1)) }

func (b *Bar) logLine() string {
	return fmt.Sprintf("%s: %d%% (%d/%d), %s%s%s", clean(b.title), int(b.frac()*100+1e-9), b.done, b.total,
		Duration(b.Now().Sub(b.start)), b.eta(), b.labelText())
}

// render draws the terminal line, fitted to the width: the bar shrinks
// first, then the label is cut with an ellipsis.
func (b *Bar) render() {
	width := b.Width() - 1 // never touch the last column (some terminals wrap)
	head := clean(b.title) + " "
	tail := fmt.Sprintf(" %3.0f%% %s%s", b.frac()*100, Duration(b.Now().Sub(b.start)), b.eta())
	label := b.labelText()
	barW := min(30, width-runeLen(head)-runeLen(tail)-runeLen(label))
	if barW < 10 {
		// Not enough room for everything: keep a 10-cell bar, cut the label.
		barW = max(0, min(10, width-runeLen(head)-runeLen(tail)))
		label = cut(label, width-runeLen(head)-runeLen(tail)-barW)
	}
	bar := ""
	if barW > 0 {
		fill := int(b.frac() * float64(barW))
		bar = strings.Repeat("█", fill) + strings.Repeat("░", barW-fill)
	}
	line := cut(head+bar+tail+label, width)
	fmt.Fprintf(b.w, "\r\033[K%s", line)
}

func (b *Bar) labelText() string {
	if b.label == "" {
		return ""
	}
	return ", " + b.label
}

func (b *Bar) eta() string {
	if b.done <= 0 || b.done >= b.total {
		return ""
	}
	el := b.Now().Sub(b.start)
	rest := time.Duration(float64(el) * float64(b.total-b.done) / float64(b.done))
	return ", eta " + Duration(rest)
}

// Duration formats d for a progress line: 42s, 3m07s, 2h05m.
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.0fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// runeLen is the number of terminal columns s takes: two for East Asian
// wide and full-width characters (CJK names), one otherwise.
func runeLen(s string) int {
	n := 0
	for _, r := range s {
		n += cols(r)
	}
	return n
}

func cols(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// cut shortens s to at most n columns, ending in "…" when it was cut.
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if runeLen(s) <= n {
		return s
	}
	used := 0
	var out strings.Builder
	for _, r := range s {
		if used+cols(r) > n-1 {
			break
		}
		used += cols(r)
		out.WriteRune(r)
	}
	return out.String() + "…"
}

// clean drops control characters (ESC sequences included) so that nothing a
// user named can drive the terminal.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}
